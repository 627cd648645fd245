"""Every organization page runs the same matrix: anonymous → log in, other organization → 404,
member without the permission → 403, permitted → 200; and buttons follow the permission."""

import pytest

from identity import services
from identity.models import Role
from identity.principals import SYSTEM_PRINCIPAL
from tests.factories import make_member, make_service_token

pytestmark = pytest.mark.django_db

READ_PAGES = ["members/", "groups/", "resources/", "roles/", "service-tokens/", "audit/"]
WRITE_PAGES = ["members/new/", "groups/new/", "resources/new/", "roles/new/", "service-tokens/new/"]


def _object_pages(organization):
    """Edit and delete pages of one object of each kind in ``organization``."""
    membership = make_member(organization).memberships.get()
    group = services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="ops")
    resource = services.resource_create(organization=organization, actor=SYSTEM_PRINCIPAL, kind="projects", name="web")
    role = services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="custom", permissions=["groups:read"])
    token, _ = make_service_token(organization)
    return [
        f"members/{membership.pk}/", f"members/{membership.pk}/remove/",
        f"groups/{group.pk}/", f"groups/{group.pk}/delete/",
        f"resources/{resource.pk}/", f"resources/{resource.pk}/delete/",
        f"roles/{role.pk}/", f"roles/{role.pk}/delete/",
        f"service-tokens/{token.pk}/delete/",
    ]


@pytest.fixture
def no_permissions_member(organization):
    """A member whose role holds no permission at all."""
    role = services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="nobody", permissions=[])
    return make_member(organization, role=role.name)


@pytest.mark.parametrize("page", READ_PAGES + WRITE_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, organization, page):
    response = client.get(f"/orgs/{organization.slug}/{page}")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("page", READ_PAGES + WRITE_PAGES)
def test_every_page_renders_for_an_account_holder(client, organization, page):
    client.force_login(make_member(organization, role="account_holder"))
    assert client.get(f"/orgs/{organization.slug}/{page}").status_code == 200


def test_every_object_page_renders_for_an_account_holder(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    for page in _object_pages(organization):
        assert client.get(f"/orgs/{organization.slug}/{page}").status_code == 200, page


@pytest.mark.parametrize("page", READ_PAGES + WRITE_PAGES)
def test_another_organizations_pages_are_404(client, organization, other_organization, page):
    client.force_login(make_member(organization, role="account_holder"))
    assert client.get(f"/orgs/{other_organization.slug}/{page}").status_code == 404


def test_another_organizations_objects_are_404_even_in_my_organization(client, organization, other_organization):
    client.force_login(make_member(organization, role="account_holder"))
    for page in _object_pages(other_organization):
        assert client.get(f"/orgs/{organization.slug}/{page}").status_code == 404, page
        assert client.post(f"/orgs/{organization.slug}/{page}").status_code == 404, page


@pytest.mark.parametrize("page", READ_PAGES)
def test_reading_without_the_permission_is_403(client, organization, no_permissions_member, page):
    client.force_login(no_permissions_member)
    response = client.get(f"/orgs/{organization.slug}/{page}")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_changing_without_the_permission_is_403(client, organization, page):
    client.force_login(make_member(organization, role="member"))
    assert client.get(f"/orgs/{organization.slug}/{page}").status_code == 403
    assert client.post(f"/orgs/{organization.slug}/{page}", {"name": "x"}).status_code == 403


def test_object_pages_without_the_permission_are_403(client, organization):
    pages = _object_pages(organization)
    client.force_login(make_member(organization, role="member"))
    for page in pages:
        assert client.post(f"/orgs/{organization.slug}/{page}").status_code == 403, page


@pytest.mark.parametrize(
    ("page", "button"),
    [("members/", "Add member"), ("groups/", "Create group"), ("resources/", "Add resource"), ("roles/", "Create custom role")],
)
def test_buttons_the_principal_may_not_use_are_hidden(client, organization, page, button):
    client.force_login(make_member(organization, role="member"))
    response = client.get(f"/orgs/{organization.slug}/{page}")
    assert response.status_code == 200
    assert button not in response.content.decode()


def test_a_readable_role_without_write_sees_no_create_token_button(client, organization):
    role = Role.objects.create(organization=organization, name="token-reader", permissions=["service_tokens:read"])
    client.force_login(make_member(organization, role=role.name))
    page = client.get(f"/orgs/{organization.slug}/service-tokens/").content.decode()
    assert "Create service token" not in page
