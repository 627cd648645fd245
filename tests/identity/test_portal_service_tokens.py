"""Service tokens in the portal: list, create (shown once, no-store), delete after confirmation."""

import pytest

from identity.models import ServiceToken
from identity.services import service_token_authenticate
from tests.factories import make_member, make_service_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    return client


def test_the_list_shows_name_roles_expiration_last_use_and_creator(holder, organization):
    make_service_token(organization, name="deployer", roles=("sys_admin", "member"), expires_in="30d")
    page = holder.get(f"/orgs/{organization.slug}/service-tokens/").content.decode()
    for text in ("deployer", "sys_admin", "member", "Never", "system"):
        assert text in page
    for header in ("Name", "Roles", "Expiration", "Last used", "Created by"):
        assert f'<th scope="col">{header}</th>' in page


def test_the_form_offers_roles_and_expiry_choices(holder, organization):
    page = holder.get(f"/orgs/{organization.slug}/service-tokens/new/").content.decode()
    assert 'type="checkbox" name="roles" value="sys_admin"' in page
    for label in ("Never", "24 hours", "7 days", "30 days", "90 days", "365 days"):
        assert label in page


def test_a_created_token_is_shown_once_and_works(holder, organization):
    response = holder.post(
        f"/orgs/{organization.slug}/service-tokens/new/", {"name": "terraform", "roles": ["sys_admin"], "expires_in": "30d"}, follow=True
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = response.context["token"]
    body = response.content.decode()
    assert body.count(token) == 1
    assert "cannot be shown again" in body
    assert service_token_authenticate(token).name == "terraform"
    assert token not in str(dict(holder.session))
    listing = holder.get(f"/orgs/{organization.slug}/service-tokens/").content.decode()
    assert "terraform" in listing and token not in listing


def test_the_token_is_not_in_the_database_in_clear(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/service-tokens/new/", {"name": "t", "roles": ["member"], "expires_in": ""}, follow=True)
    token = response.context["token"]
    row = ServiceToken.objects.values().get()
    assert token not in str(row)
    assert row["expires_at"] is None


def test_a_taken_name_shows_on_the_name_field(holder, organization):
    make_service_token(organization, name="taken")
    response = holder.post(f"/orgs/{organization.slug}/service-tokens/new/", {"name": "taken", "roles": ["member"]})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This name is already taken."]
    assert 'id="id_name_errors"' in response.content.decode()
    assert ServiceToken.objects.count() == 1


def test_roles_are_required(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/service-tokens/new/", {"name": "x"})
    assert response.status_code == 400
    assert "roles" in response.context["form"].errors
    assert not ServiceToken.objects.exists()


def test_delete_asks_first_then_deletes(holder, organization):
    service_token, plaintext = make_service_token(organization, name="old")
    url = f"/orgs/{organization.slug}/service-tokens/{service_token.pk}/delete/"
    assert "cannot be undone" in holder.get(url).content.decode()
    assert ServiceToken.objects.exists()
    response = holder.post(url, follow=True)
    assert "“old” deleted." in response.content.decode()
    assert not ServiceToken.objects.exists()
    assert service_token_authenticate(plaintext) is None


def test_a_new_token_expires_in_30_days_unless_chosen_otherwise(holder, organization):
    form = holder.get(f"/orgs/{organization.slug}/service-tokens/new/").content.decode()
    assert '<option value="30d" selected>30 days</option>' in form
    holder.post(f"/orgs/{organization.slug}/service-tokens/new/", {"name": "default", "roles": ["member"], "expires_in": "30d"})
    holder.post(f"/orgs/{organization.slug}/service-tokens/new/", {"name": "forever", "roles": ["member"], "expires_in": ""})
    assert ServiceToken.objects.get(name="default").expires_at is not None
    assert ServiceToken.objects.get(name="forever").expires_at is None


def test_the_list_shows_each_token_id(holder, organization):
    token, _ = make_service_token(organization, name="deployer")
    page = holder.get(f"/orgs/{organization.slug}/service-tokens/").content.decode()
    assert '<th scope="col">ID</th>' in page and f'<td class="nowrap">{token.pk}</td>' in page
