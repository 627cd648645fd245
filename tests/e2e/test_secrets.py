"""In a real browser: register a certificate with its key and a key/value secret from a .env
file, deactivate one, delete the other, checking the secrets list after each step."""

import datetime
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import OrganizationFactory, make_member
from tests.secrets_vault.conftest import TEST_KEY

pytestmark = pytest.mark.django_db(transaction=True)

SENTINEL = "E2E-SENTINEL-4c1d"


@pytest.fixture(autouse=True)
def vault_key(settings):
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY]


@pytest.fixture
def certificate_files(tmp_path):
    """A self-signed certificate and its key, written as service.pem and service.key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "e2e.example.com")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=120))
        .sign(key, hashes.SHA256())
    )
    cert_path = tmp_path / "service.pem"
    key_path = tmp_path / "service.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path, certificate.not_valid_after_utc.strftime("%Y-%m-%d")


@pytest.fixture
def env_file(tmp_path):
    path = tmp_path / "production.env"
    path.write_text(f"# the app's database\nDB_USER=app\nDB_PASSWORD={SENTINEL}\n")
    return path


def row(page, name):
    return page.locator(f"tr[data-secret='{name}']")


def test_register_deactivate_and_delete_secrets(page, live_server, log_in, certificate_files, env_file):
    organization = OrganizationFactory()
    holder = make_member(organization, role="account_holder")
    cert_path, key_path, expires_on = certificate_files
    list_url = live_server.url + reverse("vault:secret_list", args=[organization.slug])

    log_in(holder)
    page.goto(list_url)
    expect(page.get_by_role("heading", name="Secrets", exact=True)).to_be_visible()
    expect(page.get_by_text("No secrets yet.")).to_be_visible()

    # A certificate with its private key: the expiry is read from the certificate on upload.
    page.get_by_role("link", name="Register Secret").click()
    page.get_by_role("link", name=re.compile("^Certificate")).click()
    page.get_by_label("Secret Name").fill("payments-tls")
    page.get_by_label(re.compile(r"^Certificate")).set_input_files(cert_path)
    expect(page.locator("[data-certificate-expiry]")).to_have_text(expires_on)
    expect(page.locator("[data-dropzone-file]").first).to_have_text("Selected: service.pem")
    key_input = page.get_by_label("Private Key")
    expect(key_input).to_have_attribute("accept", ".key")
    key_input.set_input_files(key_path)
    page.get_by_role("button", name="Register Secret").click()
    expect(page.get_by_role("heading", name="payments-tls")).to_be_visible()
    expect(page.get_by_text("CN=e2e.example.com").first).to_be_visible()
    expect(page.get_by_text(f"Expiration Date {expires_on}, read from the certificate")).to_be_visible()

    page.goto(list_url)
    certificate_row = row(page, "payments-tls")
    expect(certificate_row).to_contain_text("Certificate")
    expect(certificate_row).to_contain_text(expires_on)
    expect(certificate_row).to_contain_text("Active")

    # Key/value pairs read from an uploaded .env file.
    page.get_by_role("link", name="Register Secret").click()
    page.get_by_role("link", name=re.compile(r"^Key.Value")).click()
    expect(page.get_by_role("button", name="Add row")).to_be_visible()
    page.get_by_label("Secret Name").fill("app-env")
    page.get_by_label("Upload a .env or JSON file").check()
    expect(page.get_by_role("button", name="Add row")).to_be_hidden()
    page.get_by_label("File", exact=True).set_input_files(env_file)
    page.get_by_role("button", name="Register Secret").click()
    expect(page.get_by_role("heading", name="app-env")).to_be_visible()
    expect(page.locator("dd").filter(has_text="DB_PASSWORD")).to_contain_text("DB_USER")

    page.goto(list_url)
    expect(row(page, "app-env")).to_contain_text("Key/Value")
    expect(page.locator("tbody tr")).to_have_count(2)

    # Deactivate the key/value secret: the page says why reads fail, the list shows it.
    row(page, "app-env").get_by_role("link", name="app-env").click()
    page.get_by_role("button", name="Deactivate").click()
    dialog = page.locator("#deactivate-dialog")
    expect(dialog).to_contain_text("Nothing is deleted")
    dialog.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("This secret is deactivated.")).to_be_visible()
    expect(page.get_by_role("button", name="Activate")).to_be_visible()
    page.goto(list_url)
    expect(row(page, "app-env")).to_contain_text("Inactive")
    page.get_by_label("Status").select_option("inactive")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(row(page, "app-env")).to_be_visible()

    # Delete the certificate: a confirmation first, then it is gone from the list.
    page.goto(list_url)
    row(page, "payments-tls").get_by_role("link", name="payments-tls").click()
    page.get_by_role("link", name="Delete Secret").click()
    expect(page.get_by_text("This is irreversible.")).to_be_visible()
    page.get_by_role("button", name="Delete Secret").click()
    expect(page).to_have_url(list_url)
    expect(row(page, "payments-tls")).to_have_count(0)
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(row(page, "app-env")).to_be_visible()

    assert SENTINEL not in page.content()


def test_a_file_dropped_on_the_drop_zone_is_uploaded(page, live_server, log_in):
    organization = OrganizationFactory()
    holder = make_member(organization, role="account_holder")
    register_url = live_server.url + reverse("vault:secret_register", args=[organization.slug, "key_value"])
    log_in(holder)
    page.goto(register_url)
    page.get_by_label("Secret Name").fill("dropped")
    page.locator("[data-dropzone]").evaluate(
        """zone => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["API_TOKEN=dropped-value\\n"], "dropped.env", {type: "text/plain"}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }"""
    )
    expect(page.locator("[data-dropzone-file]")).to_have_text("Selected: dropped.env")
    page.get_by_role("button", name="Register Secret").click()
    expect(page.get_by_role("heading", name="dropped")).to_be_visible()
    expect(page.locator("dd").filter(has_text="API_TOKEN")).to_be_visible()
