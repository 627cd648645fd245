"""The API docs (Swagger UI and ReDoc), served from the project's own static files.

drf-spectacular-sidecar ships both bundles, so the pages work offline. ReDoc's bundle still asks
cdn.redoc.ly for its logo; the Content-Security-Policy below keeps every page load on this host,
so the browser never sends that request.
"""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

# Inline scripts and styles: both pages start their bundle from a small inline script.
SAME_HOST_ONLY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)


class SameHostOnly:
    @extend_schema(exclude=True)  # a page about the API, not part of it (as the views it wraps)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = SAME_HOST_ONLY
        return response


class SwaggerDocsView(SameHostOnly, SpectacularSwaggerView):
    pass


class RedocDocsView(SameHostOnly, SpectacularRedocView):
    template_name = "api_docs/redoc.html"
