"""In a real browser: a project admin opens a credential and edits its grants on their project only."""

import pytest
from playwright.sync_api import expect

from identity import services
from identity.models import Resource, RoleBinding
from identity.services.role_bindings import role_binding_create
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting(organization):
    admin = SYSTEM_PRINCIPAL_ADMIN(organization)
    company = Resource.objects.create(organization=organization, kind="companies", name="acme")
    alpha = Resource.objects.create(organization=organization, kind="projects", name="alpha", parent=company)
    beta = Resource.objects.create(organization=organization, kind="projects", name="beta", parent=company)
    Resource.objects.create(organization=organization, kind="environments", name="alpha-prod", parent=alpha)
    services.role_create(organization=organization, actor=admin, name="project-admin", permissions=[
        "service_credentials:read", "service_credentials:write", "projects:read", "projects:write",
    ])
    services.role_create(organization=organization, actor=admin, name="viewer", permissions=["projects:read"])
    person = make_member(organization, role="member", username="padmin")
    role_binding_create(
        organization=organization, actor=admin, subject_kind="user", subject_id=person.pk, role="project-admin", resource=alpha.pk
    )
    credential, _ = make_credential(organization, name="deployer")
    services.service_credential_update(
        credential=credential, actor=admin,
        resource_grants=[{"resource": alpha.pk, "role": "viewer"}, {"resource": beta.pk, "role": "viewer"}],
    )
    return person, credential


def test_a_project_admin_edits_a_credentials_grants_on_their_project(live_server, log_in, organization, setting):
    person, credential = setting
    page = log_in(person)
    page.goto(f"{live_server.url}/orgs/{organization.slug}/service-credentials/")
    page.get_by_role("link", name="deployer").click()
    expect(page.get_by_role("heading", name="Resources")).to_be_visible()
    page.get_by_role("link", name="Edit groups and resources").click()

    expect(page.get_by_label("Resource 1", exact=True)).to_have_value("projects/alpha")
    expect(page.get_by_role("heading", name="Grants elsewhere")).to_be_visible()
    expect(page.locator(".kept-grants")).to_contain_text("projects/beta")

    # Replace the grant on the project by one on its environment; the permissions offered follow its kind.
    page.get_by_label("Resource 1", exact=True).fill("environments/alpha-prod")
    expect(page.locator("#id_grant_0_permissions optgroup[label=projects]")).to_be_hidden()
    page.get_by_label("Role 1", exact=True).select_option("viewer")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Groups and resources of “deployer” saved.")).to_be_visible()
    grants = page.locator("section[aria-labelledby=grants-title] table")
    expect(grants).to_contain_text("environments/alpha-prod")
    expect(grants).to_contain_text("projects/beta")
    expect(grants.locator("tbody tr")).to_have_count(2)
    assert sorted(
        (b.resource.name, b.role.name) for b in RoleBinding.objects.filter(service_credential=credential).select_related("resource", "role")
    ) == [("alpha-prod", "viewer"), ("beta", "viewer")]
