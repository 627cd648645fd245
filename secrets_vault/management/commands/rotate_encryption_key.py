"""`manage.py rotate_encryption_key`: re-encrypt every secret under the first configured key.

Batches commit one by one, and each run selects what is still under another key id, so an
interrupted run is simply run again.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from identity.errors import DomainError
from secrets_vault import housekeeping
from secrets_vault.crypto import get_encryptor


class Command(BaseCommand):
    help = "Re-encrypt every secret under the first key of PORTCULLIS_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=housekeeping.ROTATE_BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()

        def progress(done, total):
            width = 30
            filled = width * done // total if total else width
            bar = "#" * filled + "-" * (width - filled)
            self.stderr.write(f"\r[{bar}] {done}/{total} ({100 * done // total if total else 100}%)", ending="")
            self.stderr.flush()

        try:
            key_id = get_encryptor().current_key_id
            rotated, total = housekeeping.secrets_rotate_encryption_key(batch_size=batch_size, on_progress=progress)
        except DomainError as error:
            raise CommandError(error.message) from error
        if rotated:
            self.stderr.write("")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {rotated} secret(s) under key {key_id} in {elapsed:.1f}s; every secret is now under it.")
        )
