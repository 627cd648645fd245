"""Material shown once (a new client key, a new service token), carried from the POST that made it
to the one GET page that shows it.

Post/redirect/get needs the plaintext to survive one redirect. It waits in the session, sealed with
Fernet under a key derived from ``SECRET_KEY``: the session table (a database row) holds only
ciphertext, and nothing is logged. The page takes it out on its first GET, so a reload or Back
finds nothing and says the material was shown once; sealed material nobody came for expires after
``MAX_AGE_SECONDS`` and is dropped the next time something is sealed.
"""

import base64
import json
import time

from cryptography.fernet import Fernet, InvalidToken
from django.utils.crypto import salted_hmac

SESSION_KEY = "portcullis_shown_once"
# Long enough for a slow redirect on a bad network; a key nobody came for is not kept around.
MAX_AGE_SECONDS = 600


def _fernet():
    # Derived rather than configured: SECRET_KEY already comes from the environment, never the database.
    digest = salted_hmac("portcullis.one_time", "session-sealing", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(request, name, material):
    """Keep ``material`` (a JSON-serialisable dict) for the page called ``name``, replacing any before."""
    fernet, now = _fernet(), int(time.time())
    sealed = {}
    for other, token in request.session.get(SESSION_KEY, {}).items():
        try:
            fresh = now - fernet.extract_timestamp(token.encode()) < MAX_AGE_SECONDS
        except InvalidToken:
            fresh = False
        if fresh and other != name:
            sealed[other] = token
    sealed[name] = fernet.encrypt(json.dumps(material).encode()).decode()
    request.session[SESSION_KEY] = sealed


def take(request, name):
    """The material sealed for ``name``, removed from the session; None once taken, expired or never sealed."""
    sealed = dict(request.session.get(SESSION_KEY, {}))
    token = sealed.pop(name, None)
    if token is None:
        return None
    if sealed:
        request.session[SESSION_KEY] = sealed
    else:
        del request.session[SESSION_KEY]
    try:
        return json.loads(_fernet().decrypt(token.encode(), ttl=MAX_AGE_SECONDS))
    except InvalidToken:
        return None
