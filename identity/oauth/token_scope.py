"""What an access token's stored scope caps.

A token granted for an explicit ``scope`` keeps that cap for its life. A token granted without one
is stored with an empty scope: it follows the credential's role bindings as they change, so a role
widened or narrowed after the grant counts at the next request (``None``: no cap).
"""


def token_scopes(access_token):
    return access_token.scope.split() or None
