"""The resource tree read in one query whatever its depth (a recursive common table expression).

Plain SQL because the ORM has no recursive queries; both SQLite and PostgreSQL run it as is.
"""

from django.db import connection

from identity.models.resources import MAX_RESOURCE_DEPTH

# Each starting resource with its chain up the tree, nearest first; ``{starts}`` picks the starts.
_CHAINS = """
WITH RECURSIVE chain(start_id, id, parent_id, depth) AS (
    SELECT id, id, parent_id, 0 FROM identity_resource WHERE {starts}
    UNION ALL
    SELECT chain.start_id, parent.id, parent.parent_id, chain.depth + 1
    FROM identity_resource AS parent JOIN chain ON parent.id = chain.parent_id
    WHERE chain.depth < %(depth)s
)
SELECT start.id, start.organization_id, start.kind, start.name, chain.id
FROM chain JOIN identity_resource AS start ON start.id = chain.start_id
ORDER BY chain.start_id, chain.depth
"""

_DESCENDANTS = """
WITH RECURSIVE subtree(id, depth) AS (
    SELECT id, 0 FROM identity_resource WHERE {starts}
    UNION ALL
    SELECT child.id, subtree.depth + 1
    FROM identity_resource AS child JOIN subtree ON child.parent_id = subtree.id
    WHERE subtree.depth < %(depth)s
)
SELECT id FROM subtree
"""


def _chains(starts, params):
    """``{id: (organization id, "kind/name", [id, parent id, …])}`` for the resources ``starts``
    (an SQL condition). Every statement here takes named parameters: for positional ones Django's
    SQLite backend rewrites the statement with a regular expression on every call (see
    ``identity.sql_rows``)."""
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(_CHAINS.format(starts=starts), {**params, "depth": MAX_RESOURCE_DEPTH})
        for start_id, organization_id, kind, name, node_id in cursor.fetchall():
            found.setdefault(start_id, (organization_id, f"{kind}/{name}", []))[2].append(node_id)
    return found


def _in(column, prefix, values, params):
    """``column IN (%(prefix0)s, …)``, its values added to ``params``."""
    params.update((f"{prefix}{index}", value) for index, value in enumerate(values))
    return f"{column} IN ({', '.join(f'%({prefix}{index})s' for index in range(len(values)))})"


def ancestor_ids(resource_ids):
    """``{id: [id, parent id, grandparent id, …]}``, nearest first, for each existing resource."""
    resource_ids = sorted({int(pk) for pk in resource_ids})
    if not resource_ids:
        return {}
    params = {}
    return {pk: chain for pk, (_, _, chain) in _chains(_in("id", "id", resource_ids, params), params).items()}


def named_with_ancestors(organization_id, ids=(), labels=()):
    """``[(id, organization id, "kind/name", [id, parent id, …]), …]`` for the resources of the
    organization with these ids or ``(kind, name)`` labels: the resources and their chains up the
    tree in one query, whatever its depth (access checks name resources and ask about them at once)."""
    params = {"organization": organization_id}
    alternatives = [_in("id", "id", ids, params)] if ids else []
    for index, (kind, name) in enumerate(labels):
        alternatives.append(f"(kind = %(kind{index})s AND name = %(name{index})s)")
        params.update({f"kind{index}": kind, f"name{index}": name})
    if not alternatives:
        return []
    starts = f"organization_id = %(organization)s AND ({' OR '.join(alternatives)})"
    return [(pk, *found) for pk, found in _chains(starts, params).items()]


def descendant_ids(resource_id):
    """The resource's id and every id below it."""
    return subtree_ids([resource_id])


def subtree_ids(resource_ids):
    """The ids of these resources and of every resource below any of them, in one query."""
    resource_ids = sorted({int(pk) for pk in resource_ids})
    if not resource_ids:
        return set()
    params = {"depth": MAX_RESOURCE_DEPTH}
    with connection.cursor() as cursor:
        cursor.execute(_DESCENDANTS.format(starts=_in("id", "id", resource_ids, params)), params)
        return {row[0] for row in cursor.fetchall()}


def is_within(resource_id, ancestor_id):
    """Is ``resource_id`` the resource ``ancestor_id`` or below it?"""
    return ancestor_id in ancestor_ids([resource_id]).get(resource_id, [])
