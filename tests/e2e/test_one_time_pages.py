"""In a real browser: every page that shows a secret once survives Reload and Back without making
another one; the home lists what expires soon; the API docs load nothing from another host."""

import datetime
import re
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from identity.models import AuditEvent, ServiceCredential, ServiceToken
from secrets_vault import services as vault
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_member, make_service_token

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def audit_count(action):
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def holder_page(log_in, organization):
    return log_in(make_member(organization, role="account_holder"))


def test_reload_and_back_after_regenerate_client_keys_make_no_new_key(live_server, holder_page, organization):
    page = holder_page
    credential, _ = make_credential(organization, name="rolled")
    page.goto(f"{live_server.url}/orgs/{organization.slug}/service-credentials/{credential.pk}/")
    page.get_by_role("button", name="Regenerate Client Keys").click()
    expect(page.get_by_text("not valid yet")).to_be_visible()
    secret = page.get_by_label("Client Key", exact=True).input_value()
    assert page.url.endswith(f"/service-credentials/{credential.pk}/regenerate/new-keys/")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download Client Keys").click()
    assert secret in open(download_info.value.path(), encoding="utf-8").read()

    page.reload()
    expect(page.get_by_text("shown once and cannot be shown again")).to_be_visible()
    assert secret not in page.content()
    page.go_back()  # the credential's page: nothing was made or changed
    expect(page.get_by_role("button", name="Regenerate Client Keys")).to_be_visible()
    page.go_forward()
    expect(page.get_by_text("shown once and cannot be shown again")).to_be_visible()
    assert secret not in page.content()
    assert audit_count("service_credential.regenerate_secret") == 0


def test_reload_and_back_after_the_wizard_make_no_second_credential(live_server, holder_page, organization):
    page = holder_page
    page.goto(f"{live_server.url}/orgs/{organization.slug}/service-credentials/new/")
    page.get_by_label(re.compile(r"^Name")).fill("once-only")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("cannot be shown again")).to_be_visible()
    secret = page.get_by_label("Client Key", exact=True).input_value()

    page.reload()
    expect(page.get_by_role("heading", name="These keys were shown once")).to_be_visible()
    assert secret not in page.content()
    try:
        page.go_back()  # the summary step was a POST: Chromium shows ERR_CACHE_MISS and sends nothing
    except Exception as error:  # noqa: BLE001 - Chromium reports the unsent POST as ERR_CACHE_MISS
        assert "ERR_CACHE_MISS" in str(error)
    page.wait_for_load_state("networkidle")
    assert "This field is required" not in page.content()
    assert ServiceCredential.objects.filter(name="once-only").count() == 1
    assert audit_count("service_credential.create") == 1


def test_reload_and_back_after_creating_a_service_token_make_no_second_token(live_server, holder_page, organization):
    page = holder_page
    page.goto(f"{live_server.url}/orgs/{organization.slug}/service-tokens/new/")
    page.get_by_label("Name").fill("once-token")
    page.get_by_label("member", exact=True).check()
    page.get_by_role("button", name="Create service token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("pct_")

    page.reload()
    expect(page.get_by_role("heading", name="This token was shown once")).to_be_visible()
    assert token not in page.content()
    page.go_back()  # the empty form again, nothing posted
    expect(page.get_by_role("button", name="Create service token")).to_be_visible()
    page.go_forward()
    expect(page.get_by_role("heading", name="This token was shown once")).to_be_visible()
    assert ServiceToken.objects.count() == 1 and audit_count("service_token.create") == 1


def test_the_home_lists_what_expires_in_the_next_30_days(live_server, log_in, organization):
    credential, _ = make_credential(organization, name="ci-soon")
    ServiceCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() + datetime.timedelta(days=3))
    make_service_token(organization, name="tf-token", expires_in="7d")
    make_service_token(organization, name="forever")
    vault.secret_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="vendor-key", type="api_key",
        value={"header_name": "X-Key", "value": "v"}, expires_at=timezone.now() + datetime.timedelta(days=20),
    )
    page = log_in(make_member(organization, role="account_holder"))  # signing in lands on the home
    assert urlparse(page.url).path == f"/orgs/{organization.slug}/"
    rows = page.get_by_test_id("expiring").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("ci-soon")
    expect(rows.nth(1)).to_contain_text("tf-token")
    expect(rows.nth(2)).to_contain_text("vendor-key")
    expect(page.get_by_test_id("expiring")).not_to_contain_text("forever")
    rows.nth(0).get_by_role("link", name="ci-soon").click()
    expect(page.get_by_role("heading", name=re.compile("ci-soon"))).to_be_visible()


@pytest.mark.parametrize("path, shown", [("/api/docs/", "service-tokens"), ("/api/redoc/", "service-tokens")])
def test_the_api_docs_render_with_nothing_from_another_host(live_server, page, path, shown):
    # A request the page's Content-Security-Policy stops never leaves the browser: it fails with
    # "csp". Everything else must have gone to this host.
    sent, blocked = set(), set()
    page.on("request", lambda request: request.url.startswith(("data:", "blob:")) or sent.add(request.url))
    page.on("requestfailed", lambda request: request.failure == "csp" and blocked.add(request.url))
    page.goto(live_server.url + path)
    expect(page.get_by_text(re.compile(shown)).first).to_be_visible(timeout=15000)
    page.wait_for_load_state("networkidle")
    assert {urlparse(url).netloc for url in sent - blocked} == {urlparse(live_server.url).netloc}
