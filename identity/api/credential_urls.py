"""API routes for service credentials (included at `/api/v1/`)."""

from django.urls import path

from . import root_credentials as root
from . import service_credentials as views

base = "orgs/<slug:org>/service-credentials/"

urlpatterns = [
    path(base, views.ServiceCredentialListView.as_view(), name="service-credential-list"),
    path(f"{base}<int:pk>/", views.ServiceCredentialDetailView.as_view(), name="service-credential-detail"),
    path(f"{base}<int:pk>/revoke/", views.ServiceCredentialRevokeView.as_view(), name="service-credential-revoke"),
    path(
        f"{base}<int:pk>/regenerate-secret/",
        views.ServiceCredentialRegenerateView.as_view(),
        name="service-credential-regenerate-secret",
    ),
    path(
        f"{base}<int:pk>/keys/<str:client_id>/retire/",
        views.ServiceCredentialRetireKeyView.as_view(),
        name="service-credential-retire-key",
    ),
    path(f"{base}<int:pk>/disable/", views.ServiceCredentialActionView.as_view(action="disable"), name="service-credential-disable"),
    path(f"{base}<int:pk>/enable/", views.ServiceCredentialActionView.as_view(action="enable"), name="service-credential-enable"),
    path("root/service-credentials/", root.RootServiceCredentialListView.as_view(), name="root-service-credential-list"),
    # By id or by client id: scripts keep the client id they were given, not our row id.
    path(
        "root/service-credentials/<str:reference>/",
        root.RootServiceCredentialDetailView.as_view(),
        name="root-service-credential-detail",
    ),
]
