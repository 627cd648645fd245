"""Resources in the portal: kind filter, search, create under a parent, edit, delete after confirmation."""

import pytest

from identity import services
from identity.models import Resource
from identity.principals import SYSTEM_PRINCIPAL
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    return client


def _resource(organization, kind, name, parent=None):
    return services.resource_create(organization=organization, actor=SYSTEM_PRINCIPAL, kind=kind, name=name, parent=parent)


def test_resources_nest_under_a_parent(holder, organization):
    holder.post(f"/orgs/{organization.slug}/resources/new/", {"kind": "companies", "name": "acme"})
    parent = Resource.objects.get(name="acme")
    holder.post(f"/orgs/{organization.slug}/resources/new/", {"kind": "projects", "name": "web", "parent": parent.pk})
    assert Resource.objects.get(name="web").parent == parent


def test_a_bad_resource_kind_shows_on_the_kind_field(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/resources/new/", {"kind": "Bad Kind", "name": "x"})
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors
    assert not Resource.objects.exists()


def test_another_organizations_resource_is_no_parent(holder, organization, other_organization):
    elsewhere = _resource(other_organization, "companies", "elsewhere")
    response = holder.post(f"/orgs/{organization.slug}/resources/new/", {"kind": "projects", "name": "x", "parent": elsewhere.pk})
    assert "parent" in response.context["form"].errors


def test_the_list_filters_by_kind_and_searches(holder, organization):
    _resource(organization, "companies", "acme")
    _resource(organization, "projects", "acme-web")
    _resource(organization, "projects", "billing")
    page = holder.get(f"/orgs/{organization.slug}/resources/?kind=projects&search=acme").content.decode()
    assert "acme-web" in page and "billing" not in page and ">acme<" not in page


def test_a_resource_is_edited(holder, organization):
    resource = _resource(organization, "projects", "web")
    holder.post(f"/orgs/{organization.slug}/resources/{resource.pk}/", {"kind": "projects", "name": "website"})
    resource.refresh_from_db()
    assert resource.name == "website"


def test_deleting_asks_first_then_deletes(holder, organization):
    resource = _resource(organization, "projects", "old")
    url = f"/orgs/{organization.slug}/resources/{resource.pk}/delete/"
    assert "Resources below it" in holder.get(url).content.decode()
    holder.post(url)
    assert not Resource.objects.filter(pk=resource.pk).exists()
