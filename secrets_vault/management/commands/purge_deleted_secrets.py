"""`manage.py purge_deleted_secrets`: the scheduled purge, run now, with progress output."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from identity.errors import DomainError
from secrets_vault import housekeeping


class Command(BaseCommand):
    help = "Delete for good the secrets deleted longer ago than PORTCULLIS_SECRET_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=housekeeping.PURGE_BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = housekeeping.secrets_purgeable_count()
        days = settings.PORTCULLIS_SECRET_RETENTION_DAYS
        self.stdout.write(f"{total} secret(s) deleted more than {days} day(s) ago to purge.")

        def progress(done):
            percent = 100 * done // total if total else 100
            self.stderr.write(f"\rPurged {done}/{max(total, done)} ({min(percent, 100)}%)", ending="")
            self.stderr.flush()

        try:
            purged = housekeeping.secrets_purge_deleted(batch_size=batch_size, on_progress=progress)
        except DomainError as error:
            raise CommandError(error.message) from error
        if purged:
            self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(f"Purged {purged} secret(s)."))
