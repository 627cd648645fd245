"""What each type of secret holds, checked field by field, split into payload and metadata.

Field errors inside the value are named ``value.<field>`` (``value.header_name``,
``value.pairs``, ``value.certificate``); top-level fields keep their plain names (``name``,
``type``, ``expires_at``). The payload is what gets encrypted; the metadata holds only facts
that are not secret (header name, scopes, certificate fields, the keys of key/value pairs).
"""

import re
from dataclasses import dataclass
from datetime import datetime

from cli.pairs import PairsFileError, parse_pairs
from identity.errors import InvalidInput

from .certificates import parse_certificate
from .models import SecretType

MAX_TEXT = 64 * 1024
MAX_PAIRS = 500
MAX_PAIR_KEY = 256
MAX_FILE_BYTES = 256 * 1024
MAX_SCOPES = 100
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$")
# PostgreSQL refuses NUL in text (the metadata), UTF-8 refuses lone surrogates (the sealed payload);
# neither belongs in a header, a key or an environment variable.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
CANNOT_STORE = "cannot contain a NUL character or a lone surrogate (\\ud800-\\udfff)"


@dataclass
class CleanPayload:
    payload: dict
    metadata: dict
    expires_at: datetime | None = None


class _Errors:
    def __init__(self):
        self.by_field = {}

    def add(self, name, message):
        self.by_field.setdefault(f"value.{name}", []).append(message)

    def raise_if_any(self):
        if self.by_field:
            first = next(iter(self.by_field.items()))
            raise InvalidInput(f"{first[0]}: {first[1][0]}", field_errors=self.by_field)


def _text(errors, value, name, *, required=True, max_length=MAX_TEXT):
    raw = value.get(name)
    if raw is None or raw == "":
        if required:
            errors.add(name, "This field is required.")
        return ""
    if not isinstance(raw, str):
        errors.add(name, "Give a string.")
        return ""
    if len(raw) > max_length:
        errors.add(name, f"Ensure this field has no more than {max_length} characters.")
    elif UNSTORABLE.search(raw):
        errors.add(name, f"This field {CANNOT_STORE}.")
    return raw


def _header_name(errors, value):
    name = _text(errors, value, "header_name", max_length=200)
    if name and not HEADER_NAME.match(name):
        errors.add("header_name", "Use a valid HTTP header name (letters, digits and -, no spaces).")
    return name


def _api_key(errors, value):
    payload = {"header_name": _header_name(errors, value), "value": _text(errors, value, "value")}
    return payload, {"header_name": payload["header_name"]}


def _bearer_token(errors, value):
    payload = {"header_name": _header_name(errors, value), "header_value": _text(errors, value, "header_value")}
    return payload, {"header_name": payload["header_name"]}


SCOPE_SEPARATORS = re.compile(r"[\s,]+")


def split_scopes(raw):
    """Scope names from a string or a list of strings, split on commas and whitespace.

    ``"profile,edit email"`` and ``["profile,edit", "email"]`` both give three scopes, in order,
    each once; ``None`` is no scope. Anything else raises ``ValueError``.
    """
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValueError("not strings")
    scopes = [part for item in raw for part in SCOPE_SEPARATORS.split(item) if part]
    return list(dict.fromkeys(scopes))


def _client_credentials(errors, value):
    try:
        scopes = split_scopes(value.get("scopes"))
    except ValueError:
        errors.add("scopes", "Give the scopes as a list of names, or one string separated by commas or spaces.")
        scopes = []
    if any(UNSTORABLE.search(scope) for scope in scopes):
        errors.add("scopes", f"A scope {CANNOT_STORE}.")
        scopes = []
    elif len(scopes) > MAX_SCOPES:
        errors.add("scopes", f"Give at most {MAX_SCOPES} scopes.")
    payload = {
        "client_id": _text(errors, value, "client_id", max_length=1024),
        "client_secret": _text(errors, value, "client_secret"),
        "scopes": scopes,
    }
    return payload, {"scopes": scopes}


