"""Celery tasks of the vault: thin, each calls one service. Safe to re-run after a killed worker."""

from celery import shared_task

from . import housekeeping


@shared_task(name="secrets_vault.tasks.purge_deleted_secrets")
def purge_deleted_secrets(batch_size=housekeeping.PURGE_BATCH_SIZE):
    return housekeeping.secrets_purge_deleted(batch_size=batch_size)


@shared_task(name="secrets_vault.tasks.expire_secrets")
def expire_secrets():
    return {"expired": housekeeping.secrets_mark_expired(), "warning_emails": housekeeping.secrets_warn_expiring()}
