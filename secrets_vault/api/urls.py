"""API routes for the secrets vault (included at `/api/v1/`)."""

from django.urls import path

from . import views

base = "orgs/<slug:org>/secrets/"

urlpatterns = [
    path(base, views.SecretListView.as_view(), name="secret-list"),
    path(f"{base}<uuid:pk>/", views.SecretDetailView.as_view(), name="secret-detail"),
    path(f"{base}<uuid:pk>/value/", views.SecretValueView.as_view(), name="secret-value"),
    path(f"{base}<uuid:pk>/deactivate/", views.SecretStatusView.as_view(operation="deactivate"), name="secret-deactivate"),
    path(f"{base}<uuid:pk>/activate/", views.SecretStatusView.as_view(operation="activate"), name="secret-activate"),
    path(f"{base}<uuid:pk>/usages/", views.SecretUsageListView.as_view(), name="secret-usages"),
]
