"""Which service credentials a person may see, and where they may change their bindings.

One place answers it for the portal's credential pages, through ``identity.authorization``: an
organization-wide ``service_credentials:read`` (or ``:write``) sees every credential; the same
permission bound on a resource reaches that resource and everything below it, so a project admin
sees the credentials bound there and edits their bindings there, and nowhere else.
``identity.selectors.service_credential_list`` reads the credentials a reach sees.
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from identity.authorization import may, may_on_each
from identity.models import Resource, RoleBinding
from identity.resource_tree import subtree_ids

READ = "service_credentials:read"
WRITE = "service_credentials:write"


@dataclass(frozen=True)
class CredentialReach:
    """``everywhere_*``: held organization-wide; ``visible`` / ``manageable``: resource ids (subtrees included)."""

    everywhere_read: bool = False
    everywhere_write: bool = False
    visible: frozenset = frozenset()
    manageable: frozenset = frozenset()

    @property
    def sees_all(self):
        return self.everywhere_read or self.everywhere_write

    @property
    def may_read(self):
        return self.sees_all or bool(self.visible)

    @property
    def may_manage(self):
        return self.everywhere_write or bool(self.manageable)

    def manages(self, resource_id):
        """May they change credentials' bindings on this resource?"""
        return self.everywhere_write or resource_id in self.manageable


def credential_reach(principal):
    """Where ``principal`` reaches credentials: none for an organization-wide admin, a few (constant) otherwise."""
    everywhere_read, everywhere_write = may(principal, READ), may(principal, WRITE)
    if everywhere_write or not principal.resource_permissions:
        return CredentialReach(everywhere_read, everywhere_write)
    places = list(Resource.objects.filter(organization=principal.organization, pk__in=list(principal.resource_permissions)))
    answers = may_on_each(principal, [(permission, place) for place in places for permission in (READ, WRITE)])
    reading = [place.pk for place, read, write in zip(places, answers[::2], answers[1::2]) if read or write]
    writing = [place.pk for place, write in zip(places, answers[1::2]) if write]
    manageable = frozenset(subtree_ids(writing))
    visible = frozenset(subtree_ids(reading)) if set(reading) != set(writing) else manageable
    return CredentialReach(everywhere_read, everywhere_write, visible, manageable)


def with_roles_and_groups(queryset):
    """Each credential's groups and its bindings with a role (``role_bindings_shown``): two queries for a page."""
    bindings = RoleBinding.objects.filter(role__isnull=False).select_related("role", "resource").order_by(
        "resource__kind", "resource__name", "role__name"
    )
    return queryset.prefetch_related(Prefetch("role_bindings", queryset=bindings, to_attr="role_bindings_shown"))

