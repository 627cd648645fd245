"""Role bindings: the one way anyone holds a permission.

A binding gives its subject (a person, a group, a service credential or a service token) a role,
single permissions, or both, at the organization or on one resource and everything below it. It
refers to its role, so changing the role changes what every binding of it gives, at once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .credentials import ServiceCredential
from .groups import Group
from .organizations import Membership, Organization, Role
from .resources import Resource
from .tokens import ServiceToken

USER = "user"
GROUP = "group"
SERVICE_CREDENTIAL = "service_credential"
SERVICE_TOKEN = "service_token"
SUBJECT_KINDS = (USER, GROUP, SERVICE_CREDENTIAL, SERVICE_TOKEN)

# The directory kind whose write permission manages a subject kind's bindings.
SUBJECT_ADMIN_KINDS = {
    USER: "members",
    GROUP: "groups",
    SERVICE_CREDENTIAL: "service_credentials",
    SERVICE_TOKEN: "service_tokens",
}


class RoleBinding(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="role_bindings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="role_bindings"
    )
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="role_bindings")
    service_credential = models.ForeignKey(
        ServiceCredential, null=True, blank=True, on_delete=models.CASCADE, related_name="role_bindings"
    )
    service_token = models.ForeignKey(
        ServiceToken, null=True, blank=True, on_delete=models.CASCADE, related_name="role_bindings"
    )
    # Set on the one binding that is a member's role (what `members/` shows and changes).
    membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="role_binding"
    )
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.PROTECT, related_name="bindings")
    permissions = models.JSONField(default=list, blank=True)
    # None: the whole organization. A resource: it and every resource below it.
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="role_bindings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="role_binding_has_one_subject",
                condition=(
                    Q(user__isnull=False, group__isnull=True, service_credential__isnull=True, service_token__isnull=True)
                    | Q(user__isnull=True, group__isnull=False, service_credential__isnull=True, service_token__isnull=True)
                    | Q(user__isnull=True, group__isnull=True, service_credential__isnull=False, service_token__isnull=True)
                    | Q(user__isnull=True, group__isnull=True, service_credential__isnull=True, service_token__isnull=False)
                ),
            ),
        ]
        indexes = [models.Index(fields=["organization", "user"])]

    def __str__(self):
        what = self.role.name if self.role_id else ", ".join(self.permissions)
        return f"{what} for {self.subject_kind} {self.subject_id} on {self.resource or 'the organization'}"

    @property
    def subject_kind(self):
        for kind in SUBJECT_KINDS:
            if getattr(self, f"{kind}_id") is not None:
                return kind
        return None

    @property
    def subject_id(self):
        return getattr(self, f"{self.subject_kind}_id")
