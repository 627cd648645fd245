"""Fixtures for the vault: fixed test keys, principals, certificates and a secret factory."""

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from rest_framework.test import APIClient

from identity.principals import principal_for_user
from secrets_vault import services
from tests.factories import make_member

TEST_KEY = "q0lr7o9WcP9d8T0Xl1lH3yQZbZ3j0d7pSc7y5z2r8mU="
OLD_KEY = "bW9yZS10ZXN0LWtleS0zMi1ieXRlcy1sb25nLWtleSE="
SENTINEL = "SENTINEL-9f8e7d"


@pytest.fixture(autouse=True)
def vault_key(settings):
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY]
    return settings


@pytest.fixture
def holder_principal(organization, account_holder):
    return principal_for_user(account_holder, organization)


def client_for(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def member(organization):
    return make_member(organization, role="member")


@pytest.fixture
def member_client(member):
    return client_for(member)


def make_certificate(common_name="svc.example.com", days=90, key=None):
    """A self-signed EC certificate and its key, both as PEM text."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return cert_pem, key_pem, certificate


@pytest.fixture(scope="session")
def certificate_pair():
    return make_certificate()


def values_by_type(certificate_pair, sentinel=SENTINEL):
    cert_pem, key_pem, _ = certificate_pair
    return {
        "api_key": {"header_name": "X-API-Key", "value": sentinel},
        "bearer_token": {"header_name": "Authorization", "header_value": f"Bearer {sentinel}"},
        "client_credentials": {"client_id": "ci-client", "client_secret": sentinel, "scopes": ["read", "write"]},
        "certificate": {"certificate": cert_pem, "private_key": key_pem},
        "key_value": {"pairs": {"DB_PASSWORD": sentinel, "DB_USER": "app"}},
    }


def make_secret(organization, actor, name="github-token", type="api_key", value=None, **kwargs):
    value = value or {"header_name": "X-API-Key", "value": SENTINEL}
    return services.secret_create(organization=organization, actor=actor, name=name, type=type, value=value, **kwargs)
