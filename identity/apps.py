from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity"

    def ready(self):
        from identity import checks  # noqa: F401  (registers the system checks)
        from identity.api import schema  # noqa: F401  (registers the OpenAPI security schemes)
