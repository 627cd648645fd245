"""List pages run a fixed number of queries, however many rows they show (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identity import services
from identity.principals import SYSTEM_PRINCIPAL
from tests.factories import make_member, make_service_token

pytestmark = pytest.mark.django_db

PAGES = ["members/", "groups/", "resources/", "resource-kinds/", "roles/", "service-tokens/", "audit/"]


def _add_rows(organization, n, start):
    for i in range(start, start + n):
        member = make_member(organization, username=f"person{i}")
        services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name=f"group{i}", roles=["member"], members=[member.username])
        parent = services.resource_create(organization=organization, actor=SYSTEM_PRINCIPAL, kind="companies", name=f"co{i}")
        services.resource_create(organization=organization, actor=SYSTEM_PRINCIPAL, kind="projects", name=f"p{i}", parent=parent)
        product = services.resource_create(organization=organization, actor=SYSTEM_PRINCIPAL, kind="products", name=f"shop{i}")
        services.role_create(
            organization=organization, actor=SYSTEM_PRINCIPAL, name=f"role{i}", permissions=["groups:read"], product=product
        )
        services.resource_kind_create(organization=organization, actor=SYSTEM_PRINCIPAL, name=f"kind{i}", actions=["read"])
        make_service_token(organization, name=f"token{i}", roles=("member", "sys_admin"))


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", PAGES)
def test_list_pages_do_not_grow_with_their_rows(client, organization, page):
    client.force_login(make_member(organization, role="account_holder"))
    url = f"/orgs/{organization.slug}/{page}"
    _add_rows(organization, 1, 0)
    few = _queries(client, url)
    _add_rows(organization, 3, 1)
    assert _queries(client, url) == few
