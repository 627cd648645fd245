"""Client keys rotate without downtime: two live pairs during a grace period, then the old one and
its tokens die (time moved through identity.clock, never slept), or at once when retired."""

from datetime import timedelta

import pytest
from oauth2_provider.models import AccessToken, Application

from identity import clock, services
from identity.errors import Conflict, InvalidInput, NotFound
from identity.models import AuditEvent, ClientKey, ServiceCredential
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db


def grant(client, client_id, secret):
    return client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(client_id, secret))


def token_of(client, client_id, secret):
    response = grant(client, client_id, secret)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def me(client, token):
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def regenerate(credential, grace_period="0"):
    admin = SYSTEM_PRINCIPAL_ADMIN(credential.organization)
    credential, secret = services.service_credential_regenerate_secret(credential=credential, actor=admin, grace_period=grace_period)
    return credential, credential.client_id, secret


def retire(credential, client_id):
    admin = SYSTEM_PRINCIPAL_ADMIN(credential.organization)
    return services.service_credential_retire_key(credential=credential, actor=admin, client_id=client_id)


def move_clock(monkeypatch, delta):
    later = clock.now() + delta
    monkeypatch.setattr(clock, "now", lambda: later)


@pytest.fixture
def rotated(organization, client):
    """A credential whose first pair has a token, regenerated with a 24 h grace period."""
    credential, old_secret = make_credential(organization, permissions=["studios:read"])
    old_id = credential.client_id
    old_token = token_of(client, old_id, old_secret)
    credential, new_id, new_secret = regenerate(credential, "24h")
    return credential, (old_id, old_secret, old_token), (new_id, new_secret)


def test_both_pairs_work_during_the_grace_period(rotated, client):
    credential, (old_id, old_secret, old_token), (new_id, new_secret) = rotated
    assert new_id != old_id
    assert me(client, old_token) == 200
    assert me(client, token_of(client, old_id, old_secret)) == 200
    assert me(client, token_of(client, new_id, new_secret)) == 200
    assert grant(client, new_id, old_secret).status_code == 401  # a pair, not any id with any key


def test_the_old_pair_and_its_tokens_die_when_the_grace_period_ends(rotated, client, monkeypatch):
    credential, (old_id, old_secret, old_token), (new_id, new_secret) = rotated
    later_token = token_of(client, old_id, old_secret)
    move_clock(monkeypatch, timedelta(hours=24, seconds=1))
    assert me(client, old_token) == 401 and me(client, later_token) == 401
    assert grant(client, old_id, old_secret).status_code == 401
    assert me(client, token_of(client, new_id, new_secret)) == 200


def test_a_token_dies_with_its_key_even_while_the_token_itself_is_unexpired(rotated, client, monkeypatch):
    credential, (old_id, _old_secret, old_token), _ = rotated
    key = ClientKey.objects.get(application__client_id=old_id)
    access_token = AccessToken.objects.get(application__client_id=old_id)
    ClientKey.objects.filter(pk=key.pk).update(expires_at=clock.now() + timedelta(minutes=1))
    AccessToken.objects.filter(pk=access_token.pk).update(expires=clock.now() + timedelta(hours=2))
    assert me(client, old_token) == 200

    move_clock(monkeypatch, timedelta(minutes=1, seconds=1))  # the key's end, well before the token's

    assert me(client, old_token) == 401


def test_a_retired_key_ends_its_unexpired_tokens_at_the_next_request(rotated, client):
    credential, (old_id, _old_secret, old_token), _ = rotated
    ClientKey.objects.filter(application__client_id=old_id).update(retired_at=clock.now())
    assert me(client, old_token) == 401


def test_the_expiry_task_marks_an_ended_key_drops_its_tokens_and_audits_once(rotated, client, monkeypatch):
    credential, (old_id, old_secret, old_token), _ = rotated
    old_key = ClientKey.objects.get(application__client_id=old_id)
    move_clock(monkeypatch, timedelta(hours=23))
    services.service_credentials_expire()
    assert ClientKey.objects.get(pk=old_key.pk).retired_at is None  # not yet
    move_clock(monkeypatch, timedelta(hours=1, seconds=1))
    assert services.service_credentials_expire() == 0  # no credential expired: only a key ended
    services.service_credentials_expire()
    old_key.refresh_from_db()
    assert old_key.retired_at == old_key.expires_at
    assert not AccessToken.objects.filter(application__client_id=old_id).exists()
    events = AuditEvent.objects.filter(action="client_key.expire")
    assert events.count() == 1 and events.get().details["client_id"] == old_id
    assert ServiceCredential.objects.get(pk=credential.pk).status == "active"


def test_no_grace_period_ends_the_previous_pair_and_its_tokens_at_once(organization, client):
    credential, secret = make_credential(organization)
    old_id = credential.client_id
    token = token_of(client, old_id, secret)
    credential, new_id, new_secret = regenerate(credential)
    assert me(client, token) == 401
    assert grant(client, old_id, secret).status_code == 401
    assert me(client, token_of(client, new_id, new_secret)) == 200
    assert [key.client_id for key in ClientKey.objects.filter(credential=credential, retired_at__isnull=True)] == [new_id]


