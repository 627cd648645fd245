"""Resources: what a grant names (company, project, environment, product, studio…)."""

from django.db import models

from .organizations import Organization

MAX_RESOURCE_DEPTH = 10


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
        """This resource's id and its ancestors' ids, nearest first (one query per level)."""
        ids, node = [], self
        while node is not None and len(ids) < MAX_RESOURCE_DEPTH:
            ids.append(node.pk)
            node = node.parent
        return ids
