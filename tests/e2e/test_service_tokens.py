"""In a real browser: log in, create a service token, see it once, use it, delete it."""

import re

import pytest
import requests
from django.urls import NoReverseMatch, Resolver404, resolve
from playwright.sync_api import expect

from tests.factories import make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _api_me_exists():
    try:
        resolve("/api/v1/me/")
    except (Resolver404, NoReverseMatch):
        return False
    return True


def test_create_see_once_use_and_delete_a_service_token(live_server, log_in, organization):
    page = log_in(make_member(organization, role="account_holder"))
    page.goto(f"{live_server.url}/orgs/{organization.slug}/service-tokens/")
    expect(page.get_by_text("No service tokens yet.")).to_be_visible()
    page.get_by_role("link", name="Create service token").click()
    page.get_by_label("Name").fill("browser-made")
    page.get_by_label("sys_admin").check()
    page.get_by_label("Expiration").select_option(label="30 days")
    page.get_by_role("button", name="Create service token").click()

    expect(page.get_by_text("It cannot be shown again")).to_be_visible()
    token = page.get_by_label("Token", exact=True).input_value()
    assert re.fullmatch(r"pct_\w{59}", token)
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("[data-copy-status]")).not_to_be_empty()

    if _api_me_exists():
        me = requests.get(f"{live_server.url}/api/v1/me/", headers={"Authorization": f"ApiKey {token}"}, timeout=10)
        assert me.status_code == 200
        assert me.json()["kind"] == "service_token"

    page.get_by_role("link", name="Close").click()
    expect(page.get_by_role("rowheader", name="browser-made")).to_be_visible()
    assert token not in page.content()

    page.get_by_role("row", name=re.compile("browser-made")).get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete “browser-made”?")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("“browser-made” deleted.")).to_be_visible()
    expect(page.get_by_text("No service tokens yet.")).to_be_visible()
    if _api_me_exists():
        gone = requests.get(f"{live_server.url}/api/v1/me/", headers={"X-API-Key": token}, timeout=10)
        assert gone.status_code == 401
