"""The portal shell: logging in, choosing an organization, navigation by permission."""

import pytest

from identity.models import Membership

from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, make_member

pytestmark = pytest.mark.django_db


def test_the_login_page_has_labelled_fields(client):
    page = client.get("/login/").content.decode()
    assert '<label for="id_username">Username</label>' in page
    assert '<label for="id_password">Password</label>' in page


def test_logging_in_with_one_organization_goes_straight_to_it(client, organization):
    user = make_member(organization, role="account_holder")
    response = client.post("/login/", {"username": user.username, "password": DEFAULT_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(f"/orgs/{organization.slug}/")


def test_a_wrong_password_shows_an_error(client, organization):
    user = make_member(organization)
    response = client.post("/login/", {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_people_in_several_organizations_choose_one(client, organization):
    user = make_member(organization)
    other = OrganizationFactory()
    Membership.objects.create(user=user, organization=other, role=other.roles.get(name="member"))
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "Choose an organization" in page
    assert organization.name in page and other.name in page


def test_another_organization_is_404(client, organization, other_organization):
    client.force_login(make_member(organization, role="account_holder"))
    assert client.get(f"/orgs/{other_organization.slug}/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, organization):
    response = client.get(f"/orgs/{organization.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_logging_out_takes_a_post(client, organization):
    client.force_login(make_member(organization))
    assert client.post("/logout/").status_code in (200, 302)
    assert client.get("/").status_code == 302