def _certificate(errors, value):
    certificate = _text(errors, value, "certificate")
    private_key = _text(errors, value, "private_key", required=False)
    if errors.by_field:
        return {}, {}
    try:
        info = parse_certificate(certificate, private_key or None)
    except InvalidInput as error:
        for name, messages in error.field_errors.items():
            for message in messages:
                errors.add(name, message)
        return {}, {}
    payload = {"certificate": certificate}
    if private_key:
        payload["private_key"] = private_key
    return payload, {**info.as_metadata(), "_not_after": info.not_after}


def _key_value(errors, value):
    pairs = value.get("pairs")
    if not isinstance(pairs, dict) or not pairs:
        errors.add("pairs", "Give at least one key and value.")
        return {}, {}
    if len(pairs) > MAX_PAIRS:
        errors.add("pairs", f"Give at most {MAX_PAIRS} pairs.")
        return {}, {}
    for key, item in pairs.items():
        if not key.strip() or len(key) > MAX_PAIR_KEY:
            errors.add("pairs", f"Keys must be non-empty and at most {MAX_PAIR_KEY} characters.")
        elif UNSTORABLE.search(key):
            # Not echoed: a NUL or a lone surrogate cannot be shown.
            errors.add("pairs", f"A key {CANNOT_STORE}.")
        elif not isinstance(item, str):
            errors.add("pairs", f"The value of “{key}” must be a string.")
        elif len(item) > MAX_TEXT:
            errors.add("pairs", f"The value of “{key}” is longer than {MAX_TEXT} characters.")
        elif UNSTORABLE.search(item):
            errors.add("pairs", f"The value of “{key}” {CANNOT_STORE}.")
    return {"pairs": dict(pairs)}, {"keys": sorted(pairs)}


VALIDATORS = {
    SecretType.API_KEY: (_api_key, {"header_name", "value"}),
    SecretType.BEARER_TOKEN: (_bearer_token, {"header_name", "header_value"}),
    SecretType.CLIENT_CREDENTIALS: (_client_credentials, {"client_id", "client_secret", "scopes"}),
    SecretType.CERTIFICATE: (_certificate, {"certificate", "private_key"}),
    SecretType.KEY_VALUE: (_key_value, {"pairs"}),
}


def clean_type(value):
    if value not in SecretType.values:
        message = f"Choose one of: {', '.join(SecretType.values)}."
        raise InvalidInput(f"type: {message}", field_errors={"type": [message]})
    return value


def clean_payload(secret_type, value):
    """Validate ``value`` for ``secret_type``; returns ``CleanPayload`` or raises ``InvalidInput``."""
    if not isinstance(value, dict):
        raise InvalidInput("value: give an object.", field_errors={"value": ["Give an object with the type's fields."]})
    validator, allowed = VALIDATORS[secret_type]
    errors = _Errors()
    if set(value) - allowed:
        # The unknown names are not echoed: a value pasted in the wrong place must not leak.
        errors.by_field["value"] = [f"Unknown field for a {secret_type} secret; the fields are: {', '.join(sorted(allowed))}."]
    payload, metadata = validator(errors, value)
    errors.raise_if_any()
    expires_at = metadata.pop("_not_after", None)
    return CleanPayload(payload=payload, metadata=metadata, expires_at=expires_at)


def parse_pairs_file(content, filename="", *, field_name="pairs_file"):
    """Key/value pairs from an uploaded ``.env`` or JSON file (bytes or text), errors on ``field_name``.

    The reading itself is ``cli.pairs``, shared with the CLI so a file means the same pairs both ways.
    """

    def invalid(message):
        return InvalidInput(f"{field_name}: {message}", field_errors={field_name: [message]})

    if isinstance(content, bytes) and len(content) > MAX_FILE_BYTES:
        raise invalid(f"The file is too large (at most {MAX_FILE_BYTES // 1024} KiB).")
    try:
        return parse_pairs(content, filename)
    except PairsFileError as error:
        raise invalid(str(error)) from error
