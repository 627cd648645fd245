"""In a real browser: the four-step wizard, the key shown once (copy, CSV), then use, disable and revoke."""

import csv
import io
import re
import time
import uuid

import pytest
import requests
from jwcrypto import jwk, jwt
from playwright.sync_api import expect

from identity import services
from identity.models import Resource, ServiceCredential
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def token_request(live_server, client_id, secret):
    return requests.post(
        f"{live_server.url}/o/token/", data={"grant_type": "client_credentials"}, auth=(client_id, secret), timeout=10
    )


def me(live_server, token):
    return requests.get(f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture
def directory(organization):
    company = Resource.objects.create(organization=organization, kind="companies", name="acme")
    Resource.objects.create(organization=organization, kind="projects", name="alpha", parent=company)
    services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="deployers")


def test_create_copy_download_close_use_disable_and_revoke(live_server, log_in, organization, directory):
    page = log_in(make_member(organization, role="account_holder"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/orgs/{organization.slug}/service-credentials/")
    page.get_by_role("link", name="Create Service Credential").click()

    # 1: name, description, how it authenticates
    expect(page.get_by_role("heading", name="Step 1 of 4: Name and description")).to_be_visible()
    expect(page.get_by_label("Public key")).to_be_hidden()
    page.get_by_label(re.compile(r"^Name")).fill("browser-pipeline")
    page.get_by_label("Description").fill("Deploys alpha")
    page.get_by_role("button", name="Next").click()

    # 2: expiration
    expect(page.get_by_role("heading", name="Step 2 of 4: Expiration")).to_be_visible()
    page.get_by_label("30 days").check()
    page.get_by_label("15 minutes").check()
    page.get_by_role("button", name="Next").click()

    # 3: groups and resources, with a wrong row first
    expect(page.get_by_role("heading", name="Step 3 of 4: Groups and resources")).to_be_visible()
    page.get_by_label("deployers").check()
    page.get_by_label("Resource 1", exact=True).fill("projects/nope")
    page.get_by_label("Permissions 1", exact=True).select_option("projects:read")
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".errorlist").get_by_text("No resource “projects/nope”")).to_be_visible()
    page.get_by_label("Resource 1", exact=True).fill("projects/alpha")
    page.get_by_label("Role 1", exact=True).select_option("member")
    page.get_by_role("button", name="Add another resource").click()
    expect(page.get_by_label("Resource 2", exact=True)).to_be_visible()

    # "Back" keeps what was typed, on this step and the one before
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("30 days")).to_be_checked()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Resource 1", exact=True)).to_have_value("projects/alpha")
    expect(page.get_by_label("deployers")).to_be_checked()
    page.get_by_role("button", name="Next").click()

    # 4: summary, then Save
    expect(page.get_by_role("heading", name="Step 4 of 4: Summary")).to_be_visible()
    for text in ("browser-pipeline", "Deploys alpha", "30 days", "15 minutes", "companies/acme › projects/alpha"):
        expect(page.locator("dl.summary")).to_contain_text(text)
    page.get_by_role("button", name="Save").click()

    # The keys, once: copy, download
    expect(page.get_by_text("cannot be shown again")).to_be_visible()
    client_id = page.get_by_label("Client ID", exact=True).input_value()
    secret = page.get_by_label("Client Key", exact=True).input_value()
    assert re.fullmatch(r"pcs_[\w-]{43}", secret)
    expect(page.get_by_label("Realm", exact=True)).to_have_value(organization.slug)
    expect(page.get_by_label("Usage example", exact=True)).to_contain_text("curl")
    page.get_by_role("button", name="Copy the client key").click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download Client Keys").click()
    download = download_info.value
    assert download.suggested_filename == "browser-pipeline-client-keys.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert rows == [{
        "name": "browser-pipeline", "client_id": client_id, "client_key": secret, "realm": organization.slug,
        "token_url": f"{live_server.url}/o/token/", "auth_method": "client_secret_basic",
    }]

    # Close: gone for good
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("heading", name=re.compile("browser-pipeline"))).to_be_visible()
    assert secret not in page.content()
    page.go_back()  # the keys page is fetched again (no-store) and has nothing left to show
    expect(page.get_by_role("heading", name="These keys were shown once")).to_be_visible()
    assert secret not in page.content()
    page.go_forward()

    # The key from the test gets a token, and the token works
    granted = token_request(live_server, client_id, secret)
    assert granted.status_code == 200, granted.text
    assert granted.json()["expires_in"] == 15 * 60
    token = granted.json()["access_token"]
    assert me(live_server, token).json()["kind"] == "service_credential"

    # The Enabled toggle in the list
    page.goto(f"{live_server.url}/orgs/{organization.slug}/service-credentials/")
    switch = page.get_by_role("switch", name="Enabled: browser-pipeline")
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.click()
    page.get_by_role("dialog", name="Disable “browser-pipeline”?").get_by_role("button", name="Disable").click()
    expect(page.get_by_role("switch", name="Enabled: browser-pipeline")).to_have_attribute("aria-checked", "false")
    assert me(live_server, token).status_code == 401
    assert token_request(live_server, client_id, secret).status_code == 401
    page.get_by_role("switch", name="Enabled: browser-pipeline").click()
    page.get_by_role("dialog", name="Enable “browser-pipeline”?").get_by_role("button", name="Enable").click()
    expect(page.get_by_role("switch", name="Enabled: browser-pipeline")).to_have_attribute("aria-checked", "true")
    token = token_request(live_server, client_id, secret).json()["access_token"]

    # Revoke by typing the name: every token dies
    page.get_by_role("link", name="browser-pipeline").click()
    page.get_by_role("button", name="Revoke").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Credential name").fill("browser-pipeline")
    dialog.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("“browser-pipeline” revoked")).to_be_visible()
    assert me(live_server, token).status_code == 401
    assert token_request(live_server, client_id, secret).status_code == 401
    assert ServiceCredential.objects.get(name="browser-pipeline").status == "revoked"


