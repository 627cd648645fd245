"""Pages that show a secret once are reached by a redirect: reloading them or replaying the form
makes nothing new, and the plaintext never sits in the session in clear."""

import time

import pytest

from identity import one_time
from identity.models import AuditEvent, ServiceCredential, ServiceToken
from tests.factories import make_credential, make_member

pytestmark = pytest.mark.django_db

WIZARD_PREFIX = "service_credential_create_wizard"


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    return client


def audit_count(action):
    return AuditEvent.objects.filter(action=action).count()


def run_wizard(client, organization, name="deployer"):
    url = f"/orgs/{organization.slug}/service-credentials/new/"
    client.get(url)
    for step, data in (
        ("details", {"name": name, "auth_method": "client_secret_basic"}),
        ("expiration", {"validity": "90d", "token_lifetime": "1h"}),
        ("access", {}),
    ):
        client.post(url, {f"{WIZARD_PREFIX}-current_step": step, **{f"{step}-{k}": v for k, v in data.items()}})
    return client.post(url, {f"{WIZARD_PREFIX}-current_step": "summary"})


def test_regenerating_redirects_to_the_new_keys_page_which_shows_the_key_once(holder, organization):
    credential, _ = make_credential(organization, name="rolled")
    posted = holder.post(f"/orgs/{organization.slug}/service-credentials/{credential.pk}/regenerate/")
    keys_url = f"/orgs/{organization.slug}/service-credentials/{credential.pk}/regenerate/new-keys/"
    assert posted.status_code == 302 and posted["Location"] == keys_url

    first = holder.get(keys_url)
    secret = first.context["client_secret"]
    assert secret.startswith("pcs_") and secret in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    assert "Download Client Keys" in first.content.decode()

    reloaded = holder.get(keys_url)
    body = reloaded.content.decode()
    assert reloaded.status_code == 200 and "no-store" in reloaded["Cache-Control"]
    assert "shown once" in body and secret not in body
    assert audit_count("service_credential.regenerate_secret") == 0  # nothing saved yet


def test_between_the_post_and_the_keys_page_the_session_holds_only_ciphertext(holder, organization):
    credential, _ = make_credential(organization, name="sealed")
    holder.post(f"/orgs/{organization.slug}/service-credentials/{credential.pk}/regenerate/")
    stored = str(dict(holder.session))
    page = holder.get(f"/orgs/{organization.slug}/service-credentials/{credential.pk}/regenerate/new-keys/")
    secret = page.context["client_secret"]
    assert secret not in stored and "pcs_" not in stored
    assert secret not in str(dict(holder.session))  # kept for Save, sealed


def test_the_wizard_redirects_to_the_keys_page_and_a_reload_makes_nothing(holder, organization):
    saved = run_wizard(holder, organization)
    credential = ServiceCredential.objects.get(name="deployer")
    keys_url = f"/orgs/{organization.slug}/service-credentials/{credential.pk}/keys/"
    assert saved.status_code == 302 and saved["Location"] == keys_url
    secret = holder.get(keys_url).context["client_secret"]
    again = holder.get(keys_url).content.decode()
    assert "These keys were shown once" in again and secret not in again
    assert ServiceCredential.objects.count() == 1 and audit_count("service_credential.create") == 1


def test_a_summary_replayed_after_the_wizard_finished_goes_to_the_keys_page_not_an_empty_step(holder, organization):
    run_wizard(holder, organization)
    credential = ServiceCredential.objects.get()
    holder.get(f"/orgs/{organization.slug}/service-credentials/{credential.pk}/keys/")
    replayed = holder.post(f"/orgs/{organization.slug}/service-credentials/new/", {f"{WIZARD_PREFIX}-current_step": "summary"})
    assert replayed.status_code == 302
    assert replayed["Location"] == f"/orgs/{organization.slug}/service-credentials/{credential.pk}/keys/"
    page = holder.get(replayed["Location"]).content.decode()
    assert "These keys were shown once" in page and "This field is required" not in page
    assert ServiceCredential.objects.count() == 1 and audit_count("service_credential.create") == 1


def test_a_step_posted_to_an_expired_wizard_starts_again_with_a_word_not_errors(holder, organization):
    url = f"/orgs/{organization.slug}/service-credentials/new/"
    replayed = holder.post(url, {f"{WIZARD_PREFIX}-current_step": "access"})
    assert replayed.status_code == 302 and replayed["Location"] == url
    page = holder.get(url).content.decode()
    assert "This form had expired" in page and "This field is required" not in page
    assert not ServiceCredential.objects.exists()


def test_a_created_service_token_is_shown_once_after_a_redirect(holder, organization):
    posted = holder.post(
        f"/orgs/{organization.slug}/service-tokens/new/", {"name": "terraform", "roles": ["member"], "expires_in": "30d"}
    )
    service_token = ServiceToken.objects.get()
    created_url = f"/orgs/{organization.slug}/service-tokens/{service_token.pk}/created/"
    assert posted.status_code == 302 and posted["Location"] == created_url
    first = holder.get(created_url)
    token = first.context["token"]
    assert token.startswith("pct_") and "no-store" in first["Cache-Control"]
    reloaded = holder.get(created_url)
    assert "This token was shown once" in reloaded.content.decode() and token not in reloaded.content.decode()
    assert "no-store" in reloaded["Cache-Control"]
    assert ServiceToken.objects.count() == 1 and audit_count("service_token.create") == 1


def test_the_keys_page_of_another_organization_is_not_found(holder, organization, other_organization):
    other = other_organization
    credential, _ = make_credential(other, name="theirs")
    assert holder.get(f"/orgs/{organization.slug}/service-credentials/{credential.pk}/keys/").status_code == 404
    assert holder.get(f"/orgs/{other.slug}/service-credentials/{credential.pk}/keys/").status_code == 404


def test_a_key_nobody_came_for_expires(holder, organization, monkeypatch):
    credential, _ = make_credential(organization, name="late")
    holder.post(f"/orgs/{organization.slug}/service-credentials/{credential.pk}/regenerate/")
    later = time.time() + one_time.MAX_AGE_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    page = holder.get(f"/orgs/{organization.slug}/service-credentials/{credential.pk}/regenerate/new-keys/").content.decode()
    assert "No new client keys are waiting" in page
