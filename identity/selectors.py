"""Read queries the portal and the API share; every one starts from the caller's organization."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from identity.models import (
    AuditEvent,
    Group,
    Invitation,
    Membership,
    Organization,
    Resource,
    ResourceKind,
    Role,
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


def member_list(*, organization, search=""):
    queryset = Membership.objects.filter(organization=organization).select_related("user", "role_binding__role")
    if search:
        queryset = queryset.filter(Q(user__username__icontains=search) | Q(user__email__icontains=search))
    return queryset.order_by("user__username")


def invitation_list(*, organization):
    """The organization's open invitations (pending or expired), newest first."""
    return (
        Invitation.objects.filter(organization=organization, accepted_at__isnull=True, cancelled_at__isnull=True)
        .select_related("user", "role")
        .order_by("-created_at", "-id")
    )


def role_list(*, organization):
    # Meta.ordering is dropped from GROUP BY queries: order explicitly, or pages overlap.
    return (
        Role.objects.filter(organization=organization)
        .select_related("product")
        .annotate(member_count=Count("bindings__membership"))
        .order_by("-is_builtin", "name")
    )


def group_list(*, organization, search=""):
    queryset = (
        Group.objects.filter(organization=organization).select_related("auth_group").prefetch_related(
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


def resource_list(*, organization, kind="", search=""):
    queryset = Resource.objects.filter(organization=organization).select_related("parent")
    if kind:
        queryset = queryset.filter(kind=kind)
    if search:
        queryset = queryset.filter(name__icontains=search)
    return queryset


def resource_kind_list(*, organization):
    """The organization's resource kinds, each with how many resources it has (``resource_count``)."""
    counts = (
        Resource.objects.filter(organization=OuterRef("organization"), kind=OuterRef("name"))
        .order_by().values("kind").annotate(n=Count("pk")).values("n")
    )
    return (
        ResourceKind.objects.filter(organization=organization)
        .annotate(resource_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0))
        .order_by("name")
    )


def service_token_list(*, organization):
    return ServiceToken.objects.filter(organization=organization).select_related("created_by").prefetch_related(prefetch_organization_roles())


def audit_event_list(*, organization, action="", actor="", since=None, until=None):
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


def service_credential_list(*, organization, status="", search=""):
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


def resource_paths(*, organization):
    """``[(resource_id, "kind/name", "company/acme › projects/alpha")]`` for pickers, in one query.

    ``kind/name`` is unique in an organization, so it is what a person types to pick a resource;
    the path shows where it sits in the tree.
    """
    rows = {pk: (kind, name, parent) for pk, kind, name, parent in
            Resource.objects.filter(organization=organization).values_list("pk", "kind", "name", "parent_id")}

    def path(pk):
        parts, seen = [], set()
        while pk is not None and pk in rows and pk not in seen:
            seen.add(pk)
            kind, name, pk = rows[pk]
            parts.append(f"{kind}/{name}")
        return " › ".join(reversed(parts))

    return sorted(((pk, f"{kind}/{name}", path(pk)) for pk, (kind, name, _) in rows.items()), key=lambda row: row[2])
