"""Small input checks the services and views share; each failure names its field."""

from django.db import IntegrityError, transaction

from identity.errors import Conflict, InvalidInput


def clean_name(value, *, field="name", max_length=150):
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} is required.", field_errors={field: ["This field is required."]})
    value = value.strip()
    if len(value) > max_length:
        message = f"Ensure this field has no more than {max_length} characters."
        raise InvalidInput(message, field_errors={field: [message]})
    return value


# The range of the integer primary keys on every database; SQLite cannot even bind a larger one.
MAX_ID = 2**63 - 1


def field_error(field, message):
    """The InvalidInput for one field's one message, as the API and the portal show it."""
    return InvalidInput(f"{field}: {message}", field_errors={field: [message]})


def is_id(value):
    """An integer that can be a row's id (JSON ``true`` is no id, though Python counts it as 1)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def query_text(params, name):
    """The text filter ``name`` of a query string (``?search=``, ``?kind=``), stripped; "" when absent.

    PostgreSQL refuses a NUL byte in any text, so a filter holding one could only fail the query:
    it is refused here, naming the parameter, on every database alike.
    """
    value = params.get(name, "")
    if "\x00" in value:
        message = "This filter cannot contain a NUL character."
        raise InvalidInput(f"{name}: {message}", field_errors={name: [message]})
    return value.strip()


def ensure_name_free(queryset, *, name, field="name", exclude_pk=None):
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    if queryset.filter(**{field: name}).exists():
        raise taken(field, name)


def taken(field, name):
    return Conflict(f"The {field} “{name}” is already taken.", field_errors={field: ["This name is already taken."]})


def save_unique(instance, *, field="name"):
    """Save, turning a race on a unique constraint into the same 409 as the pre-check."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise taken(field, getattr(instance, field)) from error
