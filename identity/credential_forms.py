"""Portal forms for service credentials: the wizard's steps and the groups-and-resources editor.

They check shape, then ask the service's own checks (``service_credential_check_*``), so a step
shows what the final save would refuse while the person can still fix it there.
"""

import re

from django import forms

from identity import services
from identity.credential_pickers import ProductSelect, ResourcePickerInput, RoleSelect, compact_rows, tree_entries
from identity.authorization import ensure_may_give
from identity.errors import DomainError, NotPermitted
from identity.models import Group, Resource, ResourceKind, Role, ServiceCredential
from identity.models.resources import PRODUCTS
from identity.oauth.client_assertions import normalise_public_keys
from identity.services.credential_access import grants_view

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
    the rows the data holds (renumbered, empty ones dropped) and one spare empty row, which the
    page's script keeps as the model for "Add another resource". A resource is ``kind/name``
    (unique in an organization), picked from a searchable tree (``credential_pickers``); its
    permissions are its kind's actions; a product's roles apply on that product and below, and a
    credential bound to a product holds grants only there, with only that product's roles. ``resource_paths`` are the resources the actor may
    manage grants on; ``unreachable`` the labels of the others, refused by name. A grant row that
    is new must be within what the actor holds there (checked per row, so the row says why).
    """

    groups = forms.TypedMultipleChoiceField(
        label="Groups", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="The credential inherits the roles and resource grants of these groups.",
    )
    bound_resource = forms.CharField(
        label="Bound to product", required=False, max_length=260,
        help_text="Optional: then it holds grants only on this product and below, and only the product's roles.",
    )

    def __init__(
        self, *args, organization, actor, resource_paths, with_bound_resource=True, credential=None,
        unreachable=frozenset(), groups_editable=True, **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.organization, self.actor, self.credential = organization, actor, credential
        self.resource_ids = {label: pk for pk, label, _ in resource_paths}
        self.tree = tree_entries(resource_paths)
        filled_rows = 0
        if self.is_bound:
            self.data, filled_rows = compact_rows(self.data, self.add_prefix("grant_"), MAX_GRANT_ROWS - 1)
        self.unreachable, self.groups_editable = set(unreachable), groups_editable
        self.fields["groups"].choices = [(g.pk, g.name) for g in Group.objects.filter(organization=organization).order_by("name")]
        if not groups_editable:
            self.fields["groups"].disabled = True
            self.fields["groups"].help_text = "Changing groups needs service_credentials:write for the whole organization."
        products = {label: entry for label, entry in self.tree.items() if entry.kind == PRODUCTS}
        if with_bound_resource:
            self.fields["bound_resource"].widget = ProductSelect(products, attrs={"data-bound-product": ""})
            self.fields["bound_resource"].widget.choices = [("", "Not bound")] + [(label, label) for label in products]
        else:
            del self.fields["bound_resource"]
        self.current = grants_view(credential) if credential is not None else []
        self.kind_permissions = {kind.name: kind.permissions for kind in ResourceKind.objects.filter(organization=organization)}
        roles = list(self._roles())
        self.role_permissions = {role.name: role.permissions for role in roles}
        self.role_products = {role.name: f"{role.product.kind}/{role.product.name}" if role.product_id else "" for role in roles}
        role_choices = [("", "No role")] + [(name, name) for name in self.role_permissions]
        # The rows filled in, then one spare empty row (the only one on a page with nothing yet).
        self.row_count = (filled_rows if self.is_bound else self._used_rows()) + 1
        for index in range(self.row_count):
            number = index + 1
            self.fields[f"grant_{index}_resource"] = forms.CharField(
                label=f"Resource {number}", required=False, max_length=260, widget=ResourcePickerInput(),
            )
            self.fields[f"grant_{index}_role"] = forms.ChoiceField(
                label=f"Role {number}", required=False, choices=role_choices, widget=RoleSelect(self.role_products),
            )
            self.fields[f"grant_{index}_permissions"] = forms.MultipleChoiceField(
                label=f"Permissions {number}", required=False, choices=self._permission_choices(index),
                widget=forms.SelectMultiple(attrs={"size": 4, "data-permissions": ""}),
            )

    def _roles(self):
        roles = Role.objects.filter(organization=self.organization).select_related("product").order_by("name")
        bound_id = getattr(self.credential, "bound_resource_id", None)
        # A product-bound credential holds only its product's roles: offer nothing else.
        return roles.filter(product_id=bound_id) if bound_id is not None else roles

    def _row_value(self, index, part):
        name = f"grant_{index}_{part}"
        return self.data.get(self.add_prefix(name), "") if self.is_bound else self.initial.get(name, "")

    def _kept_permissions(self, resource_id):
        """What the credential's grants on this resource already have beside their role (kept as they are)."""
        return {p for grant in self.current if grant["resource"] == resource_id for p in grant["own_permissions"]}

    def _allowed_permissions(self, label):
        """The permissions a grant on this resource may have: its kind's actions, and those it already has."""
        kind = label.split("/", 1)[0]
        return list(self.kind_permissions.get(kind, ())) + sorted(
            self._kept_permissions(self.resource_ids[label]) - set(self.kind_permissions.get(kind, ()))
        )

    def _permission_choices(self, index):
        """Every kind's actions, grouped by kind (the script shows the chosen resource's group only);
        what a grant already has beside its kind's actions is in its kind's group, so it stays chosen."""
        label = (self._row_value(index, "resource") or "").strip()
        row_kind = label.split("/", 1)[0] if label in self.resource_ids else None
        extra = set(self._allowed_permissions(label)) - set(self.kind_permissions.get(row_kind, ())) if row_kind else set()
        groups = []
        for kind in sorted(set(self.kind_permissions) | ({row_kind} if row_kind else set())):
            permissions = [p for p in self.kind_permissions.get(kind, ()) if p not in extra]
            if kind == row_kind:
                permissions += sorted(extra)
            groups.append((kind, [(p, p) for p in permissions]))
        return groups

    def _used_rows(self):
        source, name = (self.data, self.add_prefix("grant_")) if self.is_bound else (self.initial, "grant_")
        pattern = re.compile(rf"^{re.escape(name)}(\d{{1,4}})_resource$")
        indices = [int(match.group(1)) for key in source if (match := pattern.match(key))]
        return min(max(indices) + 1, MAX_GRANT_ROWS) if indices else 0

    def grant_rows(self):
        """``[(number, [resource, role, permissions], chosen TreeEntry or None, spare)]`` for the template."""
        rows = []
        for i in range(self.row_count):
            fields = [self[f"grant_{i}_{part}"] for part in ("resource", "role", "permissions")]
            chosen = self.tree.get((fields[0].value() or "").strip())
            rows.append((i + 1, fields, chosen, i == self.row_count - 1 and self._row_is_blank(i)))
        return rows

    def _row_is_blank(self, index):
        return not any(self._row_value(index, part) for part in ("resource", "role", "permissions"))

    def bound_product(self):
        """``kind/name`` of the product the credential is (or is being) bound to, or ""."""
        if "bound_resource" in self.fields:
            value = self._row_value_of("bound_resource")
            return value if value in self.tree and self.tree[value].kind == PRODUCTS else ""
        bound = getattr(self.credential, "bound_resource", None)
        return f"{bound.kind}/{bound.name}" if bound is not None else ""

    def _row_value_of(self, name):
        value = self.data.get(self.add_prefix(name), "") if self.is_bound else self.initial.get(name, "")
        return (value or "").strip() if isinstance(value, str) else ""

    def _check_where(self, index, label, role):
        """A product's role holds on its product and below; a bound credential only inside its product."""
        entry, bound = self.tree[label], self.bound_product()
        if bound and not entry.within(bound):
            self.add_error(f"grant_{index}_resource", f"This credential is bound to {bound}: choose {bound} or a resource below it.")
            return False
        product = self.role_products.get(role, "")
        if role and bound and product != bound:
            self.add_error(f"grant_{index}_role", f"“{role}” is not a role of {bound}: a credential bound to it holds only that product's roles.")
            return False
        if role and product and not entry.within(product):
            self.add_error(f"grant_{index}_role", f"“{role}” is a role of {product}: give it on {product} or a resource below it.")
            return False
        return True

    def _resource_id(self, field, label):
        pk = self.resource_ids.get(label)
        if pk is None and label in self.unreachable:
            self.add_error(field, f"You cannot change grants on {label}: you need service_credentials:write there.")
        elif pk is None:
            self.add_error(field, f"No resource “{label}”: pick one from the list (kind/name, e.g. projects/alpha).")
        return pk

    def _clean_row(self, cleaned, index):
        resource_field, role_field, permissions_field = (f"grant_{index}_{part}" for part in ("resource", "role", "permissions"))
        label = (cleaned.get(resource_field) or "").strip()
        role = cleaned.get(role_field) or ""
        permissions = sorted(set(cleaned.get(permissions_field) or []))
        if not (label or role or permissions or self.has_error(permissions_field)):
            return None
        if not label:
            self.add_error(resource_field, "Pick the resource this grant is for.")
            return None
        if not (role or permissions or self.has_error(permissions_field)):
            self.add_error(permissions_field, "Give a role or at least one permission on this resource.")
        pk = self._resource_id(resource_field, label)
        if pk is None or not (role or permissions) or not self._check_where(index, label, role):
            return None
        allowed = self._allowed_permissions(label)
        foreign = [p for p in permissions if p not in allowed]
        if foreign:
            offered = ", ".join(allowed) or "none: give a role"
            self.add_error(permissions_field, f"“{foreign[0]}” is not an action of {label.split('/', 1)[0]}: choose among {offered}.")
            return None
        grant = {"resource": pk, "permissions": permissions}
        if role:
            grant["role"] = role
        return grant

    def _is_current(self, grant):
        """Unchanged grants are kept as they are, whatever the actor holds."""
        own = sorted(set(grant["permissions"]) - set(self.role_permissions.get(grant.get("role"), ())))
        return any(
            (c["resource"], c["role"], c["own_permissions"]) == (grant["resource"], grant.get("role"), own) for c in self.current
        )

    def _check_giving(self, rows):
        """Nobody gives more than they hold: a new row's role and permissions, each named on its field."""
        resources = Resource.objects.in_bulk([grant["resource"] for _, grant in rows])
        for index, grant in rows:
            if self._is_current(grant):
                continue
            given = [(f"grant_{index}_role", self.role_permissions.get(grant.get("role"), ())), (f"grant_{index}_permissions", grant["permissions"])]
            for field, permissions in given:
                try:
                    ensure_may_give(self.actor, permissions, resource=resources[grant["resource"]], field=field)
                except NotPermitted as error:
                    self.add_error(field, error.message)

    def clean(self):
        cleaned = super().clean()
        rows = [(index, grant) for index in range(self.row_count) if (grant := self._clean_row(cleaned, index))]
        if not self.errors:
            self._check_giving(rows)
        grants = [grant for _, grant in rows]
        cleaned["resource_grants"] = grants
        label = (cleaned.get("bound_resource") or "").strip()
        cleaned["bound_resource"] = None
        if label and (pk := self._resource_id("bound_resource", label)) is not None:
            if self.tree[label].kind != PRODUCTS:
                self.add_error("bound_resource", f"{label} is not a product: a credential is bound to a resource of kind products.")
            else:
                cleaned["bound_resource"] = Resource.objects.get(pk=pk)
        if not self.errors:
            try:
                services.service_credential_check_access(
                    organization=self.organization, actor=self.actor, credential=self.credential,
                    groups=list(cleaned.get("groups") or []) if self.groups_editable else None, resource_grants=grants,
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
        """The edit page's starting point: its groups and its own grants where the page may change them, one row each."""
        labels = {pk: label for pk, label, _ in resource_paths}
        initial = {"groups": [g.pk for g in credential.groups.all()]}
        index = 0
        for grant in grants_view(credential):
            if grant["resource"] not in labels:
                continue
            initial[f"grant_{index}_resource"] = labels[grant["resource"]]
            initial[f"grant_{index}_role"] = grant["role"] or ""
            # A role's own permissions follow the role; only the ones given beside it are chosen.
            initial[f"grant_{index}_permissions"] = grant["own_permissions"]
            index += 1
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


GRACE_PERIOD_CHOICES = [
    ("0", "None: the current client key stops working at once"),
    ("1h", "1 hour"),
    ("24h", "24 hours"),
    ("7d", "7 days"),
]


class ClientKeySaveForm(forms.Form):
    """The new client keys page's "Save": how long the current key keeps working.

    ``client_id`` names the pair the page showed, so a page left open in another tab cannot save
    a pair generated later."""

    client_id = forms.CharField(widget=forms.HiddenInput, max_length=100)
    grace_period = forms.ChoiceField(
        label="Grace period", choices=GRACE_PERIOD_CHOICES, initial="24h", widget=forms.RadioSelect,
        help_text="How long the current client key and its tokens keep working, so pipelines can switch to the new keys.",
    )
