"""List endpoints run a fixed number of queries, however many rows they show (no N+1); the
per-call and per-grant hot paths run a fixed, small number, however many groups and roles."""

import itertools

import pytest

from identity import services
from identity.models import AuditEvent, Resource
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_service_token
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db
_numbers = itertools.count()

# Authentication (the token with its role bindings), pagination included; a regression here is
# an N+1.
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


def credential_in_groups(organization, groups):
    """A credential in ``groups`` groups of two roles each, with a resource grant of its own."""
    admin = SYSTEM_PRINCIPAL_ADMIN(organization)
    credential, secret = make_credential(organization, permissions=["studios:read"])
    names = []
    for _ in range(groups):
        number = next(_numbers)
        services.role_create(organization=organization, actor=admin, name=f"role-{number}", permissions=["secrets:read"])
        services.group_create(organization=organization, actor=admin, name=f"group-{number}", roles=["member", f"role-{number}"])
        names.append(f"group-{number}")
    group_ids = list(organization.groups.filter(name__in=names).values_list("pk", flat=True))
    services.service_credential_update(credential=credential, actor=admin, groups=group_ids)
    return credential, secret


def grant(client, credential, secret):
    return client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret))


@pytest.mark.parametrize("groups", [1, 4])
def test_a_grant_keeps_to_its_query_budget(client, organization, django_assert_max_num_queries, groups):
    credential, secret = credential_in_groups(organization, groups)
    assert grant(client, credential, secret).status_code == 200  # settle last_used_at, written at most once a minute
    # Throttle counter (database cache), client, scopes (roles, own grants, groups' grants), the
    # credential locked, on PostgreSQL its commit made asynchronous, the token saved and read back
    # by django-oauth-toolkit for its app_authorized signal, and the transaction (savepoints
    # inside a test).
    with django_assert_max_num_queries(10):
        assert grant(client, credential, secret).status_code == 200


@pytest.mark.parametrize("groups", [1, 4])
def test_a_bearer_call_is_the_token_and_its_bindings(client, organization, django_assert_num_queries, groups):
    credential, secret = credential_in_groups(organization, groups)
    token = grant(client, credential, secret).json()["access_token"]
    client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")  # the throttle's count, remembered a second
    # The token with its credential, and every binding of the credential and its groups (read
    # live, so a role change counts at once), whatever the number of groups.
    with django_assert_num_queries(2):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert "secrets:read" in response.json()["permissions"]


def test_an_api_key_call_is_one_query(token_client, django_assert_num_queries):
    token_client.get("/api/v1/me/")  # settles last_used_at (written at most once a minute) and the throttle's count
    # The token with its role bindings (read live, so a role change counts at once).
    with django_assert_num_queries(1):
        assert token_client.get("/api/v1/me/").status_code == 200


def test_a_bearer_callers_audited_write_still_names_its_service_user(client, organization):
    # The bearer lookup leaves the service user out; the audit event reads it when it is written.
    admin = SYSTEM_PRINCIPAL_ADMIN(organization)
    credential, secret = make_credential(organization)
    services.role_create(organization=organization, actor=admin, name="vault-writer", permissions=["secrets:read", "secrets:write"])
    group = services.group_create(organization=organization, actor=admin, name="vault-writers", roles=["vault-writer"])
    services.service_credential_update(credential=credential, actor=admin, groups=[group.pk])
    token = grant(client, credential, secret).json()["access_token"]

    response = client.post(
        f"/api/v1/orgs/{organization.slug}/secrets/", {"name": "deploy-key", "type": "api_key", "value": {"header_name": "X-Key", "value": "k"}},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(organization=organization, target_name="deploy-key")
    assert event.actor_user == credential.service_user and event.actor_kind == "service_credential"
