"""WSGI entry point (`config.wsgi:application`, served by gunicorn in production)."""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def _ensure_bootstrap_token():
    """Create the configured bootstrap token at start; several workers may race, one row wins."""
    from django.conf import settings
    from django.db import DatabaseError, connections

    if not settings.PORTCULLIS_BOOTSTRAP_TOKEN:
        return
    from identity.services import bootstrap_token_ensure

    try:
        bootstrap_token_ensure()
    except DatabaseError:
        logging.getLogger(__name__).warning("Bootstrap token not created: is the database migrated?")
    finally:
        # Under `gunicorn --preload` this runs in the master before it forks: a connection left
        # open here would be one socket shared by every worker.
        connections.close_all()


_ensure_bootstrap_token()
