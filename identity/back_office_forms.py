"""The back office's forms (organizations, root service accounts). They validate shape; services decide."""

from django import forms

from identity.models import ServiceCredential
from identity.permissions import PLATFORM_PERMISSIONS


class OrganizationCreateForm(forms.Form):
    slug = forms.CharField(
        label="Slug", max_length=50,
        help_text="Lowercase letters, digits and hyphens; the realm of its credentials. It cannot change later.",
    )
    name = forms.CharField(label="Name", max_length=200)
    account_holder_username = forms.CharField(label="Account Holder username", max_length=150)
    account_holder_email = forms.EmailField(
        label="Account Holder email", max_length=254, help_text="They are sent a link to set their password."
    )

    # The service names these as the API does.
    error_aliases = {"account_holder.username": "account_holder_username", "account_holder.email": "account_holder_email"}


class OrganizationRenameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)


class OrganizationDeleteForm(forms.Form):
    confirm = forms.CharField(label="Organization slug", max_length=50, help_text="Type the slug to confirm.")


class RootCredentialForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150)
    permissions = forms.MultipleChoiceField(
        label="Platform permissions", widget=forms.CheckboxSelectMultiple,
        choices=[(permission, permission) for permission in PLATFORM_PERMISSIONS],
    )
    token_endpoint_auth_method = forms.ChoiceField(
        label="Authentication method", choices=ServiceCredential.AuthMethod.choices,
        initial=ServiceCredential.AuthMethod.CLIENT_SECRET_BASIC,
    )
    public_key = forms.CharField(
        label="Public key (PEM)", required=False, widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="Only for private_key_jwt: the key its JWTs are signed with.",
    )
