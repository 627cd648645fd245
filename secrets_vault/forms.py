"""The portal's secret forms: one per type, used to register a secret and to edit it.

A form only shapes input into the service's ``value`` dict; the service validates the payload
(so the portal and the API give the same messages) and ``apply_domain_error`` puts each of its
field errors (``name``, ``expires_at``, ``value.header_name``…) on the matching form field.
Secret inputs are password inputs that never render a value back, and the key/value rows
render their keys only: a page that failed validation holds no secret. It keeps what was typed
in the other fields and names the secret fields to type again (``retype_labels``).
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from identity.errors import DomainError

from .certificates import MAX_PEM_BYTES
from .form_fields import BlankTextInput, PairsField, read_upload_text, secret_input
from .models import SecretType
from .models.secrets import DisplayStatus
from .payloads import MAX_FILE_BYTES, parse_pairs_file, split_scopes

KEEP_CURRENT = "Leave empty to keep the current value."


class SecretForm(forms.Form):
    """Fields every type shares; subclasses add theirs and build the value.

    ``editing``: the secret exists; its secret fields may stay empty to keep the current value.
    ``may_write_organization``: without ``secrets:write``, only a personal secret can be made.
    """

    secret_type = None
    secret_fields = ()
    # Files are not sent back either: a browser cannot preset a file input.
    upload_fields = ()
    # Service field names (``value.<x>``) that are not the form field of the same name.
    error_fields = {}

    name = forms.CharField(label="Secret Name", max_length=150)
    expires_at = forms.DateField(
        label="Expiration Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Optional. The secret counts as expired from the end of this day (UTC).",
    )
    personal = forms.BooleanField(
        label="Personal: keep it in my own profile, visible to nobody else", required=False
    )

    def __init__(self, *args, editing=False, secret=None, may_write_organization=True, **kwargs):
        self.editing = editing
        self.secret = secret
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["personal"]
            for name in self.secret_fields:
                self.fields[name].required = False
                self.fields[name].help_text = KEEP_CURRENT
        elif not may_write_organization:
            personal = self.fields["personal"]
            personal.disabled = True
            self.initial["personal"] = True
            personal.help_text = "You may keep personal secrets only: organization secrets need the secrets:write permission."

    def retype_labels(self):
        """Labels of the secret fields given in a submission that failed: they are not sent back."""
        if not self.is_bound or not self.errors:
            return []
        given = [
            name for name in self.secret_fields + self.upload_fields
            if self.data.get(name) or self.files.get(name) or (name == "pairs" and any(self.data.getlist("pair_value")))
        ]
        return [str(self.fields[name].label) for name in given if name in self.fields]

    def clean_expires_at(self):
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        moment = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=datetime.timezone.utc)
        unchanged = self.editing and self.secret is not None and self.secret.expires_at == moment
        if moment <= timezone.now() and not unchanged:
            raise ValidationError("Choose a date in the future.")
        return moment

    def payload(self):
        """The payload fields given: all of them to register, the filled ones to edit."""
        raise NotImplementedError

    def service_kwargs(self):
        """Keyword arguments for ``secret_create`` (register) or ``secret_update`` (edit)."""
        data = self.cleaned_data
        value = self.payload()
        if not self.editing:
            return {
                "name": data["name"],
                "type": self.secret_type,
                "value": value,
                "expires_at": data.get("expires_at"),
                "personal": bool(data.get("personal")),
            }
        kwargs = {"name": data["name"]}
        if value:
            kwargs["value"] = value
        if "expires_at" in self.fields and data.get("expires_at") != self.secret.expires_at:
            kwargs["expires_at"] = data.get("expires_at")
        return kwargs

    def apply_domain_error(self, error: DomainError):
        """Put each of the service's field errors on its field (the rest above the form)."""
        if not error.field_errors:
            self.add_error(None, error.message)
            return
        for key, messages in error.field_errors.items():
            field = self.error_fields.get(key, key.removeprefix("value."))
            for message in messages:
                if field in self.fields and not (field in self.errors and message in self.errors[field]):
                    self.add_error(field, message)
                else:
                    self.add_error(None, message)


