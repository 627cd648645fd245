"""Read queries the portal and the API share; every one starts from the principal.

A list selector takes the principal asking, refuses it (``NotPermitted``) unless it may read that
kind of object in its organization, and reads that organization only: no face can skip the check,
and another organization's object is simply not found. The platform's own lists (root
credentials, the platform audit log) ask ``ensure_may_on_platform`` instead.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from identity.authorization import ensure_may_on_platform, may
from identity.credential_selectors import READ as CREDENTIALS_READ, credential_reach
from identity.errors import NotPermitted
from identity.models import (
    AuditEvent,
    Group,
    Invitation,
    Membership,
    Organization,
    Resource,
    ResourceKind,
    Role,
    RoleBinding,
    ServiceCredential,
    ServiceToken,
)
from identity.models.role_views import prefetch_organization_roles


def organizations_for_user(user):
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user=user).distinct()


def organization_for_user(user, slug):
    return organizations_for_user(user).filter(slug=slug).first()


def organization_list(*, search=""):
    """Every organization with its member count, for the platform (superusers, root credentials)."""
    queryset = Organization.objects.annotate(member_count=Count("memberships")).order_by("slug")
    if search:
        queryset = queryset.filter(Q(slug__icontains=search) | Q(name__icontains=search))
    return queryset


def _may_read(principal, kind):
    """``<kind>:read``, or ``<kind>:write``: whoever may change an object sees it (as a credential's
    reach counts either), so an edit page or a PATCH finds its object."""
    return may(principal, f"{kind}:read") or may(principal, f"{kind}:write")


def _readable(principal, kind):
    """The principal's organization, once it may read ``kind`` there; ``NotPermitted`` otherwise."""
    if not _may_read(principal, kind):
        raise NotPermitted(f"You need the {kind}:read permission.")
    return principal.organization


def member_list(*, principal, search=""):
    queryset = Membership.objects.filter(organization=_readable(principal, "members")).select_related(
        "user", "role_binding__role"
    )
    if search:
        queryset = queryset.filter(Q(user__username__icontains=search) | Q(user__email__icontains=search))
    return queryset.order_by("user__username")


def member_usernames(*, principal):
    """The members' usernames for the group form's picker: whoever reads members, or writes groups
    (putting people in a group means picking them by name)."""
    if not (_may_read(principal, "members") or may(principal, "groups:write")):
        raise NotPermitted("You need the members:read permission.")
    members = Membership.objects.filter(organization=principal.organization).order_by("user__username")
    return list(members.values_list("user__username", flat=True))


def invitation_list(*, principal):
    """The organization's open invitations (pending or expired), newest first."""
    return (
        Invitation.objects.filter(
            organization=_readable(principal, "members"), accepted_at__isnull=True, cancelled_at__isnull=True
        )
        .select_related("user", "role")
        .order_by("-created_at", "-id")
    )


def role_list(*, principal):
    # Meta.ordering is dropped from GROUP BY queries: order explicitly, or pages overlap.
    return (
        Role.objects.filter(organization=_readable(principal, "roles"))
        .select_related("product")
        .annotate(member_count=Count("bindings__membership"))
        .order_by("-is_builtin", "name")
    )


def group_list(*, principal, search=""):
    queryset = (
        Group.objects.filter(organization=_readable(principal, "groups")).select_related("auth_group").prefetch_related(
            prefetch_organization_roles(), "auth_group__user_set"
        )
        # People only: a credential in the group is there through its hidden service user.
        .annotate(people_count=Count(
            "auth_group__user", filter=Q(auth_group__user__service_credential__isnull=True), distinct=True
        ))
        .order_by("name", "pk")  # the Count makes a GROUP BY, which drops Meta.ordering
    )
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset


def resource_list(*, principal, kind="", search=""):
    queryset = Resource.objects.filter(organization=_readable(principal, "resources")).select_related("parent")
    if kind:
        queryset = queryset.filter(kind=kind)
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset


def resource_kind_list(*, principal):
    """The organization's resource kinds, each with how many resources it has (``resource_count``).

    Resource kinds are administered with the resource tree: ``resources:read`` reads them.
    """
    organization = _readable(principal, "resources")
    counts = (
        Resource.objects.filter(organization=OuterRef("organization"), kind=OuterRef("name"))
        .order_by().values("kind").annotate(n=Count("pk")).values("n")
    )
    return (
        ResourceKind.objects.filter(organization=organization)
        .annotate(resource_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0))
        .order_by("name")
    )


