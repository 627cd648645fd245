"""Hostile filters in the portal's lists: a clear message over an empty table, never 500.

PostgreSQL refuses a NUL byte in any text, so a search box holding one must not reach the query.
"""

import pytest

from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    return client


@pytest.mark.parametrize(
    ("page", "parameter"),
    [
        ("members/", "search"),
        ("groups/", "search"),
        ("resources/", "search"),
        ("resources/", "kind"),
        ("service-credentials/", "search"),
    ],
)
def test_a_nul_byte_in_a_list_filter_shows_a_message_and_no_rows(holder, organization, page, parameter):
    response = holder.get(f"/orgs/{organization.slug}/{page}", {parameter: "hold\x00er"})
    assert response.status_code == 400
    body = response.content.decode()
    assert f"{parameter}: This filter cannot contain a NUL character." in body
    assert not response.context["page"].object_list


def test_a_nul_byte_in_the_audit_filters_is_named_on_its_field(holder, organization):
    response = holder.get(f"/orgs/{organization.slug}/audit/", {"actor": "hold\x00er"})
    assert response.status_code == 200
    assert response.context["form"].errors["actor"] == ["Null characters are not allowed."]


@pytest.mark.parametrize("page", ["groups/{id}/", "resources/{id}/delete/", "service-credentials/{id}/", "members/{id}/"])
def test_a_path_id_beyond_any_integer_is_not_found(holder, organization, page):
    assert holder.get(f"/orgs/{organization.slug}/{page.format(id=10**30)}").status_code == 404
