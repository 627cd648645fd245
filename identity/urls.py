"""The portal's URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from identity.views import audit, auth, service_tokens

app_name = "portal"

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/<slug:org>/", auth.OrganizationHomeView.as_view(), name="organization_home"),
    path("orgs/<slug:org>/service-tokens/", service_tokens.ServiceTokenListView.as_view(), name="service_token_list"),
    path("orgs/<slug:org>/service-tokens/new/", service_tokens.ServiceTokenCreateView.as_view(), name="service_token_create"),
    path(
        "orgs/<slug:org>/service-tokens/<int:pk>/delete/",
        service_tokens.ServiceTokenDeleteView.as_view(),
        name="service_token_delete",
    ),
    path("orgs/<slug:org>/audit/", audit.AuditLogView.as_view(), name="audit_log"),
]
