"""django-oauth-toolkit's bridge to oauthlib, handing it every copy of a repeated parameter.

django-oauth-toolkit keeps only the last copy of a repeated form parameter, so oauthlib's
``duplicate_params`` never sees a second ``client_assertion``, ``client_id`` or ``grant_type``,
and a request carrying two of them would be judged on one. Passing them all on keeps oauthlib's
"last wins" for the value and lets the validator (and oauthlib's own grant checks) refuse the
request as ``invalid_request``. Installed through ``OAUTH2_PROVIDER["OAUTH2_BACKEND_CLASS"]``.
"""

from oauth2_provider.oauth2_backends import OAuthLibCore


class RepeatedParametersOAuthLibCore(OAuthLibCore):
    def extract_body(self, request):
        return [(key, value) for key, values in request.POST.lists() for value in values]
