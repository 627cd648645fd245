"""Create the bootstrap service token from PORTCULLIS_BOOTSTRAP_* once."""

from django.core.management.base import BaseCommand, CommandError

from identity import services
from identity.errors import DomainError


class Command(BaseCommand):
    help = "Create the organization and service token named by PORTCULLIS_BOOTSTRAP_* if they do not exist yet."

    def handle(self, *args, **options):
        try:
            service_token = services.bootstrap_token_ensure()
        except DomainError as error:
            raise CommandError(error.message) from error
        if service_token is None:
            self.stdout.write("No bootstrap token configured (PORTCULLIS_BOOTSTRAP_TOKEN is empty).")
        else:
            self.stdout.write(f"Bootstrap token “{service_token.name}” is ready in {service_token.organization.slug}.")
