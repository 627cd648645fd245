"""Every list selector starts from the principal: it refuses one that may not read that kind of
object (``NotPermitted``, whichever face calls it), and reads only the principal's organization.

Service-level calls, no HTTP: the check lives in the selector, so no view can skip it. Each
principal holds one narrow custom role, as a person or as a service token. The platform's lists
(root credentials, the platform audit log) are for the platform only: 404 to anyone inside an
organization.
"""

from dataclasses import dataclass
from typing import Callable

import pytest
from django.db import transaction

from identity import selectors, services
from identity.errors import NotFound, NotPermitted
from identity.models import AuditEvent, Membership, Resource, ServiceCredential
from identity.principals import (
    SYSTEM_PRINCIPAL,
    principal_for_service_credential,
    principal_for_service_token,
    principal_for_user,
)
from identity.services.role_bindings import role_binding_create
from identity.services.root_credentials import root_credential_create
from tests.factories import (
    OrganizationFactory,
    SYSTEM_PRINCIPAL_ADMIN,
    UserFactory,
    make_credential,
    make_member,
    make_resource,
    make_service_token,
)

pytestmark = pytest.mark.django_db

SITE = "https://portcullis.example/"
UNRELATED = "secrets:read"  # a narrow role needs some permission; this one reads nothing of the directory


def _organizations_of_rows(rows):
    return {row.organization_id for row in rows}


def _organizations_of_paths(paths):
    return set(Resource.objects.filter(pk__in=[pk for pk, _, _ in paths]).values_list("organization_id", flat=True))


def _organizations_of_usernames(usernames):
    return set(Membership.objects.filter(user__username__in=usernames).values_list("organization_id", flat=True))


@dataclass(frozen=True)
class ListSelector:
    name: str
    permission: str
    read: Callable
    organizations_of: Callable = _organizations_of_rows

    def __str__(self):
        return self.name


LIST_SELECTORS = [
    ListSelector("member_list", "members:read", lambda p: selectors.member_list(principal=p)),
    ListSelector("invitation_list", "members:read", lambda p: selectors.invitation_list(principal=p)),
    ListSelector("role_list", "roles:read", lambda p: selectors.role_list(principal=p)),
    ListSelector("group_list", "groups:read", lambda p: selectors.group_list(principal=p)),
    ListSelector("resource_list", "resources:read", lambda p: selectors.resource_list(principal=p)),
    ListSelector("resource_kind_list", "resources:read", lambda p: selectors.resource_kind_list(principal=p)),
    ListSelector("service_token_list", "service_tokens:read", lambda p: selectors.service_token_list(principal=p)),
    ListSelector("audit_event_list", "audit_events:read", lambda p: selectors.audit_event_list(principal=p)),
    ListSelector(
        "service_credential_list", "service_credentials:read", lambda p: selectors.service_credential_list(principal=p)
    ),
    ListSelector("resource_paths", "resources:read", lambda p: selectors.resource_paths(principal=p), _organizations_of_paths),
    ListSelector(
        "member_usernames", "members:read", lambda p: selectors.member_usernames(principal=p), _organizations_of_usernames
    ),
]
AS_WHOM = ["person", "service_token"]


def fill(organization):
    """One of each directory object, made through the services (which write audit events)."""
    admin = SYSTEM_PRINCIPAL_ADMIN(organization)
    make_member(organization, username=f"{organization.slug}-person")
    services.member_add(organization=organization, actor=admin, username=UserFactory().username, role="member", site_url=SITE)
    services.group_create(organization=organization, actor=admin, name="team")
    make_resource(organization, "projects", "alpha")
    make_service_token(organization, name="ci")
    make_credential(organization, name="deployer")


