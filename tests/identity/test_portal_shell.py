"""The portal shell: logging in, choosing an organization, navigation by permission."""

import pytest

from identity.models import Membership

from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, add_membership, make_member

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
    add_membership(user, other, "member")
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


def test_the_shell_shows_the_organization_the_user_and_a_logout_button(client, organization):
    client.force_login(make_member(organization, role="account_holder", username="shelly"))
    page = client.get(f"/orgs/{organization.slug}/members/").content.decode()
    assert organization.name in page and "shelly" in page
    assert '<button type="submit" class="button-link">Log out</button>' in page


def test_the_switcher_lists_every_organization_of_the_user(client, organization):
    user = make_member(organization, role="account_holder")
    other = OrganizationFactory(name="Second Org")
    add_membership(user, other, "member")
    client.force_login(user)
    page = client.get(f"/orgs/{organization.slug}/members/").content.decode()
    assert 'id="org-switch"' in page
    assert f'value="/orgs/{other.slug}/"' in page


def test_navigation_shows_only_pages_the_principal_may_open(client, organization):
    client.force_login(make_member(organization, role="member"))
    labels = [item["label"] for item in client.get(f"/orgs/{organization.slug}/groups/").context["navigation"]]
    assert "Groups" in labels
    assert "Service Tokens" not in labels and "Audit Log" not in labels


def test_navigation_skips_entries_whose_page_does_not_exist_yet(client, organization, monkeypatch):
    from identity import navigation

    monkeypatch.setattr(
        navigation, "ENTRIES", [("Not Built", "portal:not_built_yet", None), *navigation.ENTRIES]
    )
    client.force_login(make_member(organization, role="account_holder"))
    response = client.get(f"/orgs/{organization.slug}/members/")
    labels = [item["label"] for item in response.context["navigation"]]
    assert "Not Built" not in labels and "Members" in labels
    assert "Secrets" in labels


def test_navigation_names_the_service_credential_and_secret_pages():
    from identity.navigation import ENTRIES

    url_names = {label: url_name for label, url_name, _ in ENTRIES}
    assert url_names["Service Credentials"] == "portal:service_credential_list"
    assert url_names["Secrets"] == "vault:secret_list"


def test_the_current_page_is_marked_in_the_navigation(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    page = client.get(f"/orgs/{organization.slug}/roles/").content.decode()
    assert f'<a href="/orgs/{organization.slug}/roles/" aria-current="page">Roles</a>' in page


def test_logging_out_says_so_on_the_login_page(client, organization):
    client.force_login(make_member(organization))
    response = client.post("/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "You are logged out." in response.content.decode()
