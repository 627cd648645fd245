"""On PostgreSQL a grant's token commits without waiting for the disk (a token lost in a crash is
asked for again); a private_key_jwt assertion's jti, which must survive to stop a replay, and a
revocation commit durably."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jwcrypto import jwk

from identity import services
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential
from tests.identity.oauth_helpers import basic, claims_for, post_assertion, sign

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's synchronous_commit"),
    pytest.mark.django_db,
]
ASYNCHRONOUS = "SET LOCAL synchronous_commit TO off"


def statements_of(action):
    with CaptureQueriesContext(connection) as queries:
        response = action()
    return response, [query["sql"] for query in queries]


def test_a_client_secret_grant_commits_without_waiting_for_the_disk(client, organization):
    credential, secret = make_credential(organization, permissions=["studios:read"])

    response, statements = statements_of(
        lambda: client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    )

    assert response.status_code == 200
    insert = next(index for index, sql in enumerate(statements) if sql.startswith('INSERT INTO "oauth2_provider_accesstoken"'))
    assert ASYNCHRONOUS in statements[:insert]


def test_a_private_key_jwt_grant_records_its_jti_durably_before_the_token(client, organization):
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="key-1")
    credential, _ = make_credential(organization, auth_method="private_key_jwt", jwks={"keys": [json.loads(key.export_public())]})

    response, statements = statements_of(lambda: post_assertion(client, sign(key, claims_for(credential.client_id), alg="ES256")))

    assert response.status_code == 200, response.content
    jti = next(index for index, sql in enumerate(statements) if 'INTO "identity_usedclientassertion"' in sql)
    assert ASYNCHRONOUS in statements
    assert ASYNCHRONOUS not in statements[:jti]


def test_a_revocation_commits_durably(organization):
    credential, _ = make_credential(organization, permissions=["studios:read"])

    _, statements = statements_of(
        lambda: services.service_credential_revoke(
            credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), confirm_name=credential.name
        )
    )

    assert statements and ASYNCHRONOUS not in statements
