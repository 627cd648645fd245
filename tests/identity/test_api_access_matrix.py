"""What every organization-scoped endpoint keeps beside its authorization: a permitted caller's
round trip (list, create, read, update, delete), 404 for unknown organizations and ids, 409 for
a taken name, 400 for a body that is not JSON or not an object.

Who may do what, for every role and kind of caller, is ``test_authorization_matrix.py``.
"""

from dataclasses import dataclass, field
from typing import Callable

import pytest

from identity import services
from identity.models import Resource
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_service_token

pytestmark = pytest.mark.django_db


def _group(organization):
    return services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="ops").pk


def _resource(organization):
    return Resource.objects.create(organization=organization, kind="projects", name="apollo").pk


def _role(organization):
    return services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="auditor", permissions=["audit_events:read"]
    ).pk


def _person(organization, username, role):
    """A member without a usable password: no slow password hashing in a test that never logs in."""
    admin = SYSTEM_PRINCIPAL_ADMIN(organization)
    return services.member_add(organization=organization, actor=admin, username=username, role=role)


def _member(organization):
    return _person(organization, f"bob-{organization.slug}", "member").pk


def _service_token(organization):
    return make_service_token(organization, roles=("member",), name="deployer")[0].pk


@dataclass(frozen=True)
class Endpoint:
    path: str
    make: Callable = None
    create: dict = field(default_factory=dict)
    update: dict = None

    def __str__(self):
        return self.path


OBJECT_ENDPOINTS = [
    Endpoint("groups", _group, {"name": "platform"}, {"name": "platform-team"}),
    Endpoint("resources", _resource, {"kind": "projects", "name": "gemini"}, {"name": "gemini-2"}),
    Endpoint("roles", _role, {"name": "reader", "permissions": ["secrets:read"]}, {"description": "Reads secrets"}),
    Endpoint("members", _member, {"username": "carol", "email": "carol@example.com", "role": "member"}, {"role": "account_manager"}),
    Endpoint("service-tokens", _service_token, {"name": "ci", "roles": ["member"], "expires_in": "24h"}),
]
LIST_ONLY_ENDPOINTS = [Endpoint("audit-events")]
ALL_ENDPOINTS = OBJECT_ENDPOINTS + LIST_ONLY_ENDPOINTS


def list_url(organization, endpoint):
    return f"/api/v1/orgs/{organization.slug}/{endpoint.path}/"


def detail_url(organization, endpoint, pk):
    return f"{list_url(organization, endpoint)}{pk}/"


def detail_requests(endpoint):
    """(method, body) for every verb the detail route takes."""
    verbs = [("get", None), ("delete", None)]
    if endpoint.update is not None:
        verbs.append(("patch", endpoint.update))
    return verbs


def send(client, method, url, body=None):
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


@pytest.fixture
def account_holder(organization):
    return _person(organization, "holder", "account_holder").user


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=str)
def test_a_wrong_token_gets_401(api_client, organization, endpoint):
    api_client.credentials(HTTP_AUTHORIZATION="ApiKey pct_not-a-real-token")
    response = api_client.get(list_url(organization, endpoint))
    assert response.status_code == 401
    assert response.has_header("WWW-Authenticate")


@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=str)
def test_an_unknown_organization_is_not_found(token_client, endpoint):
    assert token_client.get(f"/api/v1/orgs/nowhere/{endpoint.path}/").status_code == 404


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
@pytest.mark.parametrize("caller", ["token_client", "holder_client"])
def test_permitted_callers_list_create_read_update_and_delete(request, organization, endpoint, caller):
    client = request.getfixturevalue(caller)
    pk = endpoint.make(organization)

    listed = client.get(list_url(organization, endpoint))
    assert listed.status_code == 200
    assert {"count", "next", "previous", "results"} <= set(listed.json())
    assert pk in [row["id"] for row in listed.json()["results"]]

    created = client.post(list_url(organization, endpoint), endpoint.create, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["id"] != pk

    detail = client.get(detail_url(organization, endpoint, pk))
    assert detail.status_code == 200
    assert detail.json()["id"] == pk

    if endpoint.update is not None:
        updated = client.patch(detail_url(organization, endpoint, pk), endpoint.update, format="json")
        assert updated.status_code == 200, updated.content
        for key, value in endpoint.update.items():
            assert updated.json()[key] == value

    assert client.delete(detail_url(organization, endpoint, pk)).status_code == 204
    assert client.get(detail_url(organization, endpoint, pk)).status_code == 404


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_ids_beyond_any_integer_are_not_found(token_client, organization, endpoint):
    assert token_client.get(detail_url(organization, endpoint, 10**30)).status_code == 404


@pytest.mark.parametrize("endpoint", [e for e in OBJECT_ENDPOINTS if e.path != "members"], ids=str)
def test_a_taken_name_is_a_conflict(token_client, organization, endpoint):
    first = token_client.post(list_url(organization, endpoint), endpoint.create, format="json")
    assert first.status_code == 201, first.content
    again = token_client.post(list_url(organization, endpoint), endpoint.create, format="json")
    assert again.status_code == 409
    assert "name" in again.json()


def test_adding_someone_already_a_member_is_a_conflict(token_client, organization, account_holder):
    body = {"username": account_holder.username, "role": "member"}
    response = token_client.post(list_url(organization, OBJECT_ENDPOINTS[3]), body, format="json")
    assert response.status_code == 409
    assert "username" in response.json()


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_a_body_that_is_not_an_object_is_a_400(token_client, organization, endpoint):
    response = token_client.post(list_url(organization, endpoint), ["not", "an", "object"], format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS, ids=str)
def test_malformed_json_is_a_400(token_client, organization, endpoint):
    response = token_client.post(list_url(organization, endpoint), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
