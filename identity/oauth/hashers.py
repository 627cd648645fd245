"""A fast keyed digest for client keys.

Client keys carry 256 bits of entropy, so nobody can guess one however fast the check is; a keyed
HMAC-SHA256 is as safe for them as Argon2 and costs microseconds instead of tens of milliseconds
and ~100 MB per check. Argon2 stays the hasher for people's passwords. django-oauth-toolkit uses
this one through ``CLIENT_SECRET_HASHER``; Django finds it through ``PASSWORD_HASHERS``.
"""

import hmac

from django.conf import settings
from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import get_random_string, salted_hmac

KEY_SALT = b"portcullis.client-secret"


class ClientSecretHasher(BasePasswordHasher):
    algorithm = "portcullis_hmac_sha256"

    def salt(self):
        return get_random_string(16)

    def _digest(self, password, salt, secret_key):
        return salted_hmac(KEY_SALT, f"{salt}${password}", secret=secret_key, algorithm="sha256").hexdigest()

    def encode(self, password, salt):
        self._check_encode_args(password, salt)
        return f"{self.algorithm}${salt}${self._digest(password, salt, settings.SECRET_KEY)}"

    def decode(self, encoded):
        algorithm, salt, digest = encoded.split("$", 2)
        if algorithm != self.algorithm:
            raise ValueError("Not a client secret digest.")
        return {"algorithm": algorithm, "salt": salt, "hash": digest}

    def verify(self, password, encoded):
        try:
            decoded = self.decode(encoded)
        except ValueError:
            return False
        keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        return any(
            hmac.compare_digest(self._digest(password, decoded["salt"], key), decoded["hash"]) for key in keys
        )

    def safe_summary(self, encoded):
        decoded = self.decode(encoded)
        return {"algorithm": decoded["algorithm"], "salt": mask_hash(decoded["salt"]), "hash": mask_hash(decoded["hash"])}

    def must_update(self, encoded):
        return False

    def harden_runtime(self, password, encoded):
        pass
