"""In a real browser: "Regenerate Client Keys", "Download Client Keys", leave (nothing changed), then
regenerate again and "Save" with a grace period: the old pair keeps working, and so does the new one."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from identity.models import ClientKey
from tests.factories import make_credential, make_member
from tests.identity.oauth_helpers import basic

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def grant_status(client_id, secret):
    response = Client().post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(client_id, secret))
    return response.status_code


def test_regenerate_download_leave_then_regenerate_and_save_with_a_grace_period(live_server, log_in, organization):
    page = log_in(make_member(organization, role="account_holder"))
    credential, old_secret = make_credential(organization, name="pipeline")
    old_id = credential.client_id
    detail = f"{live_server.url}/orgs/{organization.slug}/service-credentials/{credential.pk}/"
    page.goto(detail)

    page.get_by_role("button", name="Regenerate Client Keys").click()
    expect(page.get_by_text("not valid yet")).to_be_visible()
    abandoned_id = page.get_by_label("Client ID", exact=True).input_value()
    abandoned_secret = page.get_by_label("Client Key", exact=True).input_value()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download Client Keys").click()
    downloaded = open(download_info.value.path(), encoding="utf-8").read()
    assert abandoned_id in downloaded and abandoned_secret in downloaded

    page.get_by_role("link", name="Close").click()  # leave without saving
    expect(page.get_by_role("heading", name="Client keys", exact=True)).to_be_visible()
    assert abandoned_id not in page.content()
    assert grant_status(abandoned_id, abandoned_secret) == 401
    assert grant_status(old_id, old_secret) == 200
    assert ClientKey.objects.filter(credential=credential).count() == 1

    page.get_by_role("button", name="Regenerate Client Keys").click()
    new_id = page.get_by_label("Client ID", exact=True).input_value()
    new_secret = page.get_by_label("Client Key", exact=True).input_value()
    assert new_id != abandoned_id
    page.get_by_label("24 hours").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("keeps working for 24 hours")).to_be_visible()
    keys = page.get_by_test_id("client-keys")
    expect(keys).to_contain_text(old_id)
    expect(keys).to_contain_text(new_id)
    assert grant_status(old_id, old_secret) == 200
    assert grant_status(new_id, new_secret) == 200

    page.get_by_role("button", name=f"Retire the client key {old_id}").click()
    expect(page.get_by_text("retired")).to_be_visible()
    assert grant_status(old_id, old_secret) == 401
    assert grant_status(new_id, new_secret) == 200