class ApiKeyForm(SecretForm):
    secret_type = SecretType.API_KEY
    secret_fields = ("value",)
    field_order = ["name", "header_name", "value", "expires_at", "personal"]

    header_name = forms.CharField(label="Header Name", max_length=200, initial="X-API-Key")
    value = forms.CharField(label="Value", widget=secret_input())

    def payload(self):
        data = self.cleaned_data
        value = {"header_name": data["header_name"]}
        if data.get("value"):
            value["value"] = data["value"]
        if self.editing and value["header_name"] == self.secret.metadata.get("header_name") and "value" not in value:
            return {}
        return value


class BearerTokenForm(SecretForm):
    secret_type = SecretType.BEARER_TOKEN
    secret_fields = ("header_value",)
    field_order = ["name", "header_name", "header_value", "expires_at", "personal"]

    header_name = forms.CharField(label="Header Name", max_length=200, initial="Authorization")
    header_value = forms.CharField(
        label="Header Value", widget=secret_input(), help_text="The whole header value, e.g. “Bearer eyJ…”."
    )

    def payload(self):
        data = self.cleaned_data
        value = {"header_name": data["header_name"]}
        if data.get("header_value"):
            value["header_value"] = data["header_value"]
        if self.editing and value["header_name"] == self.secret.metadata.get("header_name") and "header_value" not in value:
            return {}
        return value


class ClientCredentialsForm(SecretForm):
    secret_type = SecretType.CLIENT_CREDENTIALS
    secret_fields = ("client_id", "client_secret")
    field_order = ["name", "client_id", "client_secret", "scopes", "expires_at", "personal"]

    client_id = forms.CharField(
        label="Client ID", max_length=1024, widget=BlankTextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )
    client_secret = forms.CharField(label="Client Secret", widget=secret_input())
    scopes = forms.CharField(
        label="Scopes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="Separate scopes with commas, spaces or new lines: profile,edit,email gives three scopes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.editing and self.secret is not None:
            self.initial.setdefault("scopes", "\n".join(self.secret.metadata.get("scopes", [])))

    def clean_scopes(self):
        return split_scopes(self.cleaned_data["scopes"])

    def payload(self):
        data = self.cleaned_data
        value = {name: data[name] for name in ("client_id", "client_secret") if data.get(name)}
        if not self.editing or data["scopes"] != self.secret.metadata.get("scopes", []):
            value["scopes"] = data["scopes"]
        return value


class CertificateForm(SecretForm):
    secret_type = SecretType.CERTIFICATE
    secret_fields = ("certificate",)
    upload_fields = ("private_key",)
    field_order = ["name", "certificate", "private_key", "personal"]

    certificate = forms.FileField(
        label="Certificate",
        widget=forms.ClearableFileInput(attrs={"accept": ".pem,.crt,.cer", "data-certificate-input": ""}),
        help_text="A PEM certificate (.pem, .crt, .cer). Its expiration date is read from it.",
    )
    private_key = forms.FileField(
        label="Private Key",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".key"}),
        help_text="Optional: the certificate's unencrypted PEM private key, a .key file.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The expiry is the certificate's own.
        del self.fields["expires_at"]
        if self.editing:
            self.fields["private_key"].help_text = (
                "Optional: a .key file matching the certificate. " + KEEP_CURRENT
            )

    def clean_certificate(self):
        upload = self.cleaned_data.get("certificate")
        return read_upload_text(upload, max_bytes=MAX_PEM_BYTES) if upload else ""

    def clean_private_key(self):
        upload = self.cleaned_data.get("private_key")
        if not upload:
            return ""
        if not upload.name.lower().endswith(".key"):
            raise ValidationError("Upload the private key as a .key file.")
        return read_upload_text(upload, max_bytes=MAX_PEM_BYTES)

    def payload(self):
        data = self.cleaned_data
        return {name: data[name] for name in ("certificate", "private_key") if data.get(name)}


