"""System checks with stable ids for settings that would make Portcullis unsafe."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_password_hasher(app_configs, **kwargs):
    if not settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher"):
        return [checks.Warning("Argon2 should be the first password hasher.", id="portcullis.W001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache") or backend.endswith("DummyCache"):
        return [
            checks.Error(
                "The default cache must be shared by every process (Redis or the database cache): "
                "rate limits and replay checks live there.",
                id="portcullis.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_issuer(app_configs, **kwargs):
    if settings.PORTCULLIS_ISSUER:
        if not settings.PORTCULLIS_ISSUER.startswith("https://"):
            return [checks.Warning("PORTCULLIS_ISSUER should be an https:// URL.", id="portcullis.W003")]
        return []
    return [
        checks.Warning(
            "PORTCULLIS_ISSUER is not set: the token URL printed to clients and the audience a "
            "private_key_jwt assertion must name follow each request's Host header.",
            hint="Set PORTCULLIS_ISSUER to the public https:// URL of this server.",
            id="portcullis.W002",
        )
    ]
