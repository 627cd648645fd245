"""Top-level URLs: the portal, the REST API and its schema, OAuth2, health and the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from identity.oauth.views import authorization_server_metadata

urlpatterns = [
    path("", include("identity.urls")),
    path("orgs/<slug:org>/secrets/", include("secrets_vault.urls")),
    path("", include("identity.health_urls")),
    path("api/v1/", include("identity.api.urls")),
    path("api/v1/", include("identity.api.credential_urls")),
    path("api/v1/", include("secrets_vault.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("o/", include("identity.oauth.urls")),
    path(".well-known/oauth-authorization-server", authorization_server_metadata, name="oauth-metadata"),
    path("admin/", admin.site.urls),
]
