"""Model instances from the rows of a plain SQL join, for the lookups that run on every request.

The ORM compiles a queryset into SQL on every evaluation, about 0.8 ms for a four-table
``select_related``: more than running it. The hot lookups (a client by its id, an access token by
its checksum, a service token by its key id) are therefore written as plain SQL, run through
``connection.cursor()``, and read back here:

- ``select_list(model, alias)``: every concrete column of ``model`` (whole rows only, so no
  instance has deferred fields that would load lazily, and a saved instance loses nothing);
- ``instance(model, values)``: the instance, through ``Model.from_db`` with a full row, after the
  conversions the ORM would apply: each field's own ``from_db_value`` (JSON columns come back as
  text on both SQLite and PostgreSQL), and on SQLite, which has no boolean or time-zone types,
  ``bool`` for booleans and UTC for the naive datetimes its converters return.

Their parameters are named (``%(checksum)s``, passed as a dict): for positional ``%s`` Django's
SQLite backend rewrites the statement with a look-behind regular expression, about 0.1 ms on the
3 KB bearer lookup, where named ones are rewritten by ``%`` formatting; psycopg takes both alike.

Nothing is cached across calls but strings built from the models at import: a failed statement,
a rollback, a recycled connection or a fork leaves nothing behind to go stale.
"""

from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import connection, models


def select_list(model, alias):
    """``alias."col", ...`` for every concrete field of ``model``, in field order."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def width(model):
    return len(model._meta.concrete_fields)


def _converters(model):
    converters = []
    for field in model._meta.concrete_fields:
        if hasattr(field, "from_db_value"):
            converters.append(field.from_db_value)
        elif isinstance(field, models.DateTimeField):
            converters.append(_aware)
        elif isinstance(field, models.BooleanField):
            converters.append(_boolean)
        else:
            converters.append(None)
    return converters


def aware(value):
    """A datetime column's value as the ORM gives it: SQLite returns naive datetimes, which Django
    stores in UTC; PostgreSQL returns aware ones."""
    if value is not None and value.tzinfo is None and settings.USE_TZ:
        return value.replace(tzinfo=dt_timezone.utc)
    return value


def _aware(value, expression, connection):
    return aware(value)


def _boolean(value, expression, connection):
    return value if value is None else bool(value)


_CONVERTERS = {}


def instance(model, values, alias=None):
    """``model`` built from a whole row (``values`` in the order of ``select_list``), read through
    the connection ``alias`` (the default connection's when None)."""
    converters = _CONVERTERS.get(model)
    if converters is None:
        converters = _CONVERTERS[model] = _converters(model)
    converted = [
        value if convert is None or value is None else convert(value, None, connection)
        for convert, value in zip(converters, values, strict=True)
    ]
    return model.from_db(alias or connection.alias, None, converted)


def instances(row, *models_):
    """One instance per model from consecutive slices of ``row``; None for an all-NULL slice
    (the missing side of a LEFT JOIN). Returns ``(instances, rest_of_row)``."""
    built, start, alias = [], 0, connection.alias  # the connection proxy's lookup, once
    for model in models_:
        end = start + width(model)
        values = row[start:end]
        built.append(None if values[0] is None else instance(model, values, alias))
        start = end
    return built, row[start:]
