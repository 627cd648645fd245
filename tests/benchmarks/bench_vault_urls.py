"""The project's URLs plus `/bench/noop/<org>/`: the same authentication and principal lookup as
the secrets endpoints, and nothing else, as the baseline for `value/` reads."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns
from identity.api.principal import principal_for_request


class NoOpView(APIView):
    def get(self, request, org):
        principal_for_request(request, org)
        return Response({"ok": True})


urlpatterns = [path("bench/noop/<slug:org>/", NoOpView.as_view()), *project_urlpatterns]
