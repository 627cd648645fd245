"""Portal forms for the directory and service tokens. They validate shape; services decide."""

from django import forms
from django.contrib.auth.password_validation import validate_password

from identity.models import Role
from identity.permissions import CATALOGUE, PERMISSION_PATTERN

EXPIRY_CHOICES = [("", "Never"), ("24h", "24 hours"), ("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"), ("365d", "365 days")]


class RoleChoiceMixin:
    def role_choices(self, organization):
        return [(role.name, role.name) for role in Role.objects.filter(organization=organization)]


class ServiceTokenForm(RoleChoiceMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=150, help_text="What uses it, e.g. terraform-ci.")
    roles = forms.MultipleChoiceField(label="Roles", widget=forms.CheckboxSelectMultiple, choices=())
    expires_in = forms.ChoiceField(label="Expiration", choices=EXPIRY_CHOICES, required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = self.role_choices(organization)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label="Action", required=False, max_length=64)
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

    def __init__(self, *args, organization, **kwargs):
        from identity.selectors import member_list

        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = self.role_choices(organization)
        self.fields["members"].choices = [(m.user.username, m.user.username) for m in member_list(organization=organization)]


class ResourceForm(forms.Form):
    kind = forms.CharField(label="Kind", max_length=50, help_text="In the plural, e.g. projects, environments, studios.")
    name = forms.CharField(label="Name", max_length=200)
    parent = forms.TypedChoiceField(label="Parent", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, organization, exclude_pk=None, **kwargs):
        from identity.selectors import resource_list

        super().__init__(*args, **kwargs)
        resources = resource_list(organization=organization).exclude(pk=exclude_pk)
        self.fields["parent"].choices = [("", "— none —")] + [(r.pk, str(r)) for r in resources]


class RoleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    description = forms.CharField(label="Description", max_length=300, required=False)
    permissions = forms.MultipleChoiceField(label="Permissions", widget=forms.CheckboxSelectMultiple, required=False)
    extra_permissions = forms.CharField(
        label="More permissions", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Resource permissions such as studios:create, one per line.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = [(p, p) for p in CATALOGUE]

    @staticmethod
    def initial_for(role):
        return {
            "name": role.name,
            "description": role.description,
            "permissions": [p for p in role.permissions if p in CATALOGUE],
            "extra_permissions": "\n".join(p for p in role.permissions if p not in CATALOGUE),
        }

    def clean_extra_permissions(self):
        typed = [line.strip() for line in self.cleaned_data["extra_permissions"].splitlines() if line.strip()]
        bad = [p for p in typed if not PERMISSION_PATTERN.match(p)]
        if bad:
            raise forms.ValidationError(f"“{bad[0]}” is not a permission: write kind:action, e.g. studios:create.")
        return "\n".join(typed)

    @staticmethod
    def permissions_from(cleaned_data):
        """The checked catalogue permissions plus the typed ones, one per line."""
        extra = [line.strip() for line in cleaned_data["extra_permissions"].splitlines() if line.strip()]
        return list(cleaned_data["permissions"]) + extra
