"""Set up the identity benchmark's database; prints what the load loops need as one JSON line.

    python -m tests.benchmarks.bench_identity_setup ASSERTIONS_FILE COUNT
"""

import base64
import json
import os
import sys
import time
import uuid
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.benchmarks.bench_settings")

import django  # noqa: E402

ISSUER = "http://bench.local"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GRANT = urlencode({"grant_type": "client_credentials"})


def basic(client_id, secret):
    """The Authorization header of a client_secret_basic grant."""
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def assertion_grant_bodies(assertions_file):
    """One private_key_jwt grant body per assertion written by ``main`` (each single-use)."""
    return [
        urlencode({"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE, "client_assertion": a})
        for a in assertions_file.read_text().split()
    ]


def main(assertions_file, count):
    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from jwcrypto import jwk, jwt
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)  # creates the database cache's table too
    from tests.factories import OrganizationFactory, make_credential, make_service_token

    organization = OrganizationFactory(slug=f"bench-{uuid.uuid4().hex[:6]}", name="Bench")
    _, api_key = make_service_token(organization, roles=("sys_admin",), name="bench")
    basic, basic_secret = make_credential(organization, permissions=["studios:read"], name="bench-basic")
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="bench")
    signer, _ = make_credential(
        organization, auth_method="private_key_jwt", jwks={"keys": [json.loads(key.export_public())]}, name="bench-jwt",
        permissions=["studios:read"],
    )
    stock_secret = "stock-" + uuid.uuid4().hex
    stock = Application(
        name="stock", client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=make_password(stock_secret, hasher="argon2"), hash_client_secret=False,
    )
    stock.save()
    now = int(time.time())
    with open(assertions_file, "w") as handle:
        for _ in range(count):
            claims = {"iss": signer.client_id, "sub": signer.client_id, "aud": ISSUER, "exp": now + 3000, "iat": now, "jti": uuid.uuid4().hex}
            token = jwt.JWT(header={"alg": "ES256", "kid": "bench"}, claims=claims)
            token.make_signed_token(key)
            handle.write(token.serialize() + "\n")
    print(json.dumps({
        "org": organization.slug, "api_key": api_key,
        "basic": [basic.client_id, basic_secret], "jwt_client": signer.client_id,
        "stock": [stock.client_id, stock_secret],
    }))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
