"""WSGI entry point (`config.wsgi:application`, served by gunicorn in production)."""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def _ensure_bootstrap_token():
    """Create the configured bootstrap token at start; several workers may race, one row wins."""
    from django.conf import settings
    from django.db import DatabaseError

    if not settings.PORTCULLIS_BOOTSTRAP_TOKEN:
        return
    from identity.services import bootstrap_token_ensure

    try:
        bootstrap_token_ensure()
    except DatabaseError:
        logging.getLogger(__name__).warning("Bootstrap token not created: is the database migrated?")


_ensure_bootstrap_token()
