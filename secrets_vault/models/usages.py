"""Where a secret is used: one row per principal that read its value, with counts and times."""

from django.conf import settings
from django.db import models


class SecretUsage(models.Model):
    secret = models.ForeignKey("secrets_vault.Secret", on_delete=models.CASCADE, related_name="usages")
    principal_kind = models.CharField(max_length=32)
    principal_name = models.CharField(max_length=200)
    # Links may go when the person or token does; the name stays for the history.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    service_token = models.ForeignKey(
        "identity.ServiceToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_used_at = models.DateTimeField()
    last_used_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-last_used_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["secret", "principal_kind", "principal_name"], name="secret_usage_unique_per_principal"
            ),
        ]

    def __str__(self):
        return f"{self.principal_kind} {self.principal_name}"
