"""Create an organization (if new) and its Account Holder."""

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from identity import services
from identity.errors import DomainError


class Command(BaseCommand):
    help = "Create the organization if it is new, and its Account Holder. Password prompted, or PORTCULLIS_PASSWORD with --noinput."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization slug (created if new).")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--noinput", "--no-input", action="store_true", help="Read the password from PORTCULLIS_PASSWORD.")

    def handle(self, *args, org, username, email, noinput, **options):
        password = self._password(noinput)
        try:
            organization, user = services.account_holder_create(
                org_slug=org, username=username, email=email, password=password
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Created Account Holder {user.username} of {organization.slug}."))

    def _password(self, noinput):
        if noinput:
            password = os.environ.get("PORTCULLIS_PASSWORD", "")
            if not password:
                raise CommandError("With --noinput, set the password in PORTCULLIS_PASSWORD.")
            return password
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return password
