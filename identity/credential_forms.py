"""Portal forms for service credentials: the wizard's steps and the groups-and-resources editor.

They check shape, then ask the service's own checks (``service_credential_check_*``), so a step
shows what the final save would refuse while the person can still fix it there.
"""

import re

from django import forms

from identity import services
from identity.errors import DomainError
from identity.models import Group, Resource, Role, ServiceCredential
from identity.oauth.client_assertions import normalise_public_keys
from identity.services.credential_access import grants_view
from identity.permissions import is_valid_permission

Method = ServiceCredential.AuthMethod

AUTH_METHOD_CHOICES = [
    (Method.CLIENT_SECRET_BASIC, "Client key, sent with HTTP Basic authentication (client_secret_basic)"),
    (Method.CLIENT_SECRET_POST, "Client key, sent in the request body (client_secret_post)"),
    (Method.PRIVATE_KEY_JWT, "Our own key pair: a JWT signed with our private key (private_key_jwt)"),
]
VALIDITY_CHOICES = [("30d", "30 days"), ("90d", "90 days"), ("180d", "180 days"), ("365d", "365 days"), ("never", "Never expires")]
TOKEN_LIFETIME_CHOICES = [("15m", "15 minutes"), ("1h", "1 hour"), ("2h", "2 hours"), ("8h", "8 hours"), ("24h", "24 hours")]

# A grant row per resource; a page never builds more rows than the service accepts grants.
MAX_GRANT_ROWS = 500
EMPTY_GRANT_ROWS = 3


def _first_message(error):
    for messages in error.field_errors.values():
        return messages[0]
    return error.message


def pasted_key_source(pasted):
    """A pasted JWKS starts with ``{``; anything else is read as a PEM public key."""
    return {"jwks": pasted} if pasted.lstrip().startswith("{") else {"public_key": pasted}


class CredentialDetailsForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=150, help_text="What will use it, e.g. deploy-pipeline. Unique in the organization."
    )
    description = forms.CharField(
        label="Description", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: who owns it and what it is for.",
    )
    auth_method = forms.ChoiceField(
        label="Client authentication", choices=AUTH_METHOD_CHOICES, initial=Method.CLIENT_SECRET_BASIC,
        widget=forms.RadioSelect,
    )
    public_key = forms.CharField(
        label="Public key", required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        help_text='Only for private_key_jwt: paste a PEM public key or a JWKS ({"keys": [ … ]}). Never the private key.',
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_name(self):
        try:
            return services.service_credential_check_name(organization=self.organization, name=self.cleaned_data["name"])
        except DomainError as error:
            raise forms.ValidationError(_first_message(error)) from error

    def clean(self):
        cleaned = super().clean()
        pasted = (cleaned.get("public_key") or "").strip()
        if cleaned.get("auth_method") == Method.PRIVATE_KEY_JWT:
            if not pasted:
                self.add_error("public_key", "Paste the public key (PEM) or a JWKS that private_key_jwt checks signatures with.")
                return cleaned
            try:
                cleaned["key_set"] = normalise_public_keys(**pasted_key_source(pasted))
            except ValueError as error:
                self.add_error("public_key", str(error))
        elif pasted:
            self.add_error("public_key", "A public key is used only with private_key_jwt: choose it above, or clear this field.")
        return cleaned


class CredentialExpirationForm(forms.Form):
    validity = forms.ChoiceField(
        label="Credential validity", choices=VALIDITY_CHOICES, initial="90d", widget=forms.RadioSelect,
        help_text="After this the credential gets no more tokens; its tokens stop working.",
    )
    token_lifetime = forms.ChoiceField(
        label="Access token lifetime", choices=TOKEN_LIFETIME_CHOICES, initial="1h", widget=forms.RadioSelect,
        help_text="How long each access token it gets stays valid.",
    )


class CredentialAccessForm(forms.Form):
    """Groups to inherit from, and resources with what is granted on each (a role, permissions, or both).

    Grant rows are the fields ``grant_<n>_resource``, ``grant_<n>_role`` and ``grant_<n>_permissions``:
    as many as the data holds plus a few empty ones; the page's script adds more. A resource is
    typed as ``kind/name`` (unique in an organization) from a datalist, which copes with hundreds.
    """

    groups = forms.TypedMultipleChoiceField(
        label="Groups", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The credential inherits the roles and resource grants of these groups.",
    )
    bound_resource = forms.CharField(
        label="Bound to resource", required=False, max_length=260,
        widget=forms.TextInput(attrs={"list": "resource-options", "autocomplete": "off", "placeholder": "kind/name"}),
        help_text="Optional: then its grants, and what it inherits from its groups, count only inside this resource.",
    )

    def __init__(self, *args, organization, actor, resource_paths, with_bound_resource=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization, self.actor = organization, actor
        self.resource_ids = {label: pk for pk, label, _ in resource_paths}
        self.fields["groups"].choices = [(g.pk, g.name) for g in Group.objects.filter(organization=organization).order_by("name")]
        if not with_bound_resource:
            del self.fields["bound_resource"]
        role_choices = [("", "No role")] + [(r.name, r.name) for r in Role.objects.filter(organization=organization).order_by("name")]
        self.row_count = self._used_rows() + EMPTY_GRANT_ROWS
        for index in range(self.row_count):
            number = index + 1
            self.fields[f"grant_{index}_resource"] = forms.CharField(
                label=f"Resource {number}", required=False, max_length=260,
                widget=forms.TextInput(attrs={"list": "resource-options", "autocomplete": "off", "placeholder": "kind/name"}),
            )
            self.fields[f"grant_{index}_role"] = forms.ChoiceField(label=f"Role {number}", required=False, choices=role_choices)
            self.fields[f"grant_{index}_permissions"] = forms.CharField(
                label=f"Permissions {number}", required=False, max_length=2000,
                widget=forms.TextInput(attrs={"placeholder": "e.g. projects:read, deployments:write", "autocomplete": "off"}),
            )

    def _used_rows(self):
        source, name = (self.data, self.add_prefix("grant_")) if self.is_bound else (self.initial, "grant_")
        pattern = re.compile(rf"^{re.escape(name)}(\d{{1,4}})_resource$")
        indices = [int(match.group(1)) for key in source if (match := pattern.match(key))]
        return min(max(indices) + 1, MAX_GRANT_ROWS) if indices else 0

    def grant_rows(self):
        """``[(resource, role, permissions)]`` bound fields, one triple per row, for the template."""
        return [
            (self[f"grant_{i}_resource"], self[f"grant_{i}_role"], self[f"grant_{i}_permissions"])
            for i in range(self.row_count)
        ]

    def _resource_id(self, field, label):
        pk = self.resource_ids.get(label)
        if pk is None:
            self.add_error(field, f"No resource “{label}”: pick one from the list (kind/name, e.g. projects/alpha).")
        return pk

    def _clean_row(self, cleaned, index):
        resource_field, role_field, permissions_field = (f"grant_{index}_{part}" for part in ("resource", "role", "permissions"))
        label = (cleaned.get(resource_field) or "").strip()
        role = cleaned.get(role_field) or ""
        permissions = [p for p in re.split(r"[\s,]+", cleaned.get(permissions_field) or "") if p]
        if not (label or role or permissions):
            return None
        if not label:
            self.add_error(resource_field, "Pick the resource this grant is for.")
            return None
        bad = [p for p in permissions if not is_valid_permission(p)]
        if bad:
            self.add_error(permissions_field, f"“{bad[0]}” is not a permission: write kind:action, e.g. projects:read.")
        elif not (role or permissions):
            self.add_error(permissions_field, "Give a role or at least one permission on this resource.")
        pk = self._resource_id(resource_field, label)
        if pk is None or bad or not (role or permissions):
            return None
        grant = {"resource": pk, "permissions": permissions}
        if role:
            grant["role"] = role
        return grant

    def clean(self):
        cleaned = super().clean()
        grants = [grant for index in range(self.row_count) if (grant := self._clean_row(cleaned, index))]
        cleaned["resource_grants"] = grants
        label = (cleaned.get("bound_resource") or "").strip()
        cleaned["bound_resource"] = None
        if label and (pk := self._resource_id("bound_resource", label)) is not None:
            cleaned["bound_resource"] = Resource.objects.get(pk=pk)
        if not self.errors:
            try:
                services.service_credential_check_access(
                    organization=self.organization, actor=self.actor,
                    groups=list(cleaned.get("groups") or []), resource_grants=grants,
                )
            except DomainError as error:
                for field, messages in error.field_errors.items():
                    for message in messages:
                        self.add_error("groups" if field == "groups" else None, message)
                if not error.field_errors:
                    self.add_error(None, error.message)
        return cleaned

    @staticmethod
    def initial_for(credential, resource_paths):
        """The edit page's starting point: the credential's groups and its own grants, one row each."""
        labels = {pk: label for pk, label, _ in resource_paths}
        initial = {"groups": [g.pk for g in credential.groups.all()]}
        for index, grant in enumerate(grants_view(credential)):
            initial[f"grant_{index}_resource"] = labels.get(grant["resource"], "")
            initial[f"grant_{index}_role"] = grant["role"] or ""
            # A role's own permissions follow the role; only the ones given beside it are typed.
            initial[f"grant_{index}_permissions"] = ", ".join(grant["own_permissions"])
        return initial


class CredentialSummaryForm(forms.Form):
    """The last step has nothing to type: it shows the others, and "Save" creates the credential."""


class CredentialRevokeForm(forms.Form):
    name = forms.CharField(
        label="Credential name", max_length=150,
        help_text="Type the credential's name to confirm. Every token it issued stops working at once.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, credential, **kwargs):
        super().__init__(*args, **kwargs)
        self.credential = credential

    def clean_name(self):
        if self.cleaned_data["name"] != self.credential.name:
            raise forms.ValidationError("This is not the credential's name: type it exactly as shown.")
        return self.cleaned_data["name"]
