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
