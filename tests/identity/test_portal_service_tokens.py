"""Service tokens and the audit log in the portal."""

import pytest

from identity.models import AuditEvent, ServiceToken
from identity.services import service_token_authenticate
from tests.factories import make_member, make_service_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    return client


def test_a_created_token_is_shown_once_and_works(holder, organization):
    response = holder.post(
        f"/orgs/{organization.slug}/service-tokens/new/", {"name": "terraform", "roles": ["sys_admin"], "expires_in": "30d"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = response.context["token"]
    assert token in response.content.decode()
    assert service_token_authenticate(token).name == "terraform"
    listing = holder.get(f"/orgs/{organization.slug}/service-tokens/").content.decode()
    assert "terraform" in listing and token not in listing


def test_a_taken_name_shows_on_the_name_field(holder, organization):
    make_service_token(organization, name="taken")
    response = holder.post(f"/orgs/{organization.slug}/service-tokens/new/", {"name": "taken", "roles": ["member"]})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This name is already taken."]
    assert ServiceToken.objects.count() == 1


def test_roles_are_required(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/service-tokens/new/", {"name": "x"})
    assert "roles" in response.context["form"].errors


def test_delete_asks_first_then_deletes(holder, organization):
    service_token, _ = make_service_token(organization, name="old")
    url = f"/orgs/{organization.slug}/service-tokens/{service_token.pk}/delete/"
    assert "cannot be undone" in holder.get(url).content.decode()
    assert holder.post(url).status_code == 302
    assert not ServiceToken.objects.exists()


def test_another_organizations_token_is_404(holder, organization, other_organization):
    service_token, _ = make_service_token(other_organization)
    assert holder.get(f"/orgs/{organization.slug}/service-tokens/{service_token.pk}/delete/").status_code == 404


def test_members_may_not_create_tokens(client, organization):
    client.force_login(make_member(organization, role="member"))
    assert client.get(f"/orgs/{organization.slug}/service-tokens/new/").status_code == 403


def test_the_audit_log_lists_and_filters_events(holder, organization, other_organization):
    make_service_token(organization, name="visible")
    make_service_token(other_organization, name="elsewhere-token")
    page = holder.get(f"/orgs/{organization.slug}/audit/?action=service_token").content.decode()
    assert "visible" in page and "elsewhere-token" not in page
    assert AuditEvent.objects.filter(organization=organization, action="service_token.create").exists()
