"""Create a service token and print it once."""

from django.core.management.base import BaseCommand, CommandError

from identity import services
from identity.errors import DomainError
from identity.models import Organization
from identity.principals import SYSTEM_PRINCIPAL


class Command(BaseCommand):
    help = "Create a service token in an organization and print it (only the token goes to stdout)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization slug.")
        parser.add_argument("--name", required=True)
        parser.add_argument("--roles", required=True, help="Comma-separated role names, e.g. sys_admin.")
        parser.add_argument("--expires-in", default=None, help="e.g. 24h or 30d; never expires when omitted.")

    def handle(self, *args, org, name, roles, expires_in, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with the slug “{org}”.")
        try:
            service_token, plaintext = services.service_token_create(
                organization=organization,
                actor=SYSTEM_PRINCIPAL,
                name=name,
                roles=[role.strip() for role in roles.split(",") if role.strip()],
                expires_in=expires_in,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stderr.write(f"Service token “{service_token.name}” created. It is shown once: store it now.")
        self.stdout.write(plaintext)
