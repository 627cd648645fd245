"""Groups of people (and, later, service credentials) sharing roles and resource grants."""

from django.contrib.auth.models import Group as AuthGroup
from django.db import models

from .organizations import Organization, Role


class Group(models.Model):
    """An organization's group, backed by an auth Group so django-guardian grants apply to it.

    Its members are the auth group's users (``auth_group.user_set``): one place holds membership,
    so Django's and guardian's group permission checks see exactly what the portal shows.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=150)
    auth_group = models.OneToOneField(AuthGroup, on_delete=models.CASCADE, related_name="portcullis_group")
    roles = models.ManyToManyField(Role, blank=True, related_name="groups")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="group_name_unique_per_org"),
        ]

    def __str__(self):
        return self.name
