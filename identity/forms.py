"""Portal forms for the directory and service tokens. They validate shape; services decide."""

from django import forms

from identity.models import Role

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
