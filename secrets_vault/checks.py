"""System checks with stable ids for the vault's encryption keys."""

from django.conf import settings
from django.core import checks

from .crypto import parse_key


@checks.register(checks.Tags.security)
def check_encryption_keys(app_configs, **kwargs):
    keys = settings.PORTCULLIS_ENCRYPTION_KEYS
    if not keys:
        message = "PORTCULLIS_ENCRYPTION_KEYS is empty: secrets can be neither stored nor read."
        hint = "Set it to urlsafe base64 of 32 random bytes (python -m config.devkeys writes one for development)."
        if settings.DEBUG:
            return [checks.Warning(message, hint=hint, id="portcullis.W010")]
        return [checks.Error(message, hint=hint, id="portcullis.E010")]
    errors = []
    for position, key in enumerate(keys, start=1):
        try:
            parse_key(key)
        except ValueError as error:
            errors.append(
                checks.Error(
                    f"PORTCULLIS_ENCRYPTION_KEYS key #{position} {error}.",
                    hint="Each key must be urlsafe base64 of 32 random bytes.",
                    id="portcullis.E011",
                )
            )
    return errors
