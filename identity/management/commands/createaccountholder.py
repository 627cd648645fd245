"""Create an organization (if new) and its Account Holder, then say where to log in."""

import getpass
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
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
        password = self._password(noinput, username=username, email=email)
        try:
            organization, user = services.account_holder_create(
                org_slug=org, username=username, email=email, password=password
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Created Account Holder {user.username} of {organization.slug}."))
        self.stdout.write(f"Log in at {login_url()}")

    def _password(self, noinput, *, username, email):
        if noinput:
            password = os.environ.get("PORTCULLIS_PASSWORD", "")
            if not password:
                raise CommandError("With --noinput, set the password in PORTCULLIS_PASSWORD.")
            return password
        # A person at a terminal gets another try, as Django's createsuperuser does; the service
        # still checks the password again.
        candidate = get_user_model()(username=username, email=email)
        while True:
            try:
                password = getpass.getpass("Password: ")
                again = getpass.getpass("Password (again): ")
            except (EOFError, KeyboardInterrupt) as error:
                raise CommandError("No password given: nothing was created.") from error
            if password != again:
                self.stderr.write("The passwords do not match. Try again.")
                continue
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages) + " Try again.")
                continue
            return password


def login_url():
    """The portal's login page: the public issuer URL when one is set, else where `make run` serves."""
    base = settings.PORTCULLIS_ISSUER or f"http://{os.environ.get('PORTCULLIS_DEV_ADDRESS', '127.0.0.1:8000')}"
    return base.rstrip("/") + "/login/"
