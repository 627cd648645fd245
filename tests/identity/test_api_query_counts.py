"""List endpoints run a fixed number of queries, however many rows they show (no N+1)."""

import itertools

import pytest

from identity import services
from identity.models import Resource
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_service_token

pytestmark = pytest.mark.django_db
_numbers = itertools.count()

# Authentication, principal and pagination included; a regression here is an N+1.
QUERY_BUDGET = {
    "groups": 6,
    "resources": 4,
    "roles": 4,
    "members": 4,
    "service-tokens": 5,
    "audit-events": 4,
}


def fill(organization, rows):
    admin = SYSTEM_PRINCIPAL_ADMIN(organization)
    numbers = list(itertools.islice(_numbers, rows))
    usernames = [f"person-{number}" for number in numbers]
    for username in usernames:
        services.member_add(organization=organization, actor=admin, username=username, role="member")
    parent = None
    for number in numbers:
        parent = Resource.objects.create(organization=organization, kind="projects", name=f"p{number}", parent=parent)
        services.role_create(organization=organization, actor=admin, name=f"role-{number}", permissions=["secrets:read"])
        services.group_create(
            organization=organization, actor=admin, name=f"group-{number}", roles=["member"], members=usernames
        )
        make_service_token(organization, roles=("member", "sys_admin"))


@pytest.mark.parametrize("path,budget", QUERY_BUDGET.items())
def test_list_endpoints_keep_to_their_query_budget(token_client, organization, django_assert_max_num_queries, path, budget):
    fill(organization, rows=2)
    url = f"/api/v1/orgs/{organization.slug}/{path}/"
    token_client.get(url)  # settle last_used_at, written at most once a minute
    with django_assert_max_num_queries(budget):
        few = token_client.get(url)
    fill(organization, rows=6)
    with django_assert_max_num_queries(budget):
        many = token_client.get(url)
    assert len(many.json()["results"]) > len(few.json()["results"])
