"""Delegated administration of service credentials in the portal: a project admin, whose role is
bound on one project only, sees the credentials granted there and edits their grants there, and
nowhere else; the list shows each credential's roles and groups in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identity import services
from identity.services.role_bindings import role_binding_create
from identity.models import AuditEvent, Resource, RoleBinding, ServiceCredential
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_member

pytestmark = pytest.mark.django_db


def admin(organization):
    return SYSTEM_PRINCIPAL_ADMIN(organization)


def make_role(organization, name, permissions, product=None):
    return services.role_create(
        organization=organization, actor=admin(organization), name=name, permissions=permissions, product=product
    )


def bind(organization, subject_kind, subject_id, role, resource):
    return role_binding_create(
        organization=organization, actor=admin(organization), subject_kind=subject_kind, subject_id=subject_id,
        role=role, resource=resource.pk,
    )


@pytest.fixture
def tree(organization):
    company = Resource.objects.create(organization=organization, kind="companies", name="acme")
    alpha = Resource.objects.create(organization=organization, kind="projects", name="alpha", parent=company)
    beta = Resource.objects.create(organization=organization, kind="projects", name="beta", parent=company)
    prod = Resource.objects.create(organization=organization, kind="environments", name="alpha-prod", parent=alpha)
    return {"company": company, "alpha": alpha, "beta": beta, "prod": prod}


@pytest.fixture
def roles(organization):
    make_role(organization, "project-admin", [
        "service_credentials:read", "service_credentials:write", "projects:read", "projects:write",
    ])
    make_role(organization, "viewer", ["projects:read"])
    make_role(organization, "secret-reader", ["secrets:read"])


@pytest.fixture
def project_admin(client, organization, tree, roles):
    """Logged in: a member whose only credential rights are the project-admin role bound on projects/alpha."""
    person = make_member(organization, role="member", username="padmin")
    bind(organization, "user", person.pk, "project-admin", tree["alpha"])
    client.force_login(person)
    return client


@pytest.fixture
def deployer(organization, tree, roles):
    """A credential with a viewer grant on alpha (the admin's project) and on beta (a sibling), in a group."""
    group = services.group_create(organization=organization, actor=admin(organization), name="shippers", roles=[])
    credential, _ = make_credential(organization, name="deployer", groups=[group.pk])
    services.service_credential_update(
        credential=credential, actor=admin(organization),
        resource_grants=[{"resource": tree["alpha"].pk, "role": "viewer"}, {"resource": tree["beta"].pk, "role": "viewer"}],
    )
    return credential


def bindings_of(credential):
    return sorted(
        (b.resource.name, b.role.name if b.role_id else None, tuple(b.permissions))
        for b in RoleBinding.objects.filter(service_credential=credential).select_related("resource", "role")
    )


def access_url(organization, credential):
    return f"/orgs/{organization.slug}/service-credentials/{credential.pk}/access/"


# ---------------------------------------------------------------- seeing credentials


def test_a_project_admin_sees_only_the_credentials_granted_on_their_project(project_admin, organization, tree, deployer):
    elsewhere, _ = make_credential(organization, name="elsewhere")
    services.service_credential_update(
        credential=elsewhere, actor=admin(organization), resource_grants=[{"resource": tree["beta"].pk, "role": "viewer"}],
    )
    below, _ = make_credential(organization, name="below")
    services.service_credential_update(
        credential=below, actor=admin(organization), resource_grants=[{"resource": tree["prod"].pk, "role": "viewer"}],
    )
    base = f"/orgs/{organization.slug}/service-credentials/"
    listing = project_admin.get(base)
    assert listing.status_code == 200
    assert [c.name for c in listing.context["page"].object_list] == ["below", "deployer"]
    assert "Create Service Credential" not in listing.content.decode()
    detail = project_admin.get(f"{base}{deployer.pk}/").content.decode()
    assert "Edit groups and resources" in detail and "Regenerate Client Keys" not in detail
    assert project_admin.get(f"{base}{elsewhere.pk}/").status_code == 404
    assert project_admin.get(f"{base}{elsewhere.pk}/access/").status_code == 404


def test_a_project_admin_with_no_credential_on_their_project_gets_a_clear_empty_list(project_admin, organization, tree):
    make_credential(organization, name="unrelated")
    page = project_admin.get(f"/orgs/{organization.slug}/service-credentials/")
    assert page.status_code == 200 and not page.context["page"].object_list
    assert "No service credential has a grant on the resources you manage yet." in page.content.decode()


def test_someone_without_service_credentials_read_anywhere_is_refused(client, organization, tree, deployer):
    client.force_login(make_member(organization, role="member", username="plain"))
    base = f"/orgs/{organization.slug}/service-credentials/"
    for url in (base, f"{base}{deployer.pk}/", f"{base}{deployer.pk}/access/"):
        assert client.get(url).status_code == 403


def test_a_resource_reader_without_write_cannot_open_the_edit_page(client, organization, tree, deployer):
    make_role(organization, "credential-viewer", ["service_credentials:read"])
    person = make_member(organization, role="member", username="viewer")
    bind(organization, "user", person.pk, "credential-viewer", tree["alpha"])
    client.force_login(person)
    base = f"/orgs/{organization.slug}/service-credentials/{deployer.pk}/"
    assert "Edit groups and resources" not in client.get(base).content.decode()
    assert client.get(f"{base}access/").status_code == 403


# ---------------------------------------------------------------- editing on their project only


def test_the_edit_page_shows_their_projects_grants_as_rows_and_the_others_read_only(project_admin, organization, deployer):
    response = project_admin.get(access_url(organization, deployer))
    form = response.context["form"]
    assert form["grant_0_resource"].value() == "projects/alpha" and form["grant_0_role"].value() == "viewer"
    assert form["grant_1_resource"].value() in (None, "")
    assert form.fields["groups"].disabled
    assert [path for path, _, _ in response.context["kept_grants"]] == ["companies/acme › projects/beta"]
    assert [label for _, label, _ in response.context["resource_paths"]] == ["projects/alpha", "environments/alpha-prod"]
    page = response.content.decode()
    assert "Grants elsewhere" in page and '<option value="projects/beta"' not in page


def test_a_project_admin_edits_a_credentials_grants_on_their_project(project_admin, organization, tree, deployer):
    before = RoleBinding.objects.get(service_credential=deployer, resource=tree["beta"])
    other_group = services.group_create(organization=organization, actor=admin(organization), name="others", roles=[])
    response = project_admin.post(access_url(organization, deployer), {
        "grant_0_resource": "environments/alpha-prod", "grant_0_role": "viewer", "groups": [other_group.pk],
    })
    assert response.status_code == 302, response.context["form"].errors
    assert bindings_of(deployer) == [("alpha-prod", "viewer", ()), ("beta", "viewer", ())]
    assert RoleBinding.objects.get(service_credential=deployer, resource=tree["beta"]).pk == before.pk
    assert [g.name for g in ServiceCredential.objects.get(pk=deployer.pk).groups.all()] == ["shippers"]
    event = AuditEvent.objects.filter(action="service_credential.update").latest("id")
    assert event.actor_name == "padmin"


@pytest.mark.parametrize(
    "row, field, message",
    [
        ({"grant_1_resource": "projects/beta", "grant_1_role": "viewer"}, "grant_1_resource",
         "You cannot change grants on projects/beta"),
        ({"grant_1_resource": "environments/alpha-prod", "grant_1_permissions": ["environments:write"]}, "grant_1_permissions",
         "You cannot give environments:write on environments/alpha-prod"),
        ({"grant_1_resource": "environments/alpha-prod", "grant_1_role": "secret-reader"}, "grant_1_role",
         "You cannot give secrets:read on environments/alpha-prod"),
    ],
)
def test_a_project_admin_is_refused_outside_their_project_or_beyond_what_they_hold(
    project_admin, organization, deployer, row, field, message
):
    before = bindings_of(deployer)
    response = project_admin.post(access_url(organization, deployer), {
        "grant_0_resource": "projects/alpha", "grant_0_role": "viewer", **row,
    })
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert bindings_of(deployer) == before
    assert not AuditEvent.objects.filter(action="service_credential.update", actor_name="padmin").exists()


def test_an_unchanged_grant_the_admin_could_not_give_is_kept(project_admin, organization, tree, deployer):
    services.service_credential_update(
        credential=deployer, actor=admin(organization),
        resource_grants=[{"resource": tree["alpha"].pk, "role": "secret-reader"}, {"resource": tree["beta"].pk, "role": "viewer"}],
    )
    response = project_admin.post(access_url(organization, deployer), {
        "grant_0_resource": "projects/alpha", "grant_0_role": "secret-reader",
        "grant_1_resource": "environments/alpha-prod", "grant_1_role": "viewer",
    })
    assert response.status_code == 302, response.context["form"].errors
    assert bindings_of(deployer) == [("alpha", "secret-reader", ()), ("alpha-prod", "viewer", ()), ("beta", "viewer", ())]


def test_an_organization_wide_admin_still_edits_every_grant_and_the_groups(client, organization, tree, deployer):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    response = client.post(access_url(organization, deployer), {"grant_0_resource": "projects/beta", "grant_0_role": "viewer"})
    assert response.status_code == 302
    assert bindings_of(deployer) == [("beta", "viewer", ())]
    assert not ServiceCredential.objects.get(pk=deployer.pk).groups.exists()


# ---------------------------------------------------------------- pickers


def test_a_product_bound_credentials_role_select_lists_only_the_products_roles(client, organization, roles):
    shop = Resource.objects.create(organization=organization, kind="products", name="shop")
    make_role(organization, "shop-operator", ["products:read"], product=shop)
    credential, _ = make_credential(organization, name="shop-bot", bound_resource=shop)
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    form = client.get(access_url(organization, credential)).context["form"]
    assert [value for value, _ in form.fields["grant_0_role"].choices] == ["", "shop-operator"]
    refused = client.post(access_url(organization, credential), {"grant_0_resource": "products/shop", "grant_0_role": "viewer"})
    assert refused.status_code == 400 and "grant_0_role" in refused.context["form"].errors


def test_permissions_are_offered_by_the_resources_kind(client, organization, tree, deployer):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    form = client.get(access_url(organization, deployer)).context["form"]
    assert form.fields["grant_0_permissions"].choices[0][0] == "companies"
    assert dict(form.fields["grant_0_permissions"].choices)["projects"] == [
        ("projects:read", "projects:read"), ("projects:write", "projects:write")
    ]
    refused = client.post(access_url(organization, deployer), {
        "grant_0_resource": "projects/alpha", "grant_0_permissions": ["environments:read"],
    })
    assert "“environments:read” is not an action of projects" in refused.context["form"].errors["grant_0_permissions"][0]


# ---------------------------------------------------------------- the list's roles and groups


def test_the_list_shows_each_credentials_roles_with_their_resource_and_its_groups(client, organization, tree, deployer):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    page = client.get(f"/orgs/{organization.slug}/service-credentials/").content.decode()
    for text in ('<span class="badge">viewer</span> <span class="muted">on projects/alpha</span>',
                 '<span class="muted">on projects/beta</span>', '<span class="badge">shippers</span>',
                 '<th scope="col">Roles</th>', '<th scope="col">Groups</th>'):
        assert text in page, text


def test_the_list_reads_roles_and_groups_in_a_constant_number_of_queries(client, organization, tree, roles):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    group = services.group_create(organization=organization, actor=admin(organization), name="g", roles=[])
    url = f"/orgs/{organization.slug}/service-credentials/"

    def add(n, start):
        for i in range(start, start + n):
            credential, _ = make_credential(organization, name=f"c{i}", groups=[group.pk])
            services.service_credential_update(
                credential=credential, actor=admin(organization),
                resource_grants=[{"resource": tree["alpha"].pk, "role": "viewer"}, {"resource": tree["beta"].pk, "role": "viewer"}],
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(2, 0)
    few = count()
    add(8, 2)
    assert count() == few
