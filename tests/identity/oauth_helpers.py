"""Small helpers for talking to the token endpoint in tests."""

import base64


def basic(client_id, secret):
    """An HTTP Basic `Authorization` value (client_secret_basic)."""
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
