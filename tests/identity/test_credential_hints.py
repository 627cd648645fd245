"""Hints where a credential's user trips: a revoked credential's name, a pasted private key."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from identity.errors import Conflict
from identity.oauth.client_assertions import normalise_public_keys
from identity.services import service_credentials as services
from tests.factories import SYSTEM_PRINCIPAL_ADMIN

pytestmark = pytest.mark.django_db


def test_a_revoked_credentials_name_says_why_it_is_taken(organization):
    credential, _ = services.service_credential_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="old-pipeline"
    )
    services.service_credential_revoke(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), confirm_name="old-pipeline")
    with pytest.raises(Conflict) as caught:
        services.service_credential_check_name(organization=organization, name="old-pipeline")
    assert caught.value.field_errors == {"name": ["A revoked credential keeps its name; choose another."]}


def test_a_live_credentials_name_is_simply_taken(organization):
    services.service_credential_create(organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="live")
    with pytest.raises(Conflict) as caught:
        services.service_credential_check_name(organization=organization, name="live")
    assert caught.value.field_errors == {"name": ["This name is already taken."]}


@pytest.mark.parametrize("encryption", [serialization.NoEncryption(), serialization.BestAvailableEncryption(b"pw")])
def test_a_pasted_private_key_is_named_as_one(encryption):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption).decode()
    with pytest.raises(ValueError, match="This is a private key: paste the public key"):
        normalise_public_keys(public_key=pem)


def test_an_openssh_private_key_is_named_as_one():
    pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----\n"
    with pytest.raises(ValueError, match="This is a private key"):
        normalise_public_keys(public_key=pem)
