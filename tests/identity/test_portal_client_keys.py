"""The portal's "Regenerate Client Keys": new keys shown before they are valid, "Save" with a grace
period applies them, leaving changes nothing; the credential's page lists its keys and retires one."""

from datetime import timedelta

import pytest
from oauth2_provider.models import Application

from identity import clock
from identity.models import AuditEvent, ClientKey
from tests.factories import make_credential, make_member
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    return client


def pages(organization, credential):
    base = f"/orgs/{organization.slug}/service-credentials/{credential.pk}/"
    return base, f"{base}regenerate/", f"{base}regenerate/new-keys/"


def grant(client, client_id, secret):
    return client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(client_id, secret))


def regenerate(holder, organization, credential):
    """POST "Regenerate Client Keys" and open the new keys page: ``(client_id, client_secret)``."""
    _, regenerate_url, new_keys_url = pages(organization, credential)
    posted = holder.post(regenerate_url)
    assert posted.status_code == 302 and posted["Location"] == new_keys_url
    page = holder.get(new_keys_url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    return page.context["client_id"], page.context["client_secret"]


def test_regenerating_shows_new_keys_that_are_not_valid_until_saved(holder, organization, client):
    credential, old_secret = make_credential(organization, name="rolled")
    applications = Application.objects.count()
    client_id, secret = regenerate(holder, organization, credential)
    page = holder.get(pages(organization, credential)[0])  # left without saving
    assert Application.objects.count() == applications
    assert grant(client, client_id, secret).status_code == 401
    assert grant(client, credential.client_id, old_secret).status_code == 200
    assert secret not in page.content.decode()
    assert not AuditEvent.objects.filter(action="service_credential.regenerate_secret").exists()


def test_the_new_keys_page_offers_download_and_save_with_a_grace_period(holder, organization):
    credential, _ = make_credential(organization, name="rolled")
    _, regenerate_url, new_keys_url = pages(organization, credential)
    holder.post(regenerate_url)
    body = holder.get(new_keys_url).content.decode()
    for words in ("Download Client Keys", ">Save</button>", "Grace period", "not valid yet"):
        assert words in body
    csv = holder.get(regenerate_url)  # the explanation page is a GET that makes nothing
    assert "Regenerate Client Keys" in csv.content.decode()


def test_saving_applies_the_pair_shown_and_keeps_the_old_one_for_the_grace_period(holder, organization, client, monkeypatch):
    credential, old_secret = make_credential(organization, name="rolled")
    old_id = credential.client_id
    client_id, secret = regenerate(holder, organization, credential)
    detail_url, _, new_keys_url = pages(organization, credential)
    saved = holder.post(new_keys_url, {"client_id": client_id, "grace_period": "1h"})
    assert saved.status_code == 302 and saved["Location"] == detail_url
    assert grant(client, client_id, secret).status_code == 200
    assert grant(client, old_id, old_secret).status_code == 200
    later = clock.now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert grant(client, old_id, old_secret).status_code == 401
    assert grant(client, client_id, secret).status_code == 200


def test_a_reload_shows_the_key_no_more_and_makes_no_other_but_save_still_works(holder, organization, client):
    credential, _ = make_credential(organization, name="rolled")
    client_id, secret = regenerate(holder, organization, credential)
    new_keys_url = pages(organization, credential)[2]
    reloaded = holder.get(new_keys_url)
    body = reloaded.content.decode()
    assert secret not in body and "shown once" in body and client_id in body
    assert "no-store" in reloaded["Cache-Control"]
    holder.post(new_keys_url, {"client_id": client_id, "grace_period": "0"})
    assert grant(client, client_id, secret).status_code == 200
    assert ClientKey.objects.filter(credential=credential).count() == 2


def test_saving_twice_or_a_pair_that_was_replaced_changes_nothing(holder, organization, client):
    credential, _ = make_credential(organization, name="rolled")
    first_id, first_secret = regenerate(holder, organization, credential)
    second_id, second_secret = regenerate(holder, organization, credential)
    new_keys_url = pages(organization, credential)[2]
    stale = holder.post(new_keys_url, {"client_id": first_id, "grace_period": "0"}, follow=True)
    assert "nothing changed" in stale.content.decode()
    assert grant(client, first_id, first_secret).status_code == 401
    assert grant(client, second_id, second_secret).status_code == 401
    third_id, third_secret = regenerate(holder, organization, credential)
    holder.post(new_keys_url, {"client_id": third_id, "grace_period": "0"})
    again = holder.post(new_keys_url, {"client_id": third_id, "grace_period": "0"}, follow=True)
    assert "nothing changed" in again.content.decode()
    assert ClientKey.objects.filter(credential=credential).count() == 2  # the first and the third


def test_the_pending_pair_sits_in_the_session_only_as_ciphertext(holder, organization, caplog):
    credential, _ = make_credential(organization, name="sealed")
    client_id, secret = regenerate(holder, organization, credential)
    assert secret not in str(dict(holder.session)) and secret not in caplog.text


def test_the_credential_page_lists_its_keys_and_retires_one(holder, organization, client):
    credential, old_secret = make_credential(organization, name="rolled")
    old_id = credential.client_id
    client_id, secret = regenerate(holder, organization, credential)
    detail_url, _, new_keys_url = pages(organization, credential)
    holder.post(new_keys_url, {"client_id": client_id, "grace_period": "7d"})
    page = holder.get(detail_url).content.decode()
    assert old_id in page and client_id in page and ">Retire</button>" in page
    retired = holder.post(f"{detail_url}keys/{old_id}/retire/", follow=True)
    assert "retired" in retired.content.decode()
    assert grant(client, old_id, old_secret).status_code == 401
    assert ">Retire</button>" not in holder.get(detail_url).content.decode()
    last = holder.post(f"{detail_url}keys/{client_id}/retire/", follow=True)
    assert "only live client key" in last.content.decode()
    assert grant(client, client_id, secret).status_code == 200


def test_the_page_warns_while_an_old_key_is_still_used_near_its_end(holder, organization, client, monkeypatch):
    credential, old_secret = make_credential(organization, name="rolled")
    old_id = credential.client_id
    client_id, _ = regenerate(holder, organization, credential)
    detail_url, _, new_keys_url = pages(organization, credential)
    holder.post(new_keys_url, {"client_id": client_id, "grace_period": "7d"})
    assert 'data-testid="old-key-warning"' not in holder.get(detail_url).content.decode()
    later = clock.now() + timedelta(days=6, hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert 'data-testid="old-key-warning"' not in holder.get(detail_url).content.decode()  # near, but unused
    assert grant(client, old_id, old_secret).status_code == 200
    page = holder.get(detail_url).content.decode()
    assert 'data-testid="old-key-warning"' in page and old_id in page


def test_a_third_regeneration_is_refused_before_showing_keys(holder, organization):
    credential, _ = make_credential(organization, name="rolled")
    client_id, _ = regenerate(holder, organization, credential)
    _, regenerate_url, new_keys_url = pages(organization, credential)
    holder.post(new_keys_url, {"client_id": client_id, "grace_period": "24h"})
    refused = holder.post(regenerate_url, follow=True)
    assert "two live client keys" in refused.content.decode()
    assert "client_secret" not in refused.context


def test_another_organizations_credential_pages_are_not_found(holder, other_organization):
    credential, _ = make_credential(other_organization, name="theirs")
    base = f"/orgs/{other_organization.slug}/service-credentials/{credential.pk}/"
    assert holder.post(f"{base}regenerate/").status_code == 404
    assert holder.get(f"{base}regenerate/new-keys/").status_code == 404
    assert holder.post(f"{base}keys/{credential.client_id}/retire/").status_code == 404
