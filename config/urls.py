"""Top-level URLs: the portal, the REST API and its schema, OAuth2, health and the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from identity.api import seed_aliases
from identity.api_docs import RedocDocsView, SwaggerDocsView
from identity.oauth.views import TokenView, authorization_server_metadata

# Machine-facing routes first: URL resolution tries patterns in order, and the API, the token
# endpoint and the probes are the busiest paths, so they should not walk the portal's first.
urlpatterns = [
    path("", include("identity.health_urls")),
    path("api/v1/", include("identity.api.urls")),
    path("api/v1/", include("secrets_vault.api.urls")),
    # Mia-Platform's documented paths, for pipelines written against it (no trailing slash, as there).
    path("api/m2m/oauth/token", TokenView.as_view(), name="seed-oauth-token"),
    path("api/service-accounts", seed_aliases.ServiceAccountListView.as_view(), name="seed-service-accounts"),
    path(
        "api/service-accounts/<str:client_id>",
        seed_aliases.ServiceAccountDetailView.as_view(),
        name="seed-service-account",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", RedocDocsView.as_view(url_name="api-schema"), name="api-redoc"),
    path("o/", include("identity.oauth.urls")),
    path(".well-known/oauth-authorization-server", authorization_server_metadata, name="oauth-metadata"),
    path("admin/", admin.site.urls),
    path("", include("identity.urls")),
    path("orgs/<slug:org>/secrets/", include("secrets_vault.urls")),
]
