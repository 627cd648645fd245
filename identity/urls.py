"""The portal's URLs: signing in, then one set of pages per organization under /orgs/<org>/."""

from django.urls import path

from identity.views import (
    audit,
    auth,
    back_office,
    client_keys,
    federated_trusts,
    groups,
    invitations,
    members,
    one_time_pages,
    organizations,
    resource_kinds,
    resources,
    roles,
    service_credentials as credentials,
    service_tokens,
)

app_name = "portal"


def credential_page(suffix, view, name):
    return path(f"orgs/<slug:org>/service-credentials/{suffix}", view, name=f"service_credential_{name}")


urlpatterns = [
    path("", organizations.home, name="home"),
    path("login/", auth.PortalLoginView.as_view(), name="login"),
    path("logout/", auth.PortalLogoutView.as_view(), name="logout"),
    path("set-password/<uidb64>/<token>/", auth.SetPasswordView.as_view(), name="set_password"),
    path("orgs/<slug:org>/", organizations.OrganizationHomeView.as_view(), name="organization_home"),
    # Members
    path("orgs/<slug:org>/members/", members.MemberListView.as_view(), name="member_list"),
    path("orgs/<slug:org>/members/new/", members.MemberAddView.as_view(), name="member_add"),
    path("orgs/<slug:org>/members/<int:pk>/", members.MemberEditView.as_view(), name="member_edit"),
    path("orgs/<slug:org>/members/<int:pk>/remove/", members.MemberRemoveView.as_view(), name="member_remove"),
    path(
        "orgs/<slug:org>/invitations/<int:pk>/cancel/", members.InvitationCancelView.as_view(), name="invitation_cancel"
    ),
    path("invitations/<str:token>/", invitations.InvitationView.as_view(), name="invitation"),
    # Groups
    path("orgs/<slug:org>/groups/", groups.GroupListView.as_view(), name="group_list"),
    path("orgs/<slug:org>/groups/new/", groups.GroupCreateView.as_view(), name="group_create"),
    path("orgs/<slug:org>/groups/<int:pk>/", groups.GroupEditView.as_view(), name="group_edit"),
    path("orgs/<slug:org>/groups/<int:pk>/delete/", groups.GroupDeleteView.as_view(), name="group_delete"),
    # Resources
    path("orgs/<slug:org>/resources/", resources.ResourceListView.as_view(), name="resource_list"),
    path("orgs/<slug:org>/resources/new/", resources.ResourceCreateView.as_view(), name="resource_create"),
    path("orgs/<slug:org>/resources/<int:pk>/", resources.ResourceEditView.as_view(), name="resource_edit"),
    path("orgs/<slug:org>/resources/<int:pk>/delete/", resources.ResourceDeleteView.as_view(), name="resource_delete"),
    # Resource kinds
    path("orgs/<slug:org>/resource-kinds/", resource_kinds.ResourceKindListView.as_view(), name="resource_kind_list"),
    path("orgs/<slug:org>/resource-kinds/new/", resource_kinds.ResourceKindCreateView.as_view(), name="resource_kind_create"),
    path("orgs/<slug:org>/resource-kinds/<int:pk>/", resource_kinds.ResourceKindEditView.as_view(), name="resource_kind_edit"),
    path(
        "orgs/<slug:org>/resource-kinds/<int:pk>/delete/",
        resource_kinds.ResourceKindDeleteView.as_view(),
        name="resource_kind_delete",
    ),
    # Roles
    path("orgs/<slug:org>/roles/", roles.RoleListView.as_view(), name="role_list"),
    path("orgs/<slug:org>/roles/new/", roles.RoleCreateView.as_view(), name="role_create"),
    path("orgs/<slug:org>/roles/<int:pk>/", roles.RoleEditView.as_view(), name="role_edit"),
    path("orgs/<slug:org>/roles/<int:pk>/delete/", roles.RoleDeleteView.as_view(), name="role_delete"),
    # Service credentials
    path("orgs/<slug:org>/service-credentials/", credentials.ServiceCredentialListView.as_view(), name="service_credential_list"),
    credential_page("new/", credentials.ServiceCredentialCreateWizard.as_view(), "create"),
    credential_page("<int:pk>/", credentials.ServiceCredentialDetailView.as_view(), "detail"),
    credential_page("<int:pk>/access/", credentials.ServiceCredentialAccessView.as_view(), "access"),
    credential_page("<int:pk>/disable/", credentials.ServiceCredentialStatusView.as_view(action="disable"), "disable"),
    credential_page("<int:pk>/enable/", credentials.ServiceCredentialStatusView.as_view(action="enable"), "enable"),
    credential_page("<int:pk>/regenerate/", client_keys.ClientKeyRegenerateView.as_view(), "regenerate"),
    credential_page("<int:pk>/regenerate/new-keys/", client_keys.ClientKeyNewKeysView.as_view(), "new_keys"),
    credential_page("<int:pk>/keys/<str:client_id>/retire/", client_keys.ClientKeyRetireView.as_view(), "retire_key"),
    credential_page("<int:pk>/keys/", one_time_pages.ServiceCredentialKeysView.as_view(), "keys"),
    credential_page("<int:pk>/federated-trusts/", federated_trusts.FederatedTrustsView.as_view(), "federated_trusts"),
    credential_page(
        "<int:pk>/federated-trusts/<int:index>/remove/", federated_trusts.FederatedTrustRemoveView.as_view(), "federated_trust_remove"
    ),
    credential_page("<int:pk>/federated-trusts/test/", federated_trusts.FederatedTokenTestView.as_view(), "federated_token_test"),
    credential_page("<int:pk>/revoke/", credentials.ServiceCredentialRevokeView.as_view(), "revoke"),
    credential_page("<int:pk>/delete/", credentials.ServiceCredentialDeleteView.as_view(), "delete"),
    # Service tokens
    path("orgs/<slug:org>/service-tokens/", service_tokens.ServiceTokenListView.as_view(), name="service_token_list"),
    path("orgs/<slug:org>/service-tokens/new/", service_tokens.ServiceTokenCreateView.as_view(), name="service_token_create"),
    path(
        "orgs/<slug:org>/service-tokens/<int:pk>/delete/",
        service_tokens.ServiceTokenDeleteView.as_view(),
        name="service_token_delete",
    ),
    path(
        "orgs/<slug:org>/service-tokens/<int:pk>/created/",
        one_time_pages.ServiceTokenCreatedView.as_view(),
        name="service_token_created",
    ),
    # Audit log
    path("orgs/<slug:org>/audit/", audit.AuditLogView.as_view(), name="audit_log"),
    # Back office: the platform, for superusers
    path("back-office/", back_office.BackOfficeView.as_view(), name="back_office"),
    path(
        "back-office/organizations/new/",
        back_office.OrganizationCreateView.as_view(),
        name="back_office_organization_create",
    ),
    path("back-office/organizations/<slug:org>/", back_office.OrganizationView.as_view(), name="back_office_organization"),
    path(
        "back-office/organizations/<slug:org>/delete/",
        back_office.OrganizationDeleteView.as_view(),
        name="back_office_organization_delete",
    ),
    path(
        "back-office/root-credentials/new/",
        back_office.RootCredentialCreateView.as_view(),
        name="back_office_root_credential_create",
    ),
    path(
        "back-office/root-credentials/<int:pk>/keys/",
        back_office.RootCredentialKeysView.as_view(),
        name="back_office_root_credential_keys",
    ),
    path(
        "back-office/root-credentials/<int:pk>/delete/",
        back_office.RootCredentialDeleteView.as_view(),
        name="back_office_root_credential_delete",
    ),
]
