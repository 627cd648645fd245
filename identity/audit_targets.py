"""What the audit log shows for an event's target: a readable kind, its name, and a link to it
while it still exists in the organization.

Events keep the target's model name, id and name as they were; the page resolves a whole page of
events with one query per kind of target, never one per row.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from identity.models import Group, Membership, Resource, ResourceKind, Role, ServiceCredential, ServiceToken


@dataclass(frozen=True)
class TargetKind:
    label: str
    model: type | None = None
    url_name: str | None = None


def _secret_model():
    # The vault is another app; imported late so identity does not depend on it at import time.
    from secrets_vault.models import Secret

    return Secret


TARGET_KINDS = {
    "servicecredential": TargetKind("Service credential", ServiceCredential, "portal:service_credential_detail"),
    "servicetoken": TargetKind("Service token", ServiceToken, None),
    "group": TargetKind("Group", Group, "portal:group_edit"),
    "role": TargetKind("Role", Role, "portal:role_edit"),
    "resource": TargetKind("Resource", Resource, "portal:resource_edit"),
    "resourcekind": TargetKind("Resource kind", ResourceKind, "portal:resource_kind_edit"),
    "membership": TargetKind("Member", Membership, "portal:member_edit"),
    "secret": TargetKind("Secret", None, "vault:secret_detail"),
    "organization": TargetKind("Organization"),
    "invitation": TargetKind("Invitation"),
    "rolebinding": TargetKind("Role binding"),
    "user": TargetKind("User"),
}


@dataclass(frozen=True)
class Target:
    kind: str
    name: str
    url: str | None


def _live_ids(kind, model, organization, ids):
    queryset = model.objects.filter(organization=organization, pk__in=ids)
    if kind == "secret":
        # Deleted secrets wait for their purge; personal ones are their owner's alone.
        queryset = queryset.filter(deleted_at__isnull=True, owner__isnull=True)
    return {str(pk) for pk in queryset.values_list("pk", flat=True)}


def _valid_ids(model, ids):
    """The ids that fit the model's primary key (an event's id is text; a bad one matches nothing)."""
    valid = []
    for value in ids:
        try:
            model._meta.pk.to_python(value)
        except ValidationError:
            continue
        valid.append(value)
    return valid


def describe_targets(events, *, organization):
    """``[(event, Target)]`` for one page of events."""
    events = list(events)
    wanted = {}
    for event in events:
        if event.target_type and event.target_id:
            wanted.setdefault(event.target_type, set()).add(event.target_id)
    live = {}
    for type_name, ids in wanted.items():
        kind = TARGET_KINDS.get(type_name)
        model = _secret_model() if type_name == "secret" else kind.model if kind else None
        if model is None or kind.url_name is None:
            continue
        live[type_name] = _live_ids(type_name, model, organization, _valid_ids(model, ids))
    described = []
    for event in events:
        kind = TARGET_KINDS.get(event.target_type)
        label = kind.label if kind else event.target_type.replace("_", " ").capitalize()
        url = None
        if kind and kind.url_name and event.target_id in live.get(event.target_type, ()):
            url = _url(kind.url_name, organization, event.target_id)
        described.append((event, Target(kind=label, name=event.target_name, url=url)))
    return described


def _url(url_name, organization, pk):
    try:
        if url_name.startswith("vault:"):
            return reverse(url_name, args=[organization.slug, pk])
        return reverse(url_name, kwargs={"org": organization.slug, "pk": pk})
    except NoReverseMatch:
        return None
