"""The one way a service's ``DomainError`` reaches the caller.

Services raise ``identity.errors`` exceptions, each with its status code and field errors. The API
answers them through ``api_response`` (DRF's exception handler); portal pages put them on a form
with ``apply_domain_error``, or turn a missing or forbidden object into Django's 404/403 with
``raise_for_page``. No other code inspects a DomainError's type or fields.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.response import Response

from identity.errors import DomainError, NotFound, NotPermitted


def api_response(error):
    """``{"<field>": [messages], "detail": "<message>"}`` with the error's status code."""
    body = dict(error.field_errors) if error.field_errors else {}
    body.setdefault("detail", error.message)
    return Response(body, status=error.status_code)


def raise_for_page(error):
    """A portal page for an object the caller may not see or touch: Django's 404 or 403."""
    if isinstance(error, NotFound):
        raise Http404(error.message) from error
    if isinstance(error, NotPermitted):
        raise PermissionDenied(error.message) from error


def apply_domain_error(form, error, *, aliases=None):
    """Put a service's field errors on the form's fields, the rest above the form.

    A service names fields as the API does (``value.client_secret``, ``account_holder.email``):
    ``aliases`` maps such a name to the form's field; otherwise its last part is tried. A short
    field message means little away from its field, so an unplaced one is said whole.
    """
    if not isinstance(error, DomainError):
        raise TypeError(error)
    aliases = aliases or {}
    unplaced = not error.field_errors
    for field, messages in error.field_errors.items():
        leaf = field.split(".")[-1]
        target = next((name for name in (aliases.get(field), field, leaf) if name in form.fields), None)
        if target is None:
            unplaced = True
            continue
        for message in messages:
            if message not in form.errors.get(target, []):
                form.add_error(target, message)
    if unplaced and error.message not in form.non_field_errors():
        form.add_error(None, error.message)
