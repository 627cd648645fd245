"""The resource tree read in one query whatever its depth (a recursive common table expression).

Plain SQL because the ORM has no recursive queries; both SQLite and PostgreSQL run it as is.
"""

from django.db import connection

from identity.models.resources import MAX_RESOURCE_DEPTH

_ANCESTORS = """
WITH RECURSIVE chain(start_id, id, parent_id, depth) AS (
    SELECT id, id, parent_id, 0 FROM identity_resource WHERE id IN ({starts})
    UNION ALL
    SELECT chain.start_id, parent.id, parent.parent_id, chain.depth + 1
    FROM identity_resource AS parent JOIN chain ON parent.id = chain.parent_id
    WHERE chain.depth < %s
)
SELECT start_id, id FROM chain ORDER BY start_id, depth
"""

_DESCENDANTS = """
WITH RECURSIVE subtree(id, depth) AS (
    SELECT id, 0 FROM identity_resource WHERE id IN ({starts})
    UNION ALL
    SELECT child.id, subtree.depth + 1
    FROM identity_resource AS child JOIN subtree ON child.parent_id = subtree.id
    WHERE subtree.depth < %s
)
SELECT id FROM subtree
"""


def ancestor_ids(resource_ids):
    """``{id: [id, parent id, grandparent id, …]}``, nearest first, for each existing resource."""
    resource_ids = sorted({int(pk) for pk in resource_ids})
    if not resource_ids:
        return {}
    sql = _ANCESTORS.format(starts=", ".join(["%s"] * len(resource_ids)))
    chains = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*resource_ids, MAX_RESOURCE_DEPTH])
        for start_id, node_id in cursor.fetchall():
            chains.setdefault(start_id, []).append(node_id)
    return chains


_NAMED_WITH_ANCESTORS = """
WITH RECURSIVE named(id, organization_id, kind, name, parent_id) AS (
    SELECT id, organization_id, kind, name, parent_id FROM identity_resource
    WHERE organization_id = %(organization)s AND ({alternatives})
), chain(start_id, id, parent_id, depth) AS (
    SELECT id, id, parent_id, 0 FROM named
    UNION ALL
    SELECT chain.start_id, parent.id, parent.parent_id, chain.depth + 1
    FROM identity_resource AS parent JOIN chain ON parent.id = chain.parent_id
    WHERE chain.depth < %(depth)s
)
SELECT named.id, named.organization_id, named.kind, named.name, chain.id
FROM named JOIN chain ON chain.start_id = named.id
ORDER BY named.id, chain.depth
"""


def named_with_ancestors(organization_id, ids=(), labels=()):
    """``[(id, organization id, "kind/name", [id, parent id, …]), …]`` for the resources of the
    organization with these ids or ``(kind, name)`` labels: the resources and their chains up the
    tree in one query, whatever its depth (access checks name resources and ask about them at once).

    Named parameters: for positional ones Django's SQLite backend rewrites the statement with a
    regular expression on every call (see ``identity.sql_rows``)."""
    alternatives, params = [], {"organization": organization_id, "depth": MAX_RESOURCE_DEPTH}
    if ids:
        alternatives.append(f"id IN ({', '.join(f'%(id{index})s' for index in range(len(ids)))})")
        params.update((f"id{index}", pk) for index, pk in enumerate(ids))
    for index, (kind, name) in enumerate(labels):
        alternatives.append(f"(kind = %(kind{index})s AND name = %(name{index})s)")
        params.update({f"kind{index}": kind, f"name{index}": name})
    if not alternatives:
        return []
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(_NAMED_WITH_ANCESTORS.format(alternatives=" OR ".join(alternatives)), params)
        for resource_id, resource_organization_id, kind, name, node_id in cursor.fetchall():
            entry = found.setdefault(resource_id, (resource_id, resource_organization_id, f"{kind}/{name}", []))
            entry[3].append(node_id)
    return list(found.values())


def descendant_ids(resource_id):
    """The resource's id and every id below it."""
    return subtree_ids([resource_id])


def subtree_ids(resource_ids):
    """The ids of these resources and of every resource below any of them, in one query."""
    resource_ids = sorted({int(pk) for pk in resource_ids})
    if not resource_ids:
        return set()
    sql = _DESCENDANTS.format(starts=", ".join(["%s"] * len(resource_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*resource_ids, MAX_RESOURCE_DEPTH])
        return {row[0] for row in cursor.fetchall()}


def is_within(resource_id, ancestor_id):
    """Is ``resource_id`` the resource ``ancestor_id`` or below it?"""
    return ancestor_id in ancestor_ids([resource_id]).get(resource_id, [])