MANUAL, FILE = "manual", "file"


class KeyValueForm(SecretForm):
    """Pairs typed in ("manual") or read from a file ("file"): the Registration Method says which."""

    secret_type = SecretType.KEY_VALUE
    secret_fields = ("pairs",)
    upload_fields = ("pairs_file",)
    field_order = ["name", "method", "pairs", "pairs_file", "expires_at", "personal"]

    method = forms.ChoiceField(
        label="Registration Method",
        choices=[(MANUAL, "Type the keys and values"), (FILE, "Upload a .env or JSON file")],
        initial=MANUAL,
        required=False,
        widget=forms.RadioSelect(attrs={"data-registration-method": ""}),
    )
    pairs = PairsField(label="Pairs", help_text="Type each key and its value.")
    pairs_file = forms.FileField(
        label="File",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".env,.json,.txt"}),
        help_text="KEY=VALUE lines (.env) or one JSON object.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Either the rows or the file will do: checked in ``clean``.
        self.fields["pairs"].required = False
        if self.editing:
            self.fields["pairs"].help_text = (
                "Giving any pair replaces all of them. " + KEEP_CURRENT
            )

    def clean_pairs_file(self):
        upload = self.cleaned_data.get("pairs_file")
        if not upload:
            return {}
        text = read_upload_text(upload, max_bytes=MAX_FILE_BYTES)
        try:
            return parse_pairs_file(text, upload.name)
        except DomainError as error:
            raise ValidationError(error.field_errors.get("pairs_file") or [error.message]) from error

    def clean(self):
        cleaned = super().clean()
        # A client that sends no method (a script, an old page) means whichever it filled in.
        method = cleaned["method"] = cleaned.get("method") or (FILE if cleaned.get("pairs_file") else MANUAL)
        chosen, empty_message = (
            ("pairs_file", "Choose a .env or JSON file.") if method == FILE
            else ("pairs", "Give at least one key and its value.")
        )
        if chosen in cleaned and not cleaned[chosen] and not self.editing:
            self.add_error(chosen, empty_message)
        return cleaned

    def payload(self):
        # Only the chosen method counts: rows left filled in before switching to a file are ignored.
        source = "pairs_file" if self.cleaned_data.get("method") == FILE else "pairs"
        pairs = self.cleaned_data.get(source) or {}
        return {"pairs": pairs} if pairs else {}


FORMS = {
    SecretType.API_KEY: ApiKeyForm,
    SecretType.BEARER_TOKEN: BearerTokenForm,
    SecretType.CLIENT_CREDENTIALS: ClientCredentialsForm,
    SecretType.CERTIFICATE: CertificateForm,
    SecretType.KEY_VALUE: KeyValueForm,
}

TYPE_DESCRIPTIONS = {
    SecretType.API_KEY: "A key sent in a header, e.g. X-API-Key.",
    SecretType.BEARER_TOKEN: "A token sent as a header value, e.g. Authorization: Bearer ….",
    SecretType.CLIENT_CREDENTIALS: "An OAuth2 client ID and secret with their scopes.",
    SecretType.CERTIFICATE: "A PEM certificate and, optionally, its private key.",
    SecretType.KEY_VALUE: "Named values, typed in or read from a .env or JSON file.",
}


class SecretFilterForm(forms.Form):
    """The list's filters (GET); unknown choices are ignored rather than failing the page."""

    q = forms.CharField(label="Search", required=False, max_length=150)
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "All types"), *SecretType.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "All statuses"), *DisplayStatus.choices])

    def filters(self):
        if not self.is_valid():
            return {"type": "", "status": "", "search": ""}
        data = self.cleaned_data
        return {"type": data["type"], "status": data["status"], "search": data["q"].strip()}
