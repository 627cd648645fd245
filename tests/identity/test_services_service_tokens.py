"""Service token services: created once with a digest only, authenticated, expired, bootstrapped."""

from datetime import timedelta

import pytest
from django.utils import timezone

from identity import apikeys, clock, services
from identity.errors import Conflict, InvalidInput
from identity.models import AuditEvent, Organization, ServiceToken
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_service_token

pytestmark = pytest.mark.django_db
BOOTSTRAP = "an-operator-chosen-bootstrap-token-0123456789"


def test_a_new_token_is_stored_as_a_digest_only(organization):
    row, plaintext = make_service_token(organization)
    assert row.digest == apikeys.digest(plaintext)
    assert plaintext not in str(row.__dict__)
    assert plaintext not in str(row)


def test_creating_a_token_is_audited_without_the_token(organization):
    row, plaintext = make_service_token(organization, roles=("member",))
    event = AuditEvent.objects.get(action="service_token.create", target_id=str(row.pk))
    assert event.details["roles"] == ["member"]
    assert plaintext not in str(event.details)


def test_a_taken_token_name_is_a_conflict(organization):
    make_service_token(organization, name="ci")
    with pytest.raises(Conflict):
        make_service_token(organization, name="ci")


def test_a_token_with_an_unknown_role_is_not_created(organization):
    with pytest.raises(InvalidInput) as raised:
        make_service_token(organization, roles=("sys_admin", "emperor"))
    assert raised.value.field_errors == {"roles": ["Unknown role: emperor."]}
    assert not ServiceToken.objects.exists()


def test_authentication_finds_the_token_and_notes_its_last_use(organization):
    row, plaintext = make_service_token(organization)
    assert services.service_token_authenticate(plaintext) == row
    assert ServiceToken.objects.get(pk=row.pk).last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(organization, monkeypatch):
    row, plaintext = make_service_token(organization)
    start = timezone.now()
    for offset, expected in [(0, 0), (59, 0), (61, 61)]:
        monkeypatch.setattr(clock, "now", lambda offset=offset: start + timedelta(seconds=offset))
        services.service_token_authenticate(plaintext)
        assert ServiceToken.objects.get(pk=row.pk).last_used_at == start + timedelta(seconds=expected)


def test_a_token_past_its_expiry_does_not_authenticate(organization, monkeypatch):
    _, plaintext = make_service_token(organization, expires_in="1h")
    monkeypatch.setattr(clock, "now", lambda: timezone.now() + timedelta(hours=1, seconds=1))
    assert services.service_token_authenticate(plaintext) is None


@pytest.mark.parametrize("raw", ["", "short", "pct_" + "0" * 59, "x" * 600, None])
def test_malformed_tokens_do_not_authenticate(raw):
    assert services.service_token_authenticate(raw) is None


def test_deleting_a_token_is_audited(organization):
    row, _ = make_service_token(organization, name="old")
    services.service_token_delete(service_token=row, actor=SYSTEM_PRINCIPAL_ADMIN(organization))
    assert AuditEvent.objects.filter(action="service_token.delete", target_name="old").exists()


def _configure_bootstrap(settings, **overrides):
    settings.PORTCULLIS_BOOTSTRAP_TOKEN = BOOTSTRAP
    settings.PORTCULLIS_BOOTSTRAP_ORG = "boot"
    settings.PORTCULLIS_BOOTSTRAP_ROLES = ["sys_admin"]
    settings.PORTCULLIS_BOOTSTRAP_TTL = "24h"
    for name, value in overrides.items():
        setattr(settings, f"PORTCULLIS_BOOTSTRAP_{name}", value)


def test_bootstrap_creates_the_organization_and_the_token_once(settings):
    _configure_bootstrap(settings)
    first = services.bootstrap_token_ensure()
    again = services.bootstrap_token_ensure()
    assert first == again
    assert Organization.objects.filter(slug="boot").count() == 1
    assert services.service_token_authenticate(BOOTSTRAP) == first


def test_bootstrap_does_nothing_without_a_configured_token(settings):
    settings.PORTCULLIS_BOOTSTRAP_TOKEN = ""
    assert services.bootstrap_token_ensure() is None
    assert not ServiceToken.objects.exists()


@pytest.mark.parametrize(
    "overrides,message",
    [({"ORG": ""}, "PORTCULLIS_BOOTSTRAP_ORG"), ({"ROLES": ["emperor"]}, "Unknown role"), ({"TTL": "soon"}, "expires_in")],
)
def test_bootstrap_misconfiguration_is_a_clear_error(settings, overrides, message):
    _configure_bootstrap(settings, **overrides)
    with pytest.raises(InvalidInput, match=message):
        services.bootstrap_token_ensure()
    assert not ServiceToken.objects.exists()
