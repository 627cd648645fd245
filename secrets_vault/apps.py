from django.apps import AppConfig


class SecretsVaultConfig(AppConfig):
    name = "secrets_vault"
    verbose_name = "Secrets vault"

    def ready(self):
        from secrets_vault import checks  # noqa: F401  (registers the system checks)
