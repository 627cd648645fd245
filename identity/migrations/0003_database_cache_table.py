"""The embedded default cache's table, so that `migrate` alone prepares the database.

Without REDIS_URL the token endpoint's throttle reads the database cache on every grant: a
deployment that only ran `migrate` answered 500 (`no such table: portcullis_cache`). The table is
made by `createcachetable`, the way Django makes it, whichever cache is configured when `migrate`
runs, so that a deployment dropping REDIS_URL later needs nothing more. An existing table (from an
earlier `createcachetable`) is kept. Unapplying leaves the table: it holds only cache entries.
"""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_database_cache_table(apps, schema_editor):
    call_command(
        "createcachetable",
        settings.PORTCULLIS_DATABASE_CACHE["LOCATION"],
        database=schema_editor.connection.alias,
        verbosity=0,
    )


class Migration(migrations.Migration):
    dependencies = [("identity", "0002_servicecredential_usedclientassertion")]

    operations = [migrations.RunPython(create_database_cache_table, migrations.RunPython.noop)]