def test_retiring_the_old_key_ends_it_and_its_tokens_now(rotated, client):
    credential, (old_id, old_secret, old_token), (new_id, new_secret) = rotated
    retire(credential, old_id)
    assert me(client, old_token) == 401
    assert grant(client, old_id, old_secret).status_code == 401
    assert me(client, token_of(client, new_id, new_secret)) == 200
    event = AuditEvent.objects.get(action="client_key.retire")
    assert event.details == {"client_id": old_id}


def test_retiring_the_new_key_keeps_the_old_one_for_good(rotated, client, monkeypatch):
    credential, (old_id, old_secret, _), (new_id, new_secret) = rotated
    retire(credential, new_id)
    credential = ServiceCredential.objects.get(pk=credential.pk)
    assert credential.client_id == old_id
    assert grant(client, new_id, new_secret).status_code == 401
    move_clock(monkeypatch, timedelta(days=30))
    assert me(client, token_of(client, old_id, old_secret)) == 200


def test_the_last_live_key_cannot_be_retired(organization):
    credential, _ = make_credential(organization)
    with pytest.raises(Conflict):
        retire(credential, credential.client_id)


def test_retiring_an_unknown_or_ended_key_is_not_found(rotated, organization):
    credential, (old_id, _, _), _ = rotated
    other, _ = make_credential(organization)
    for client_id in ("nope", other.client_id, "x" * 1000, "\x00"):
        with pytest.raises(NotFound):
            retire(credential, client_id)
    retire(credential, old_id)
    with pytest.raises(NotFound):
        retire(credential, old_id)


def test_a_third_regeneration_is_refused_while_two_keys_are_live(rotated):
    credential, (old_id, _, _), _ = rotated
    applications = Application.objects.count()
    with pytest.raises(Conflict):
        regenerate(credential, "1h")
    assert Application.objects.count() == applications
    retire(credential, old_id)
    regenerate(credential, "1h")


def test_a_key_whose_grace_ended_leaves_room_for_another_before_any_task_runs(rotated, monkeypatch):
    credential, *_ = rotated
    move_clock(monkeypatch, timedelta(hours=25))
    regenerate(credential, "1h")


def test_regeneration_is_audited_with_its_grace_period(rotated):
    credential, (old_id, _, _), (new_id, _) = rotated
    event = AuditEvent.objects.get(action="service_credential.regenerate_secret")
    assert event.details["grace_period"] == "24h"
    assert event.details["client_id"] == new_id and event.details["previous_client_id"] == old_id
    assert "previous_key_ends_at" in event.details


def test_an_unknown_grace_period_is_refused_naming_the_field(organization):
    credential, _ = make_credential(organization)
    for bad in ("2h", "", None, 24, "0\x00"):
        with pytest.raises(InvalidInput) as error:
            regenerate(credential, bad)
        assert "grace_period" in error.value.field_errors


@pytest.mark.parametrize("operation", ["revoke", "disable", "delete"])
def test_revoke_disable_and_delete_kill_every_keys_tokens(rotated, client, operation):
    credential, (old_id, old_secret, old_token), (new_id, new_secret) = rotated
    new_token = token_of(client, new_id, new_secret)
    admin = SYSTEM_PRINCIPAL_ADMIN(credential.organization)
    if operation == "revoke":
        services.service_credential_revoke(credential=credential, actor=admin, confirm_name=credential.name)
    elif operation == "disable":
        services.service_credential_disable(credential=credential, actor=admin)
    else:
        services.service_credential_delete(credential=credential, actor=admin)
        assert not Application.objects.filter(client_id__in=[old_id, new_id]).exists()
    assert me(client, old_token) == 401 and me(client, new_token) == 401
    assert not AccessToken.objects.filter(application__client_id__in=[old_id, new_id]).exists()
    assert grant(client, old_id, old_secret).status_code == 401 and grant(client, new_id, new_secret).status_code == 401


def test_expiring_the_credential_kills_every_keys_tokens(rotated, client, monkeypatch):
    credential, (old_id, _, old_token), (new_id, new_secret) = rotated
    new_token = token_of(client, new_id, new_secret)
    ServiceCredential.objects.filter(pk=credential.pk).update(expires_at=clock.now() + timedelta(hours=1))
    move_clock(monkeypatch, timedelta(hours=2))
    assert services.service_credentials_expire() == 1
    assert not AccessToken.objects.filter(application__client_id__in=[old_id, new_id]).exists()
    assert me(client, old_token) == 401 and me(client, new_token) == 401


def test_a_private_key_jwt_credential_has_no_client_key_to_regenerate(organization):
    credential, _ = make_credential(organization, auth_method="private_key_jwt")
    with pytest.raises(Conflict):
        regenerate(credential, "1h")


def test_each_key_remembers_when_it_was_last_used(rotated, client):
    credential, (old_id, old_secret, _), (new_id, new_secret) = rotated
    token_of(client, new_id, new_secret)
    new_key = ClientKey.objects.get(application__client_id=new_id)
    assert new_key.last_used_at is not None
    assert ClientKey.objects.get(application__client_id=old_id).last_used_at is not None
