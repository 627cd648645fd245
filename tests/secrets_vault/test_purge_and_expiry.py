"""The purge after retention, the expiry marking and the warning emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from identity.models import AuditAction, AuditEvent
from secrets_vault import housekeeping, services, tasks
from secrets_vault.models import Secret
from tests.factories import make_member

from .conftest import make_secret


def delete_days_ago(secret, days):
    Secret.objects.filter(pk=secret.pk).update(deleted_at=timezone.now() - timedelta(days=days))


def test_only_secrets_past_retention_are_purged(organization, holder_principal, capsys):
    old = make_secret(organization, holder_principal, name="old")
    recent = make_secret(organization, holder_principal, name="recent")
    kept = make_secret(organization, holder_principal, name="kept")
    delete_days_ago(old, 31)
    delete_days_ago(recent, 29)
    call_command("purge_deleted_secrets")
    assert set(Secret.objects.values_list("name", flat=True)) == {"recent", "kept"}
    assert "Purged 1 secret(s)." in capsys.readouterr().out
    event = AuditEvent.objects.get(action=AuditAction.SECRET_PURGE)
    assert event.details["secrets"] == [{"name": "old", "type": "api_key"}]
    assert kept.pk and recent.pk


def test_the_retention_period_is_configurable(organization, holder_principal, settings):
    settings.PORTCULLIS_SECRET_RETENTION_DAYS = 5
    secret = make_secret(organization, holder_principal)
    delete_days_ago(secret, 6)
    assert tasks.purge_deleted_secrets() == 1


def test_an_interrupted_purge_loses_nothing_and_a_rerun_completes(organization, holder_principal, monkeypatch):
    for number in range(10):
        delete_days_ago(make_secret(organization, holder_principal, name=f"s{number}"), 40)
    real_create = AuditEvent.objects.create
    calls = []

    def die_in_third_batch(**kwargs):
        calls.append(1)
        if kwargs.get("action") == AuditAction.SECRET_PURGE and len(calls) == 3:
            raise SystemExit("worker killed")
        return real_create(**kwargs)

    monkeypatch.setattr(AuditEvent.objects, "create", die_in_third_batch)
    with pytest.raises(SystemExit):
        housekeeping.secrets_purge_deleted(batch_size=3)
    monkeypatch.setattr(AuditEvent.objects, "create", real_create)
    assert Secret.objects.count() == 4  # two batches went, the third rolled back whole
    purged_in_audit = sum(e.details["count"] for e in AuditEvent.objects.filter(action=AuditAction.SECRET_PURGE))
    assert purged_in_audit == 6
    assert housekeeping.secrets_purge_deleted(batch_size=3) == 4
    assert not Secret.objects.exists()
    assert sum(e.details["count"] for e in AuditEvent.objects.filter(action=AuditAction.SECRET_PURGE)) == 10


def test_running_the_purge_again_does_nothing(organization, holder_principal):
    delete_days_ago(make_secret(organization, holder_principal), 40)
    assert housekeeping.secrets_purge_deleted() == 1
    assert housekeeping.secrets_purge_deleted() == 0


def test_personal_secret_names_stay_out_of_the_organization_audit(organization, member):
    from identity.principals import principal_for_user

    principal = principal_for_user(member, organization)
    secret = make_secret(organization, principal, name="my-bank-pin", personal=True)
    delete_days_ago(secret, 40)
    housekeeping.secrets_purge_deleted()
    for event in AuditEvent.objects.filter(organization=organization):
        assert "my-bank-pin" not in f"{event} {event.details}"


def test_expired_secrets_are_marked_once(organization, holder_principal):
    now = timezone.now()
    make_secret(organization, holder_principal, name="gone", expires_at=now - timedelta(hours=1))
    make_secret(organization, holder_principal, name="fine", expires_at=now + timedelta(days=100))
    assert housekeeping.secrets_mark_expired(now=now) == 1
    assert housekeeping.secrets_mark_expired(now=now) == 0
    event = AuditEvent.objects.get(action=AuditAction.SECRET_EXPIRE)
    assert event.target_name == "gone"


def test_admins_get_one_warning_email_before_expiry(organization, holder_principal, account_holder):
    make_member(organization, role="sys_admin", email="ops@example.com")
    make_member(organization, role="member", email="dev@example.com")
    now = timezone.now()
    make_secret(organization, holder_principal, name="soon", expires_at=now + timedelta(days=3))
    make_secret(organization, holder_principal, name="later", expires_at=now + timedelta(days=60))
    result = tasks.expire_secrets()
    assert result["warning_emails"] == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([account_holder.email, "ops@example.com"])
    assert "soon" in message.body and "later" not in message.body
    assert tasks.expire_secrets()["warning_emails"] == 0
    assert len(mail.outbox) == 1


def test_a_personal_secret_warns_its_owner_only(organization, member, account_holder):
    from identity.principals import principal_for_user

    principal = principal_for_user(member, organization)
    make_secret(organization, principal, name="mine", personal=True, expires_at=timezone.now() + timedelta(days=2))
    housekeeping.secrets_warn_expiring()
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_a_new_expiry_date_warns_again(organization, holder_principal):
    now = timezone.now()
    secret = make_secret(organization, holder_principal, expires_at=now + timedelta(days=2))
    housekeeping.secrets_warn_expiring(now=now)
    services.secret_update(secret=secret, actor=holder_principal, expires_at=now + timedelta(days=5))
    housekeeping.secrets_warn_expiring(now=now)
    assert len(mail.outbox) == 2


def test_both_tasks_are_scheduled_daily(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"secrets_vault.tasks.purge_deleted_secrets", "secrets_vault.tasks.expire_secrets"} <= tasks_scheduled