@pytest.fixture(scope="module")
def two_organizations(django_db_setup, django_db_blocker):
    """Ours and theirs, each with one of every directory object: built once for the module (each
    test runs in its own transaction, rolled back after it), and rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        ours, theirs = OrganizationFactory(), OrganizationFactory()
        fill(ours)
        fill(theirs)
        yield ours
        transaction.set_rollback(True)


@pytest.fixture
def ours(two_organizations):
    return two_organizations


def holding(organization, *permissions, as_whom="person"):
    """A principal of ``organization`` whose only role holds ``permissions``."""
    role = services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization),
        name=f"holds-{'-'.join(p.replace(':', '-') for p in permissions)}", permissions=list(permissions),
    )
    if as_whom == "service_token":
        service_token, _ = make_service_token(organization, roles=(role.name,))
        return principal_for_service_token(service_token)
    return principal_for_user(make_member(organization, role=role.name), organization)


@pytest.mark.parametrize("as_whom", AS_WHOM)
@pytest.mark.parametrize("selector", LIST_SELECTORS, ids=str)
def test_a_principal_without_the_read_permission_is_refused(ours, selector, as_whom):
    principal = holding(ours, UNRELATED, as_whom=as_whom)
    with pytest.raises(NotPermitted) as refusal:
        selector.read(principal)
    assert refusal.value.status_code == 403


@pytest.mark.parametrize("as_whom", AS_WHOM)
@pytest.mark.parametrize("selector", LIST_SELECTORS, ids=str)
def test_a_principal_with_the_read_permission_reads_its_own_organization_only(ours, selector, as_whom):
    rows = selector.read(holding(ours, selector.permission, as_whom=as_whom))
    assert selector.organizations_of(rows) == {ours.pk}


@pytest.mark.parametrize("selector", LIST_SELECTORS, ids=str)
def test_the_write_permission_reads_too_so_an_edit_finds_its_object(ours, selector):
    kind = selector.permission.split(":")[0]
    rows = selector.read(holding(ours, f"{kind}:write"))
    assert selector.organizations_of(rows) == {ours.pk}


def test_groups_write_alone_picks_the_members_of_a_group_by_name(ours):
    usernames = selectors.member_usernames(principal=holding(ours, "groups:write"))
    assert f"{ours.slug}-person" in usernames
    assert _organizations_of_usernames(usernames) == {ours.pk}


def test_managing_credentials_alone_picks_the_resources_to_grant_them(ours):
    paths = selectors.resource_paths(principal=holding(ours, "service_credentials:write"))
    assert [label for _, label, _ in paths] == ["projects/alpha"]


def test_credentials_read_on_a_project_reads_only_the_credentials_granted_there(ours):
    alpha = Resource.objects.get(organization=ours, name="alpha")
    beta = make_resource(ours, "projects", "beta")
    admin = SYSTEM_PRINCIPAL_ADMIN(ours)
    for name, project in (("on-alpha", alpha), ("on-beta", beta)):
        credential, _ = make_credential(ours, name=name)
        services.service_credential_update(
            credential=credential, actor=admin, resource_grants=[{"resource": project.pk, "permissions": ["projects:read"]}]
        )
    services.role_create(organization=ours, actor=admin, name="credential-reader", permissions=["service_credentials:read"])
    person = make_member(ours, role="member")
    role_binding_create(
        organization=ours, actor=admin, subject_kind="user", subject_id=person.pk, role="credential-reader", resource=alpha.pk
    )
    rows = selectors.service_credential_list(principal=principal_for_user(person, ours))
    assert [credential.name for credential in rows] == ["on-alpha"]


# ---------------------------------------------------------------- the platform's own lists


def root_principal(*permissions):
    credential, _ = root_credential_create(actor=SYSTEM_PRINCIPAL, name=f"root-{len(permissions)}", permissions=list(permissions))
    return principal_for_service_credential(credential)


@pytest.mark.parametrize("platform_list", [selectors.root_service_credential_list, selectors.platform_audit_event_list])
def test_an_account_holder_does_not_learn_the_platform_lists_exist(ours, platform_list):
    holder = principal_for_user(make_member(ours, role="account_holder"), ours)
    with pytest.raises(NotFound):
        platform_list(principal=holder)


def test_a_root_credential_without_root_credentials_read_is_refused_the_root_credentials(ours):
    with pytest.raises(NotPermitted):
        selectors.root_service_credential_list(principal=root_principal("organizations:read"))


def test_a_root_credential_with_root_credentials_read_reads_only_root_credentials(ours):
    reader = root_principal("root_service_credentials:read")
    rows = list(selectors.root_service_credential_list(principal=reader))
    assert [credential.name for credential in rows] == ["root-1"]
    assert ServiceCredential.objects.filter(organization=ours).exists()


def test_a_root_credential_without_organizations_read_is_refused_the_platform_audit_log(ours):
    with pytest.raises(NotPermitted):
        selectors.platform_audit_event_list(principal=root_principal("root_service_credentials:read"))


def test_a_root_credential_with_organizations_read_reads_only_the_platform_audit_log(ours):
    events = selectors.platform_audit_event_list(principal=root_principal("organizations:read"))
    assert events.exists()
    assert _organizations_of_rows(events) == {None}
    assert AuditEvent.objects.filter(organization=ours).exists()