def service_token_list(*, principal):
    return (
        ServiceToken.objects.filter(organization=_readable(principal, "service_tokens"))
        .select_related("created_by").prefetch_related(prefetch_organization_roles())
    )


def audit_event_list(*, principal, action="", actor="", since=None, until=None):
    """The audit log of the principal's organization, filtered."""
    return _audit_events(_readable(principal, "audit_events"), action, actor, since, until)


def platform_audit_event_list(*, principal, action="", actor="", since=None, until=None):
    """The platform audit log (organizations created, renamed, deleted; root credentials), for a
    superuser or a root credential holding ``organizations:read``; 404 for anyone inside an organization."""
    ensure_may_on_platform(principal, "organizations:read")
    return _audit_events(None, action, actor, since, until)


def _audit_events(organization, action, actor, since, until):
    queryset = AuditEvent.objects.filter(organization=organization)
    if action:
        queryset = queryset.filter(action__startswith=action)
    if actor:
        queryset = queryset.filter(actor_name__icontains=actor)
    if since:
        queryset = queryset.filter(created_at__gte=since)
    if until:
        queryset = queryset.filter(created_at__lt=until)
    return queryset


def service_credential_list(*, principal, status="", search=""):
    """The credentials of the principal's organization it reaches (``credential_reach``), with their
    live token count: all of them with ``service_credentials:read`` (or ``:write``) there, else those
    bound, or with a binding, inside the resources where it holds it. ``NotPermitted`` when it reaches none.
    """
    reach = credential_reach(principal)
    if not reach.may_read:
        raise NotPermitted(f"You need the {CREDENTIALS_READ} permission.")
    queryset = _service_credentials(principal.organization, status, search)
    if reach.sees_all:
        return queryset
    with_binding_inside = RoleBinding.objects.filter(
        resource_id__in=list(reach.visible), service_credential__isnull=False
    ).values("service_credential_id")
    return queryset.filter(Q(pk__in=with_binding_inside) | Q(bound_resource_id__in=list(reach.visible)))


def root_service_credential_list(*, principal):
    """Every root credential (outside every organization), for a superuser or a root credential
    holding ``root_service_credentials:read``; 404 for anyone inside an organization."""
    ensure_may_on_platform(principal, "root_service_credentials:read")
    return _service_credentials(None)


def _service_credentials(organization, status="", search=""):
    """Credentials of an organization (``None``: root credentials), with their live token count."""
    queryset = (
        ServiceCredential.objects.filter(organization=organization)
        .select_related("application", "created_by", "organization", "bound_resource")
        .prefetch_related("groups")
        .annotate(
            # Every live key's tokens: during a rotation the previous key's count too.
            live_tokens=Count(
                "client_keys__application__accesstoken",
                filter=Q(client_keys__application__accesstoken__expires__gt=timezone.now()),
                distinct=True,
            )
        )
        .order_by("name", "pk")  # the Count makes a GROUP BY, which drops Meta.ordering
    )
    if status == ServiceCredential.Status.EXPIRED:
        queryset = queryset.filter(Q(status=status) | Q(status="active", expires_at__lte=timezone.now()))
    elif status == ServiceCredential.Status.ACTIVE:
        queryset = queryset.filter(status=status).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    elif status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(application__client_id=search))
    return queryset


def resource_paths(*, principal):
    """``[(resource_id, "kind/name", "company/acme › projects/alpha")]`` for pickers, in one query.

    ``kind/name`` is unique in an organization, so it is what a person types to pick a resource;
    the path shows where it sits in the tree. The pickers grant a credential on resources, so
    whoever reaches credentials (``credential_reach``) reads the paths, as ``resources:read`` does.
    """
    if not (_may_read(principal, "resources") or credential_reach(principal).may_read):
        raise NotPermitted("You need the resources:read permission.")
    resources = Resource.objects.filter(organization=principal.organization)
    rows = {pk: (kind, name, parent) for pk, kind, name, parent in resources.values_list("pk", "kind", "name", "parent_id")}

    def path(pk):
        parts, seen = [], set()
        while pk is not None and pk in rows and pk not in seen:
            seen.add(pk)
            kind, name, pk = rows[pk]
            parts.append(f"{kind}/{name}")
        return " › ".join(reversed(parts))

    return sorted(((pk, f"{kind}/{name}", path(pk)) for pk, (kind, name, _) in rows.items()), key=lambda row: row[2])
