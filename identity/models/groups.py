"""Groups of people and service credentials sharing role bindings."""

from django.contrib.auth.models import Group as AuthGroup
from django.db import models

from .organizations import Organization
from .role_views import HoldsOrganizationRoles


class Group(HoldsOrganizationRoles, models.Model):
    """An organization's group, backed by an auth Group that holds its members.

    Its members are the auth group's users (``auth_group.user_set``): one place holds membership.
    Its roles are its role bindings at the organization (``role_bindings``).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=150)
    auth_group = models.OneToOneField(AuthGroup, on_delete=models.CASCADE, related_name="portcullis_group")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="group_name_unique_per_org"),
        ]

    def __str__(self):
        return self.name