def test_a_key_pair_credential_from_the_wizard_signs_its_own_token_requests(live_server, log_in, organization):
    key = jwk.JWK.generate(kty="EC", crv="P-256")
    page = log_in(make_member(organization, role="sys_admin"))
    page.goto(f"{live_server.url}/orgs/{organization.slug}/service-credentials/new/")
    page.get_by_label(re.compile(r"^Name")).fill("signer")
    expect(page.get_by_label("Public key")).to_be_hidden()  # until private_key_jwt is chosen
    page.get_by_label(re.compile(r"private_key_jwt")).check()
    page.get_by_label("Public key").fill("not a key")
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".errorlist").get_by_text("This is not a PEM public key.")).to_be_visible()
    page.get_by_label("Public key").fill(key.export_to_pem().decode())
    for _ in range(3):
        page.get_by_role("button", name="Next").click()
    expect(page.locator("dl.summary")).to_contain_text("1 public key")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("there is no client key")).to_be_visible()
    expect(page.get_by_label("Client Key", exact=True)).to_have_count(0)
    client_id = page.get_by_label("Client ID", exact=True).input_value()
    token_url = f"{live_server.url}/o/token/"
    now = int(time.time())
    assertion = jwt.JWT(
        header={"alg": "ES256", "kid": key.thumbprint()},
        claims={"iss": client_id, "sub": client_id, "aud": token_url, "exp": now + 120, "iat": now, "jti": uuid.uuid4().hex},
    )
    assertion.make_signed_token(key)
    granted = requests.post(token_url, data={
        "grant_type": "client_credentials", "client_assertion": assertion.serialize(),
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    }, timeout=10)
    assert granted.status_code == 200, granted.text
    assert me(live_server, granted.json()["access_token"]).json()["kind"] == "service_credential"
