"""The portal's URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from identity.views import audit, auth, directory, service_tokens

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
    path("orgs/<slug:org>/members/", directory.MemberListView.as_view(), name="member_list"),
    path("orgs/<slug:org>/members/<int:pk>/", directory.MemberEditView.as_view(), name="member_edit"),
    path("orgs/<slug:org>/groups/", directory.GroupListView.as_view(), name="group_list"),
    path("orgs/<slug:org>/groups/<int:pk>/", directory.GroupEditView.as_view(), name="group_edit"),
    path("orgs/<slug:org>/resources/", directory.ResourceListView.as_view(), name="resource_list"),
    path("orgs/<slug:org>/resources/<int:pk>/", directory.ResourceEditView.as_view(), name="resource_edit"),
    path("orgs/<slug:org>/roles/", directory.RoleListView.as_view(), name="role_list"),
    path("orgs/<slug:org>/roles/<int:pk>/", directory.RoleEditView.as_view(), name="role_edit"),
]
