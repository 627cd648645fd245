"""The service token primitive: generate, recognise and check API keys.

A token reads ``pct_<key id><secret><checksum>``: a public prefix so leak scanners recognise it,
a 10-character key id to find its row, 256 bits of secret and a CRC32 checksum that rejects typos
before any database work. Only a keyed SHA-256 digest is stored: a 256-bit random secret cannot be
guessed, so a fast keyed digest is as safe as a slow password hash and keeps each request cheap.
"""

import hashlib
import hmac
import secrets
import zlib

from django.conf import settings
from django.utils.crypto import salted_hmac

PREFIX = "pct_"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KEY_ID_LENGTH = 10
SECRET_LENGTH = 43  # 62**43 > 2**256
CHECKSUM_LENGTH = 6
TOKEN_LENGTH = len(PREFIX) + KEY_ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH
# Tokens given by operators (the bootstrap token) need not have our shape, only enough entropy.
MIN_FOREIGN_TOKEN_LENGTH = 32
MAX_TOKEN_LENGTH = 512
DIGEST_SALT = b"portcullis.service-token"
# Compared against when a key id is unknown, so that it costs what a wrong secret costs.
UNKNOWN_TOKEN_DIGEST = "0" * 64


def _base62(number, width):
    chars = []
    while number:
        number, rest = divmod(number, 62)
        chars.append(ALPHABET[rest])
    return "".join(reversed(chars)).rjust(width, "0")[-width:]


def _checksum(body):
    return _base62(zlib.crc32(body.encode()), CHECKSUM_LENGTH)


def generate():
    """A new token and its key id."""
    key_id = "".join(secrets.choice(ALPHABET) for _ in range(KEY_ID_LENGTH))
    secret = _base62(secrets.randbits(256), SECRET_LENGTH)
    body = PREFIX + key_id + secret
    return body + _checksum(body), key_id


def has_valid_shape(token):
    """True for a well-formed Portcullis token whose checksum matches."""
    if len(token) != TOKEN_LENGTH or not token.startswith(PREFIX):
        return False
    body, checksum = token[:-CHECKSUM_LENGTH], token[-CHECKSUM_LENGTH:]
    return hmac.compare_digest(_checksum(body), checksum)


def key_id_of(token):
    """The key id that finds the token's row, or None when the token cannot be one of ours."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    if token.startswith(PREFIX):
        return token[len(PREFIX) : len(PREFIX) + KEY_ID_LENGTH] if has_valid_shape(token) else None
    if len(token) < MIN_FOREIGN_TOKEN_LENGTH:
        return None
    return "ext" + hashlib.sha256(token.encode()).hexdigest()[:29]


def _digest_with(key, token):
    return salted_hmac(DIGEST_SALT, token, secret=key, algorithm="sha256").hexdigest()


def digest(token):
    return _digest_with(settings.SECRET_KEY, token)


def matches(token, stored_digest):
    """Constant-time check, also against DJANGO_SECRET_KEY_FALLBACKS so key rotation keeps tokens."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_digest_with(key, token), stored_digest) for key in keys)
