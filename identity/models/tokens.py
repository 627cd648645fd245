"""Service tokens: API keys for headless tools, stored only as a keyed digest."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .organizations import Organization
from .role_views import HoldsOrganizationRoles


class ServiceToken(HoldsOrganizationRoles, models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="service_tokens")
    name = models.CharField(max_length=150)
    key_id = models.CharField(max_length=32, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="service_token_name_unique_per_org"),
        ]

    def __str__(self):
        return self.name

    def is_expired(self, now=None):
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
