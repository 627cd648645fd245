"""The vault's encryptor: AES-256-GCM under rotatable keys, each ciphertext tagged with a key id.

Keys come from ``settings.PORTCULLIS_ENCRYPTION_KEYS``: urlsafe base64 of 32 random bytes each.
The first key encrypts; every listed key decrypts what was written under its id. A key id is the
first 8 hex characters of the key's SHA-256, so it names the key without revealing it. With no
key configured, encrypting and decrypting both fail closed with ``VaultNotConfigured``.
"""

import base64
import binascii
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from identity.errors import DomainError

NONCE_BYTES = 12
KEY_BYTES = 32
NO_KEY_MESSAGE = "The vault has no encryption key configured (PORTCULLIS_ENCRYPTION_KEYS)."


class VaultNotConfigured(DomainError):
    """No usable key: a deployment fault, not the caller's, so 503 rather than 4xx."""

    status_code = 503


class DecryptionFailed(DomainError):
    """The ciphertext does not authenticate under its key and row: tampered or moved."""

    status_code = 500


def parse_key(text):
    """The 32 raw bytes of one configured key; ``ValueError`` says what is wrong with it."""
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("is not urlsafe base64") from error
    if len(raw) != KEY_BYTES:
        raise ValueError(f"decodes to {len(raw)} bytes, not {KEY_BYTES}")
    return raw


def key_id_of(raw_key):
    return hashlib.sha256(raw_key).hexdigest()[:8]


class Encryptor:
    """Encrypts with the first key; decrypts with whichever key the stored id names."""

    def __init__(self, raw_keys):
        self._ciphers = {}
        self.current_key_id = None
        for raw in raw_keys:
            key_id = key_id_of(raw)
            self._ciphers.setdefault(key_id, AESGCM(raw))
            self.current_key_id = self.current_key_id or key_id

    @property
    def key_ids(self):
        return tuple(self._ciphers)

    def encrypt(self, plaintext, associated_data):
        """Returns ``(key_id, nonce, ciphertext)``; a fresh random nonce every call."""
        if self.current_key_id is None:
            raise VaultNotConfigured(NO_KEY_MESSAGE)
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = self._ciphers[self.current_key_id].encrypt(nonce, plaintext, associated_data)
        return self.current_key_id, nonce, ciphertext

    def decrypt(self, key_id, nonce, ciphertext, associated_data):
        if self.current_key_id is None:
            raise VaultNotConfigured(NO_KEY_MESSAGE)
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise VaultNotConfigured(
                f"The secret was encrypted under key id {key_id}, which PORTCULLIS_ENCRYPTION_KEYS no longer "
                "lists. Add that key back (after the first one) and run manage.py rotate_encryption_key."
            )
        try:
            return cipher.decrypt(bytes(nonce), bytes(ciphertext), associated_data)
        except InvalidTag as error:
            raise DecryptionFailed(
                "The secret's ciphertext does not match its row: it was altered or moved, and cannot be read."
            ) from error


@lru_cache(maxsize=8)
def _encryptor_for(configured):
    raw_keys = []
    for position, text in enumerate(configured, start=1):
        try:
            raw_keys.append(parse_key(text))
        except ValueError as error:
            raise VaultNotConfigured(
                f"PORTCULLIS_ENCRYPTION_KEYS key #{position} {error}; each key must be urlsafe base64 of 32 random bytes."
            ) from error
    return Encryptor(raw_keys)


def get_encryptor():
    """The encryptor for the keys configured now (cached per key list, so overrides take effect)."""
    return _encryptor_for(tuple(settings.PORTCULLIS_ENCRYPTION_KEYS or ()))


def generate_key():
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()
