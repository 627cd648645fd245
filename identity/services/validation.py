"""Small input checks the services share; each failure names its field."""

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
