"""The secret forms' own fields and widgets: password inputs that never render a value back, the
key/value rows (keys rendered, values never), and reading an uploaded text file within a limit."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

MIN_PAIR_ROWS = 3


def secret_input(**attrs):
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false", **attrs})


class BlankTextInput(forms.TextInput):
    """A visible input for a value kept encrypted (a client ID): never rendered back."""

    def format_value(self, value):
        return None


def read_upload_text(upload, *, max_bytes):
    """The upload as text, refusing what is too large before reading it."""
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(f"The file is too large (at most {max_bytes // 1024} KiB).")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(f"The file is too large (at most {max_bytes // 1024} KiB).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError("The file is not UTF-8 text.") from error


class PairsWidget(forms.Widget):
    """Rows of key and value inputs (``pair_key`` / ``pair_value``, repeated).

    Without JavaScript a few empty rows are there to fill; ``secrets.js`` adds and removes rows.
    Keys come back after an error, values never do.
    """

    def value_from_datadict(self, data, files, name):
        keys = data.getlist("pair_key") if hasattr(data, "getlist") else []
        values = data.getlist("pair_value") if hasattr(data, "getlist") else []
        values += [""] * (len(keys) - len(values))
        return list(zip(keys, values))

    def value_omitted_from_data(self, data, files, name):
        return "pair_key" not in data

    def render(self, name, value, attrs=None, renderer=None):
        keys = [key for key, _ in (value or []) if key]
        keys += [""] * max(MIN_PAIR_ROWS - len(keys), 1)
        rows = format_html_join(
            "",
            '<div class="pair-row" data-pair-row>'
            '<label>Key <input type="text" name="pair_key" value="{}" autocomplete="off" spellcheck="false"></label>'
            '<label>Value <input type="password" name="pair_value" autocomplete="off" spellcheck="false"></label>'
            '<button type="button" class="button button--small" data-remove-row>Remove row</button>'
            "</div>",
            ((key,) for key in keys),
        )
        return format_html(
            '<div class="pairs" id="{}" data-pairs>{}</div>'
            '<button type="button" class="button button--small" data-add-row hidden>Add row</button>',
            (attrs or {}).get("id", f"id_{name}"),
            rows,
        )


class PairsField(forms.Field):
    widget = PairsWidget

    def to_python(self, value):
        pairs = {}
        for number, (key, item) in enumerate(value or [], start=1):
            key = key.strip()
            if not key and not item:
                continue
            if not key:
                raise ValidationError(f"Row {number}: give a key for this value.")
            if key in pairs:
                raise ValidationError(f"Row {number}: the key “{key}” is given twice.")
            pairs[key] = item
        return pairs

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
