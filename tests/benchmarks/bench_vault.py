"""Vault measurements, each run in its own process on its own SQLite (or DATABASE_URL) database.

    python -m tests.benchmarks.bench_vault purge 100000
    python -m tests.benchmarks.bench_vault rotate 100000 [--tracemalloc]
    python -m tests.benchmarks.bench_vault serve-setup   (prints a service token and secret id)

Prints one JSON line: the count, seconds, peak traced memory (MiB, with --tracemalloc) and the
process's maximum resident set size (MiB). Rows are inserted in chunks so that setting up does
not itself raise the memory peak.
"""

import json
import os
import resource
import sys
import time
import tracemalloc
import uuid
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

CHUNK = 5000
NEW_KEY = "q0lr7o9WcP9d8T0Xl1lH3yQZbZ3j0d7pSc7y5z2r8mU="
OLD_KEY = "bW9yZS10ZXN0LWtleS0zMi1ieXRlcy1sb25nLWtleSE="


def setup():
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from tests.factories import OrganizationFactory

    return OrganizationFactory(slug=f"bench-{uuid.uuid4().hex[:6]}", name="Bench")


def insert(organization, count, *, deleted_days_ago=None, encrypt=False):
    from django.utils import timezone

    from secrets_vault.crypto import get_encryptor
    from secrets_vault.models import Secret

    encryptor = get_encryptor()
    deleted_at = timezone.now() - timedelta(days=deleted_days_ago) if deleted_days_ago is not None else None
    for start in range(0, count, CHUNK):
        rows = []
        for n in range(start, min(start + CHUNK, count)):
            secret = Secret(organization=organization, name=f"s{n}", type="api_key", deleted_at=deleted_at)
            if encrypt:
                payload = json.dumps({"header_name": "X-API-Key", "value": f"value-{n}"}).encode()
                secret.key_id, secret.nonce, secret.ciphertext = encryptor.encrypt(payload, secret.associated_data())
            else:
                secret.key_id, secret.nonce, secret.ciphertext = "deadbeef", b"n" * 12, b"x" * 60
            rows.append(secret)
        Secret.objects.bulk_create(rows)


def measure(operation, trace):
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = operation()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    return result, seconds, peak


def main(argv):
    command = argv[0]
    trace = "--tracemalloc" in argv
    if command == "serve-setup":
        return serve_setup()
    count = int(argv[1])
    from django.conf import settings

    if command == "purge":
        organization = setup()
        insert(organization, count, deleted_days_ago=60)
        from secrets_vault.housekeeping import secrets_purge_deleted

        result, seconds, peak = measure(secrets_purge_deleted, trace)
    elif command == "rotate":
        settings.PORTCULLIS_ENCRYPTION_KEYS = [OLD_KEY]
        organization = setup()
        insert(organization, count, encrypt=True)
        settings.PORTCULLIS_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
        from secrets_vault.housekeeping import secrets_rotate_encryption_key

        result, seconds, peak = measure(lambda: secrets_rotate_encryption_key()[0], trace)
    else:
        raise SystemExit(f"unknown command {command}")
    assert result == count, (result, count)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"operation": command, "count": count, "seconds": round(seconds, 2),
                      "peak_traced_mib": peak and round(peak, 1), "max_rss_mib": round(maxrss, 1)}))


def serve_setup():
    """A token and an api_key secret for the read benchmark; prints them as JSON."""
    organization = setup()
    from identity.principals import SYSTEM_PRINCIPAL
    from secrets_vault import services
    from tests.factories import make_service_token

    _, token = make_service_token(organization, roles=("sys_admin",), name="bench")
    principal = SYSTEM_PRINCIPAL.__class__(kind="user", name="bench", organization=organization,
                                           permissions=frozenset({"secrets:write", "secrets:read"}))
    secret = services.secret_create(organization=organization, actor=principal, name="bench-key", type="api_key",
                                    value={"header_name": "X-API-Key", "value": "bench-value"})
    print(json.dumps({"org": organization.slug, "token": token, "secret": str(secret.pk)}))


if __name__ == "__main__":
    main(sys.argv[1:])
