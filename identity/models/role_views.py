"""A subject's roles at the organization, read from its role bindings (the one place they live)."""

from django.db.models import Prefetch

ORGANIZATION_ROLE_BINDINGS = "organization_role_bindings"


def organization_role_bindings_filter():
    return {"resource__isnull": True, "role__isnull": False, "membership__isnull": True}


def prefetch_organization_roles():
    """For lists: every row's organization roles in one more query."""
    from .bindings import RoleBinding

    queryset = RoleBinding.objects.filter(**organization_role_bindings_filter()).select_related("role")
    return Prefetch("role_bindings", queryset=queryset, to_attr=ORGANIZATION_ROLE_BINDINGS)


class HoldsOrganizationRoles:
    """For groups and service tokens: ``organization_roles``, their roles at the organization."""

    @property
    def organization_roles(self):
        bindings = getattr(self, ORGANIZATION_ROLE_BINDINGS, None)
        if bindings is None:
            bindings = self.role_bindings.filter(**organization_role_bindings_filter()).select_related("role")
        return sorted((binding.role for binding in bindings), key=lambda role: role.name)
