"""In a real browser: every list and detail page fits a phone (390 px) and a laptop (1280 px)
without scrolling sideways, passes axe-core's serious and critical rules, and a secret can be
registered with the keyboard alone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from identity.principals import principal_for_user
from secrets_vault import services as vault
from secrets_vault.models import Secret
from tests.factories import OrganizationFactory, make_credential, make_member, make_resource, make_service_token
from tests.secrets_vault.conftest import TEST_KEY

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = [(390, 844), (1280, 800)]
# A long hyphenated name: the credential list once broke it at every hyphen and spilled sideways.
# Names the elements sticking out past the window, so a failure says what to fix.
WIDEST = """Array.from(document.querySelectorAll("body *"))
    .filter(e => e.getBoundingClientRect().right > document.scrollingElement.clientWidth + 0.5)
    .filter(e => !e.parentElement.closest(".table-wrap"))
    .slice(0, 3).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))"""
LONG_NAME = "payments-settlement-reconciliation-nightly-batch-pipeline"


@pytest.fixture(autouse=True)
def vault_key(settings):
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY]


@pytest.fixture
def portal(live_server):
    """An organization with one of everything; returns (holder, [page paths])."""
    organization = OrganizationFactory()
    holder = make_member(organization, role="account_holder")
    principal = principal_for_user(holder, organization)
    credential, _ = make_credential(organization, name=LONG_NAME)
    make_service_token(organization, name="terraform-ci-" + "x" * 40)
    make_resource(organization, "projects", "checkout-" + "y" * 40)
    secret = vault.secret_create(
        organization=organization, actor=principal, name="stripe-" + "z" * 50, type="client_credentials",
        value={"client_id": "id", "client_secret": "s", "scopes": ["profile", "edit", "email", "iam.role"]},
    )
    vault.secret_read_value(secret=secret, actor=principal)
    slug = organization.slug
    paths = [
        reverse("portal:service_credential_list", kwargs={"org": slug}),
        reverse("portal:service_credential_detail", kwargs={"org": slug, "pk": credential.pk}),
        reverse("portal:service_token_list", kwargs={"org": slug}),
        reverse("portal:group_list", kwargs={"org": slug}),
        reverse("portal:member_list", kwargs={"org": slug}),
        reverse("portal:resource_list", kwargs={"org": slug}),
        reverse("portal:resource_kind_list", kwargs={"org": slug}),
        reverse("portal:role_list", kwargs={"org": slug}),
        reverse("portal:audit_log", kwargs={"org": slug}),
        reverse("vault:secret_list", args=[slug]),
        reverse("vault:secret_list_personal", args=[slug]),
        reverse("vault:secret_register_choose", args=[slug]),
        reverse("vault:secret_register", args=[slug, "key_value"]),
        reverse("vault:secret_detail", args=[slug, secret.pk]),
        reverse("vault:secret_delete", args=[slug, secret.pk]),
        reverse("vault:secret_deactivate", args=[slug, secret.pk]),
    ]
    return holder, paths


def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(page, live_server, log_in, portal):
    holder, paths = portal
    log_in(holder)
    overflowing = []
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        for path in paths:
            page.goto(live_server.url + path)
            scroll, client = page.evaluate(
                "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
            )
            if scroll != client:
                overflowing.append((width, path, scroll, page.evaluate(WIDEST)))
    assert overflowing == [], "\n".join(map(str, overflowing))


def test_the_credential_list_keeps_names_whole_and_its_create_button_in_view(page, live_server, log_in, portal):
    holder, paths = portal
    log_in(holder)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + paths[0])
    name = page.get_by_role("link", name=LONG_NAME)
    assert name.evaluate("element => element.getClientRects().length") == 1
    create = page.get_by_role("link", name="Create Service Credential")
    box = create.bounding_box()
    assert box["x"] + box["width"] <= 1280


def test_tables_stack_on_a_phone(page, live_server, log_in, portal):
    holder, paths = portal
    log_in(holder)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + paths[9])
    cell = page.locator("tbody td").first
    expect(cell).to_have_attribute("data-label", "Type")
    assert cell.evaluate("element => getComputedStyle(element).display") == "block"


def test_no_page_has_serious_or_critical_accessibility_violations(page, live_server, log_in, portal):
    holder, paths = portal
    log_in(holder)
    axe = Axe()
    found = {}
    for path in paths:
        page.goto(live_server.url + path)
        results = axe.run(page)
        serious = [
            f"{violation['id']}: {violation['help']} ({len(violation['nodes'])})"
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        if serious:
            found[path] = serious
    assert found == {}


def test_a_secret_is_registered_with_the_keyboard_alone(page, live_server, log_in, portal):
    holder, paths = portal
    log_in(holder)
    page.goto(live_server.url + paths[9])

    def tab_to(name):
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()").startswith(name):
                return
        raise AssertionError(f"Tab never reached {name!r}")

    tab_to("Register Secret")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Register Secret")).to_be_visible()
    tab_to("API Key")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/register/api_key/$"))
    tab_to("")  # the first focusable field after the breadcrumb
    while page.evaluate("document.activeElement.name") != "name":
        page.keyboard.press("Tab")
    page.keyboard.type("keyboard-made")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("X-Api-Key")
    page.keyboard.press("Tab")
    page.keyboard.type("typed-by-keys")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="keyboard-made")).to_be_visible()
    secret = Secret.objects.get(name="keyboard-made")
    assert secret.metadata["header_name"] == "X-Api-Key"


def test_a_form_error_moves_the_focus_to_the_first_field_in_error(page, live_server, log_in, portal):
    holder, paths = portal
    log_in(holder)
    page.goto(live_server.url + paths[12].replace("key_value", "api_key"))
    page.get_by_label("Value").fill("typed-secret")
    page.get_by_role("button", name="Register Secret").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Secret Name")
    expect(page.get_by_label("Secret Name")).to_be_focused()
    expect(page.locator("[data-error-summary]")).to_contain_text("type Value again")


def test_show_reveals_a_secret_input_and_hide_masks_it(page, live_server, log_in, portal):
    holder, paths = portal
    log_in(holder)
    page.goto(live_server.url + paths[12].replace("key_value", "api_key"))
    value = page.get_by_label("Value")
    expect(value).to_have_attribute("type", "password")
    page.get_by_role("button", name="Show").click()
    expect(value).to_have_attribute("type", "text")
    page.get_by_role("button", name="Hide").click()
    expect(value).to_have_attribute("type", "password")


def test_revoke_is_enabled_only_once_the_typed_name_matches(page, live_server, log_in, portal):
    holder, paths = portal
    log_in(holder)
    page.goto(live_server.url + paths[1])
    page.get_by_role("button", name="Revoke").click()
    dialog = page.locator("#revoke-dialog")
    expect(dialog).to_contain_text("create its replacement first")
    revoke = dialog.get_by_role("button", name="Revoke")
    expect(revoke).to_be_disabled()
    dialog.get_by_label("Credential name").fill(LONG_NAME[:-1])
    expect(revoke).to_be_disabled()
    dialog.get_by_label("Credential name").fill(LONG_NAME)
    expect(revoke).to_be_enabled()
