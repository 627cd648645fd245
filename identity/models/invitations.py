"""Invitations: how a person who already has an account joins another organization.

Adding an existing person as a member would hand their account to whoever typed their username;
an invitation waits until that person, signed in, accepts it. The link's token is stored only as a
digest (``identity.invitation_tokens``).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .organizations import Organization, Role

INVITATION_VALIDITY = timedelta(days=7)


class Invitation(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    # A role deleted before the invitation is accepted takes the invitation with it.
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The inviter's name stays when the link goes (a deleted user, or a service token that invited).
    invited_by_name = models.CharField(max_length=200)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open invitation per person and organization, even under concurrent requests.
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="invitation_one_open_per_person",
            ),
        ]

    def __str__(self):
        return f"Invitation of {self.user} to {self.organization}"

    @property
    def is_open(self):
        return self.accepted_at is None and self.cancelled_at is None

    def is_expired(self, now=None):
        return self.expires_at <= (now or timezone.now())

    @property
    def status(self):
        if self.accepted_at is not None:
            return "accepted"
        if self.cancelled_at is not None:
            return "cancelled"
        return "expired" if self.is_expired() else "pending"
