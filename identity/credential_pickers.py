"""The pickers of the credential access form: the resource tree, roles that say where they apply,
and grant rows renumbered after a submit.

The pages work without JavaScript (a resource is typed as ``kind/name`` from a datalist, a role
and permissions are chosen from selects); ``static/js/credentials.js`` turns them into a
searchable tree and filters what does not apply. The form checks the same on the server.
"""

import re

from django import forms
from django.utils.datastructures import MultiValueDict

ROW_PARTS = ("resource", "role", "permissions")


class TreeEntry:
    """One resource as the picker shows it: ``acme › apollo › prod``, indented by its depth."""

    def __init__(self, pk, label, path):
        self.pk, self.label = pk, label
        parts = path.split(" › ")
        # ``kind/name`` of the resource and of each one above it: what "within a product" reads.
        self.lineage = parts
        self.kind = label.split("/", 1)[0]
        self.depth = len(parts) - 1
        self.names = " › ".join(part.split("/", 1)[-1] for part in parts)

    def within(self, ancestor_label):
        return ancestor_label in self.lineage


def tree_entries(resource_paths):
    """``{label: TreeEntry}`` in tree order (``resource_paths`` is sorted by path: parents first)."""
    return {label: TreeEntry(pk, label, path) for pk, label, path in resource_paths}


class ResourcePickerInput(forms.TextInput):
    """``kind/name`` with the datalist's suggestions; the script adds the searchable tree."""

    def __init__(self, attrs=None):
        super().__init__({
            "list": "resource-options", "autocomplete": "off", "spellcheck": "false",
            "placeholder": "Search resources", "data-resource-picker": "", **(attrs or {}),
        })


class RoleSelect(forms.Select):
    """Each role says which product it belongs to (``data-product``, empty for the organization's
    roles), so the script offers only the roles that apply to the row's resource."""

    def __init__(self, products, attrs=None):
        super().__init__(attrs)
        self.products = products

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["data-product"] = self.products.get(value, "")
        return option


class ProductSelect(forms.Select):
    """The bound product, each option carrying its path so the page can show it."""

    def __init__(self, entries, attrs=None):
        super().__init__(attrs)
        self.entries = entries

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.entries:
            option["label"] = self.entries[value].names
        return option


def _row_is_empty(data, prefix, index):
    return not any(str(value).strip() for part in ROW_PARTS for value in data.getlist(f"{prefix}{index}_{part}"))


def compact_rows(data, prefix, limit):
    """The submitted rows that hold something, renumbered from 0 in their order, empty ones dropped.

    A page rebuilt after a refused submit then shows the rows the person filled in, and no more:
    each failed submit does not add empty rows, and a row deleted in the page leaves no gap.
    """
    if not hasattr(data, "getlist"):
        data = MultiValueDict({key: value if isinstance(value, list) else [value] for key, value in data.items()})
    pattern = re.compile(rf"^{re.escape(prefix)}(\d{{1,4}})_({'|'.join(ROW_PARTS)})$")
    indices = sorted({int(match.group(1)) for key in data if (match := pattern.match(key))})
    kept = [index for index in indices if not _row_is_empty(data, prefix, index)][:limit]
    compacted = MultiValueDict()
    for key in data:
        if not pattern.match(key):
            compacted.setlist(key, data.getlist(key))
    for new, old in enumerate(kept):
        for part in ROW_PARTS:
            compacted.setlist(f"{prefix}{new}_{part}", data.getlist(f"{prefix}{old}_{part}"))
    return compacted, len(kept)
