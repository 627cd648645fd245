"""The invitation link's token: generated once, sent in the e-mail, stored only as a keyed digest.

256 random bits cannot be guessed, so a keyed digest (Django's ``salted_hmac`` over the
``SECRET_KEY``) is enough to find the invitation by it without keeping anything that opens it: a
copy of the database holds no working link.
"""

import re
import secrets

from django.utils.crypto import salted_hmac

DIGEST_SALT = "portcullis.invitation"
# ``token_urlsafe(32)`` gives 43 characters of the URL-safe alphabet.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def generate():
    """A new token and the digest to store."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token):
    return salted_hmac(DIGEST_SALT, token, algorithm="sha256").hexdigest()


def has_valid_shape(token):
    return isinstance(token, str) and bool(TOKEN_SHAPE.match(token))
