"""The identity REST API (`/api/v1/`), every route in one place: who am I, organizations, the
directory, role bindings and access checks, service tokens, service credentials (organization and
root), the audit logs."""

from django.urls import path

from . import access_checks, directory, members, organizations, resource_kinds, role_bindings, service_tokens
from . import root_credentials as root
from . import service_credentials as credentials

app_name = "api"

org = "orgs/<slug:org>/"
credential = f"{org}service-credentials/<int:pk>/"

urlpatterns = [
    path("me/", directory.MeView.as_view(), name="me"),
    path("orgs/", organizations.OrganizationListView.as_view(), name="organization-list"),
    path(org, organizations.OrganizationDetailView.as_view(), name="organization-detail"),
    path("platform/audit-events/", organizations.PlatformAuditEventListView.as_view(), name="platform-audit-event-list"),
    path(f"{org}groups/", directory.GroupListView.as_view(), name="group-list"),
    path(f"{org}groups/<int:pk>/", directory.GroupDetailView.as_view(), name="group-detail"),
    path(f"{org}resources/", directory.ResourceListView.as_view(), name="resource-list"),
    path(f"{org}resources/<int:pk>/", directory.ResourceDetailView.as_view(), name="resource-detail"),
    path(f"{org}resource-kinds/", resource_kinds.ResourceKindListView.as_view(), name="resource-kind-list"),
    path(f"{org}resource-kinds/<int:pk>/", resource_kinds.ResourceKindDetailView.as_view(), name="resource-kind-detail"),
    path(f"{org}roles/", directory.RoleListView.as_view(), name="role-list"),
    path(f"{org}roles/<int:pk>/", directory.RoleDetailView.as_view(), name="role-detail"),
    path(f"{org}members/", members.MemberListView.as_view(), name="member-list"),
    path(f"{org}members/<int:pk>/", members.MemberDetailView.as_view(), name="member-detail"),
    path(f"{org}invitations/", members.InvitationListView.as_view(), name="invitation-list"),
    path(f"{org}invitations/<int:pk>/", members.InvitationDetailView.as_view(), name="invitation-detail"),
    path(f"{org}service-tokens/", service_tokens.ServiceTokenListView.as_view(), name="service-token-list"),
    path(f"{org}service-tokens/<int:pk>/", service_tokens.ServiceTokenDetailView.as_view(), name="service-token-detail"),
    path(f"{org}audit-events/", directory.AuditEventListView.as_view(), name="audit-event-list"),
    path(f"{org}role-bindings/", role_bindings.RoleBindingListView.as_view(), name="role-binding-list"),
    path(f"{org}role-bindings/<int:pk>/", role_bindings.RoleBindingDetailView.as_view(), name="role-binding-detail"),
    path("access-checks/", access_checks.AccessCheckView.as_view(), name="access-checks"),
    path(f"{org}service-credentials/", credentials.ServiceCredentialListView.as_view(), name="service-credential-list"),
    path(credential, credentials.ServiceCredentialDetailView.as_view(), name="service-credential-detail"),
    path(f"{credential}revoke/", credentials.ServiceCredentialRevokeView.as_view(), name="service-credential-revoke"),
    path(
        f"{credential}regenerate-secret/",
        credentials.ServiceCredentialRegenerateView.as_view(),
        name="service-credential-regenerate-secret",
    ),
    path(
        f"{credential}keys/<str:client_id>/retire/",
        credentials.ServiceCredentialRetireKeyView.as_view(),
        name="service-credential-retire-key",
    ),
    path(f"{credential}disable/", credentials.ServiceCredentialActionView.as_view(action="disable"), name="service-credential-disable"),
    path(f"{credential}enable/", credentials.ServiceCredentialActionView.as_view(action="enable"), name="service-credential-enable"),
    path("root/service-credentials/", root.RootServiceCredentialListView.as_view(), name="root-service-credential-list"),
    # By id or by client id: scripts keep the client id they were given, not our row id.
    path(
        "root/service-credentials/<str:reference>/",
        root.RootServiceCredentialDetailView.as_view(),
        name="root-service-credential-detail",
    ),
]
