"""Resources: what a role binding names (company, project, environment, product…), and their kinds."""

from django.db import models

from .organizations import Organization

MAX_RESOURCE_DEPTH = 10

# What a new organization's resources can be, each with its actions.
DEFAULT_RESOURCE_KINDS = {
    "companies": ["read", "write"],
    "projects": ["read", "write"],
    "environments": ["read", "write"],
    "products": ["read", "write"],
}
PRODUCTS = "products"


class ResourceKind(models.Model):
    """What resources of an organization can be (in the plural) and what can be done on them."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="resource_kinds")
    name = models.CharField(max_length=50)
    actions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="resource_kind_unique_per_org"),
        ]

    def __str__(self):
        return self.name

    @property
    def permissions(self):
        return [f"{self.name}:{action}" for action in self.actions]


class Resource(models.Model):
    """A node of the organization's resource tree; a grant on it holds for its descendants."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(max_length=50, help_text="What it is, in the plural, e.g. projects or studios.")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "name"], name="resource_unique_per_org"),
        ]
        indexes = [models.Index(fields=["organization", "parent"])]

    def __str__(self):
        return f"{self.kind}/{self.name}"

    def ancestor_ids(self):
        """This resource's id and its ancestors' ids, nearest first (one query, whatever the depth)."""
        from identity.resource_tree import ancestor_ids

        return ancestor_ids([self.pk])[self.pk]
