"""Scheduled identity work; thin wrappers around services, safe to re-run after a lost task."""

from celery import shared_task

from identity import services


@shared_task(name="identity.tasks.expire_service_credentials")
def expire_service_credentials():
    return services.service_credentials_expire()


@shared_task(name="identity.tasks.clear_expired_oauth_tokens")
def clear_expired_oauth_tokens():
    return services.oauth_housekeeping()
