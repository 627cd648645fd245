"""Organizations, their roles and their members."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1 to 50 lowercase letters, digits and hyphens, not starting or ending with a hyphen.",
)


class Organization(models.Model):
    """A tenant. Its slug is the realm of its service credentials."""

    slug = models.SlugField(max_length=50, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.Model):
    """A named set of permissions. Built-in roles are created with each organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    permissions = models.JSONField(default=list)
    # A product's role: bound only on that product or below; what a product-bound credential may hold.
    product = models.ForeignKey(
        "identity.Resource", null=True, blank=True, on_delete=models.CASCADE, related_name="product_roles"
    )
    is_builtin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_builtin", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="role_name_unique_per_org"),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's place in an organization. Their role is a role binding (``role_binding``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_per_org"),
        ]

    def __str__(self):
        return f"{self.user} in {self.organization}"

    @property
    def role(self):
        """The member's role: a view onto the binding that holds it."""
        return self.role_binding.role
