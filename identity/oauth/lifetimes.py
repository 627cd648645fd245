"""Access-token lifetime: the credential's own, never past the credential's expiry.

Given to oauthlib as ``token_expires_in`` through ``OAUTH2_PROVIDER["EXTRA_SERVER_KWARGS"]``.
"""

DEFAULT_LIFETIME_SECONDS = 3600


def access_token_lifetime(request):
    credential = getattr(getattr(request, "client", None), "service_credential", None)
    if credential is None:
        return DEFAULT_LIFETIME_SECONDS
    lifetime = credential.token_lifetime_seconds
    left = credential.seconds_left()
    return lifetime if left is None else max(1, min(lifetime, left))
