"""Set up the federation benchmark's database; prints what the load loops need as one JSON line.

    python -m tests.benchmarks.bench_federation_setup ISSUER_URL ASSERTIONS_FILE COUNT
    python -m tests.benchmarks.bench_federation_setup forget-refetch ISSUER_URL

The first form makes a credential trusting ``ISSUER_URL`` (GitHub-shaped subject and claims) and a
``private_key_jwt`` credential with ``COUNT`` pre-signed assertions. The second forgets that the
issuer's keys were fetched in the last minute, as the minute passing would: an unknown ``kid``
may then fetch again (identity/oauth/remote_keys.py), without the benchmark waiting a minute.
"""

import json
import os
import sys
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.benchmarks.bench_settings")

import django  # noqa: E402

ISSUER = "http://bench.local"
AUDIENCE = "portcullis"
SUBJECT = "repo:acme/deploy:ref:refs/heads/main"


def setup(issuer_url, assertions_file, count):
    from django.core.management import call_command
    from jwcrypto import jwk, jwt

    call_command("migrate", verbosity=0, interactive=False)  # creates the database cache's table too
    from identity.services.credential_keys import service_credential_set_federated_trusts
    from tests.factories import SYSTEM_PRINCIPAL_ADMIN, OrganizationFactory, make_credential

    organization = OrganizationFactory(slug=f"bench-{uuid.uuid4().hex[:6]}", name="Bench")
    federated, _ = make_credential(organization, permissions=["studios:read"], name="bench-federated")
    trust = {"issuer": issuer_url, "audience": AUDIENCE, "subject": SUBJECT, "claims": {"repository_owner": "acme"}}
    service_credential_set_federated_trusts(
        credential=federated, actor=SYSTEM_PRINCIPAL_ADMIN(organization), federated_trusts=[trust]
    )
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="bench")
    signer, _ = make_credential(
        organization, auth_method="private_key_jwt", jwks={"keys": [json.loads(key.export_public())]}, name="bench-jwt",
        permissions=["studios:read"],
    )
    now = int(time.time())
    with open(assertions_file, "w") as handle:
        for _ in range(count):
            claims = {"iss": signer.client_id, "sub": signer.client_id, "aud": ISSUER, "exp": now + 3000, "iat": now,
                      "jti": uuid.uuid4().hex}
            token = jwt.JWT(header={"alg": "ES256", "kid": "bench"}, claims=claims)
            token.make_signed_token(key)
            handle.write(token.serialize() + "\n")
    print(json.dumps({"federated_client": federated.client_id, "jwt_client": signer.client_id}))


def forget_refetch(issuer_url):
    from django.core.cache import cache

    from identity.oauth.remote_keys import _cache_key

    cache.delete(_cache_key("jwks-refetch", ("issuer", issuer_url.rstrip("/"))))
    print(json.dumps({"forgot": issuer_url}))


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "forget-refetch":
        forget_refetch(sys.argv[2])
    else:
        setup(sys.argv[1], sys.argv[2], int(sys.argv[3]))
