"""`GET /metrics`: the Prometheus exposition, behind a bearer token when the operator sets one."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from identity.metrics import exposition

CHALLENGE = 'Bearer realm="portcullis-metrics"'


def _presented_token(request):
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _unauthorized():
    response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
    response["WWW-Authenticate"] = CHALLENGE
    return response


@never_cache
@require_GET
def metrics(request):
    """Without PORTCULLIS_METRICS_TOKEN the endpoint is open: serve it on an internal network only."""
    expected = settings.PORTCULLIS_METRICS_TOKEN
    if expected and not constant_time_compare(_presented_token(request), expected):
        return _unauthorized()
    body, content_type = exposition(request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)
