"""Portal forms for the directory and service tokens. They validate shape; services decide."""

from django import forms
from django.contrib.auth.password_validation import validate_password

from identity.models import AuditAction, Resource, ResourceKind, Role
from identity.models.resources import PRODUCTS
from identity.permissions import CATALOGUE

EXPIRY_CHOICES = [("", "Never"), ("24h", "24 hours"), ("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"), ("365d", "365 days")]


class RoleChoiceMixin:
    def role_choices(self, organization):
        return [(role.name, role.name) for role in Role.objects.filter(organization=organization)]


class ServiceTokenForm(RoleChoiceMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=150, help_text="What uses it, e.g. terraform-ci.")
    roles = forms.MultipleChoiceField(label="Roles", widget=forms.CheckboxSelectMultiple, choices=())
    # 30 days unless chosen otherwise, as GitHub's tokens; "Never" stays one choice away. (The API keeps
    # its contract: no expires_in, or null, is a token that never expires.)
    expires_in = forms.ChoiceField(label="Expiration", choices=EXPIRY_CHOICES, required=False, initial="30d")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = self.role_choices(organization)


def _audit_action_choices():
    """Every AuditAction, grouped by what it acts on, each group led by "all of them"
    (``"secret."``: the filter matches by prefix)."""
    groups = {}
    for value, _ in AuditAction.choices:
        subject = value.partition(".")[0]
        groups.setdefault(subject, [(f"{subject}.", f"{subject}.* (all)")]).append((value, value))
    return [("", "All actions"), *((subject.replace("_", " ").capitalize(), options) for subject, options in groups.items())]


class AuditActionField(forms.ChoiceField):
    """An action, or all actions on one subject; a bare subject (``?action=group``) means the
    same as ``group.``, so older links keep working."""

    def to_python(self, value):
        value = super().to_python(value)
        if value and "." not in value:
            value += "."
        return value


class AuditFilterForm(forms.Form):
    action = AuditActionField(label="Action", required=False, choices=_audit_action_choices)
    actor = forms.CharField(label="Actor", required=False, max_length=200)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class MemberAddForm(RoleChoiceMixin, forms.Form):
    username = forms.CharField(
        label="Username", max_length=150,
        help_text="A new username creates the person. Someone who already has an account is sent an "
        "invitation, and joins when they accept it.",
    )
    email = forms.EmailField(label="Email", required=False, help_text="Only for a new user.")
    role = forms.ChoiceField(label="Role")
    password = forms.CharField(
        label="Initial password", required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Only for a new user; leave empty to set one later.",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = self.role_choices(organization)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if password:
            validate_password(password)
        return password or None


class MemberRoleForm(RoleChoiceMixin, forms.Form):
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = self.role_choices(organization)


class GroupForm(RoleChoiceMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=150)
    roles = forms.MultipleChoiceField(label="Roles", widget=forms.CheckboxSelectMultiple, required=False)
    members = forms.MultipleChoiceField(label="Members", widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, principal, **kwargs):
        from identity.selectors import member_usernames

        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = self.role_choices(principal.organization)
        self.fields["members"].choices = [(username, username) for username in member_usernames(principal=principal)]


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", help_text="One of the organization's resource kinds (Resource Kinds page).")
    name = forms.CharField(label="Name", max_length=200)
    parent = forms.TypedChoiceField(label="Parent", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, principal, exclude_pk=None, **kwargs):
        from identity.selectors import resource_list

        super().__init__(*args, **kwargs)
        kinds = list(ResourceKind.objects.filter(organization=principal.organization).values_list("name", flat=True))
        current = self.initial.get("kind")
        if current and current not in kinds:
            # A kind no longer declared still shows, so the page opens; saving it says what is wrong.
            kinds.append(current)
        self.fields["kind"].choices = [("", "— choose a kind —")] + [(kind, kind) for kind in kinds]
        resources = resource_list(principal=principal).exclude(pk=exclude_pk)
        self.fields["parent"].choices = [("", "— none —")] + [(r.pk, str(r)) for r in resources]


def permission_choices(organization, keep=()):
    """Checkbox choices grouped by kind: the platform catalogue, then the organization's resource kinds.

    ``keep`` (a role's current permissions) are offered even when no longer declared, so editing
    the role shows them rather than silently dropping them.
    """
    groups = {}
    for permission in CATALOGUE:
        kind, action = permission.split(":", 1)
        groups.setdefault(kind, []).append((permission, action))
    for resource_kind in ResourceKind.objects.filter(organization=organization).order_by("name"):
        groups.setdefault(resource_kind.name, []).extend((p, p.split(":", 1)[1]) for p in resource_kind.permissions)
    offered = {permission for choices in groups.values() for permission, _ in choices}
    for permission in sorted(set(keep) - offered):
        kind, _, action = permission.partition(":")
        groups.setdefault(kind, []).append((permission, f"{action} (no longer declared)"))
    return [(kind, choices) for kind, choices in groups.items()]


class RoleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    description = forms.CharField(label="Description", max_length=300, required=False)
    permissions = forms.MultipleChoiceField(
        label="Permissions", widget=forms.CheckboxSelectMultiple, required=False,
        help_text="Grouped by kind: the portal's own, then the organization's resource kinds.",
    )
    product = forms.TypedChoiceField(
        label="Product", required=False, coerce=int, empty_value=None,
        help_text="A product's role is bound only on that product, and is what credentials bound to it may hold.",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = permission_choices(organization, keep=self.initial.get("permissions", ()))
        products = Resource.objects.filter(organization=organization, kind=PRODUCTS).order_by("name")
        self.fields["product"].choices = [("", "— none —")] + [(p.pk, p.name) for p in products]

    @staticmethod
    def initial_for(role):
        return {
            "name": role.name, "description": role.description, "permissions": list(role.permissions),
            "product": role.product_id,
        }


class ResourceKindForm(forms.Form):
    name = forms.CharField(label="Name", max_length=50, help_text="In the plural, e.g. studios.")
    actions = forms.CharField(
        label="Actions", max_length=2500,
        help_text="What can be given on resources of this kind, separated by commas or spaces, e.g. read, write, deploy.",
    )

    @staticmethod
    def initial_for(kind):
        return {"name": kind.name, "actions": ", ".join(kind.actions)}

    @staticmethod
    def actions_from(cleaned_data):
        return [action for action in cleaned_data["actions"].replace(",", " ").split() if action]
