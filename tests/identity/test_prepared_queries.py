"""``PreparedQuery``: the hot-path lookups compiled once per process and, on PostgreSQL, run as
server-side prepared statements that outlive rollbacks and are prepared again on a new connection."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from identity.models import Organization
from identity.prepared import PreparedQuery
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side prepared statements")


def slug_lookup():
    return PreparedQuery(lambda slug: Organization.objects.filter(slug=slug, name__isnull=False).values_list("id", "name"))


def prepared_statement_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def test_prepared_query_returns_what_its_queryset_returns():
    first, second = OrganizationFactory(), OrganizationFactory()
    lookup = slug_lookup()

    assert lookup.rows(first.slug) == [(first.id, first.name)]
    assert lookup.rows(second.slug) == [(second.id, second.name)]
    assert lookup.rows("no-such-organization") == []


def test_prepared_query_refuses_a_queryset_where_the_value_is_not_one_parameter():
    lookup = PreparedQuery(lambda slug: Organization.objects.filter(slug=slug, name=slug).values_list("id"))

    with pytest.raises(ValueError, match="exactly once"):
        lookup.rows("twice")


@on_postgresql
def test_postgresql_lookup_is_prepared_once_then_executed_by_name():
    organization = OrganizationFactory()
    lookup = slug_lookup()

    with CaptureQueriesContext(connection) as first:
        lookup.rows(organization.slug)
    with CaptureQueriesContext(connection) as second:
        assert lookup.rows(organization.slug) == [(organization.id, organization.name)]

    assert len(first) == 1 and first[0]["sql"].startswith("PREPARE portcullis_prepared_")
    assert len(second) == 1 and second[0]["sql"].startswith("EXECUTE portcullis_prepared_")
    assert second[0]["sql"].split("(")[0].removeprefix("EXECUTE ") in prepared_statement_names()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_prepared_statement_survives_a_rollback_and_is_prepared_again_on_a_new_connection():
    organization = OrganizationFactory()
    lookup = slug_lookup()
    with pytest.raises(RuntimeError), transaction.atomic():
        lookup.rows(organization.slug)
        raise RuntimeError("roll back")

    assert lookup.rows(organization.slug) == [(organization.id, organization.name)]

    connection.close()  # as a worker's connection is closed after CONN_MAX_AGE or an error
    with CaptureQueriesContext(connection) as reconnected:
        assert lookup.rows(organization.slug) == [(organization.id, organization.name)]
    assert reconnected[0]["sql"].startswith("PREPARE")


@on_postgresql
def test_postgresql_prepared_statements_can_be_turned_off(settings):
    organization = OrganizationFactory()
    settings.PORTCULLIS_DB_PREPARED_STATEMENTS = False
    lookup = slug_lookup()

    with CaptureQueriesContext(connection) as queries:
        assert lookup.rows(organization.slug) == [(organization.id, organization.name)]

    assert queries[0]["sql"].startswith("SELECT")
