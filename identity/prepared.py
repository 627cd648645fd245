"""Hot-path lookups compiled to SQL once per process, then only executed.

Django builds and compiles a queryset on every call, which costs several times what the database
spends on a one-row indexed lookup. The lookups that run on every API call and token grant never
change their SQL, only the value they look up; ``PreparedQuery`` compiles the queryset the first
time, keeps the SQL, where the value sits among its parameters and the columns' converters, and
afterwards only executes. Rows come back as ``values_list`` gives them, and the query still runs
through Django's cursor (so it is counted, logged and wrapped like any other).
"""

import secrets

from django.db import connections


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
        return sql, list(params), positions[0], converters

    def rows(self, value, using="default"):
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, params, position, converters = compiled
        params = params.copy()
        params[position] = value
        connection = connections[using]
        with connection.cursor() as cursor:
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
