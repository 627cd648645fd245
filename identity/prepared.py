"""Hot-path lookups compiled to SQL once per process, then only executed.

Django builds and compiles a queryset on every call, which costs several times what the database
spends on a one-row indexed lookup. The lookups that run on every API call and token grant never
change their SQL, only the value they look up; ``PreparedQuery`` compiles the queryset the first
time, keeps the SQL, where the value sits among its parameters and the columns' converters, and
afterwards only executes. Rows come back as ``values_list`` gives them, and the query still runs
through Django's cursor (so it is counted, logged and wrapped like any other).

On PostgreSQL the server then plans the same few-table join again on every call, which takes
about ten times as long as running it (0.7 ms against 0.06 ms for the bearer lookup). So there each
query becomes a named server-side prepared statement, once per connection, and is only executed
after that (``PORTCULLIS_DB_PREPARED_STATEMENTS``; off behind a pooler in transaction mode, which
would hand the statement's name to a server connection that never prepared it).
"""

import itertools
import re
import secrets
import weakref

from django.conf import settings
from django.db import connections

# ``%s`` is where Django's PostgreSQL SQL takes a parameter; ``%%`` is a literal percent sign.
_PLACEHOLDER = re.compile(r"%[s%]")


class _ServerStatement:
    """One query as a PostgreSQL prepared statement: prepared by the first execution on each
    connection (in the same round trip), executed by name afterwards. Prepared statements outlive
    transactions and rollbacks, and end with their connection."""

    _names = itertools.count()

    def __init__(self, sql, parameter_count):
        self.name = f"portcullis_prepared_{next(self._names)}"
        numbers = itertools.count(1)
        body = _PLACEHOLDER.sub(lambda match: f"${next(numbers)}" if match[0] == "%s" else "%%", sql)
        arguments = ", ".join(["%s"] * parameter_count)
        self.execute_sql = f"EXECUTE {self.name}({arguments})" if parameter_count else f"EXECUTE {self.name}"
        self.prepare_and_execute_sql = f"PREPARE {self.name} AS {body}; {self.execute_sql}"
        self._prepared_on = weakref.WeakSet()

    def fetch(self, cursor, connection, params):
        # Django's PostgreSQL cursors bind client-side, so both statements travel in one query.
        if connection.connection in self._prepared_on:
            cursor.execute(self.execute_sql, params)
        else:
            cursor.execute(self.prepare_and_execute_sql, params)
            cursor.nextset()
            self._prepared_on.add(connection.connection)
        return cursor.fetchall()


class PreparedQuery:
    """``build(value)`` returns the ``values_list`` queryset for one looked-up value of ``value_type``
    (``str`` or ``int``).

    The value must be the query's only parameter that varies: anything else ``build`` puts in the
    query (a time, a setting, a looked-up id) is fixed at the first call. Locking querysets
    (``select_for_update``) must be run inside a transaction, as Django requires.
    """

    def __init__(self, build, value_type=str):
        self._build = build
        self._value_type = value_type
        self._compiled = {}

    def _compile(self, alias):
        # A value no real lookup uses, to find where the looked-up value lands among the parameters.
        marker = self._value_type(secrets.randbits(62) | 1 << 62)
        queryset = self._build(marker)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = [index for index, param in enumerate(params) if param == marker]
        if len(positions) != 1:
            raise ValueError("The looked-up value must appear exactly once among the query's parameters.")
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(columns).items())
        connection = connections[alias]
        statement = None
        if connection.vendor == "postgresql" and settings.PORTCULLIS_DB_PREPARED_STATEMENTS:
            statement = _ServerStatement(sql, len(params))
        return sql, list(params), positions[0], converters, statement

    def rows(self, value, using="default"):
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, params, position, converters, statement = compiled
        params = params.copy()
        params[position] = value
        connection = connections[using]
        with connection.cursor() as cursor:
            if statement:
                rows = statement.fetch(cursor, connection, params)
            else:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for index, (functions, expression) in converters:
                for function in functions:
                    row[index] = function(row[index], expression, connection)
            converted.append(tuple(row))
        return converted
