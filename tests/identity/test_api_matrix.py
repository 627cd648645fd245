"""The credential and tenancy matrix, over every endpoint of groups, resources, roles, members,
service tokens and audit events.

`test_authorization_matrix.py` runs the role matrix (401/403/404/2xx per verb and kind of caller).
This module runs the ways a caller presents itself: both service-token headers, an expired token,
a wrong, unknown or typo'd one, and objects of another organization that a delete through the
wrong organization leaves alone and a list never shows.
"""

from dataclasses import dataclass
from typing import Callable

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from identity import apikeys, services
from identity.models import Resource, ServiceToken
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_service_token

pytestmark = pytest.mark.django_db

SECRET_NAME = "zanzibar-7"  # a name no response may echo unless it is the caller's own object


def _admin(organization):
    return SYSTEM_PRINCIPAL_ADMIN(organization)


def _group(organization):
    return services.group_create(organization=organization, actor=_admin(organization), name=SECRET_NAME).pk


def _resource(organization):
    return Resource.objects.create(organization=organization, kind="projects", name=SECRET_NAME).pk


def _role(organization):
    return services.role_create(organization=organization, actor=_admin(organization), name=SECRET_NAME, permissions=[]).pk


def _member(organization):
    return services.member_add(organization=organization, actor=_admin(organization), username=f"{SECRET_NAME}-{organization.slug}", role="member").pk


def _service_token(organization):
    return make_service_token(organization, roles=("member",), name=SECRET_NAME)[0].pk


@dataclass(frozen=True)
class Endpoint:
    path: str
    make: Callable = None

    def __str__(self):
        return self.path


OBJECTS = [
    Endpoint("groups", _group),
    Endpoint("resources", _resource),
    Endpoint("roles", _role),
    Endpoint("members", _member),
    Endpoint("service-tokens", _service_token),
]
EVERYTHING = [*OBJECTS, Endpoint("audit-events")]


def list_url(organization, endpoint):
    return f"/api/v1/orgs/{organization.slug}/{endpoint.path}/"


def client_with(**headers):
    client = APIClient()
    client.credentials(**headers)
    return client


def with_a_typo(token):
    """One character changed in the secret part, checksum left as it was."""
    index = len(apikeys.PREFIX) + apikeys.KEY_ID_LENGTH + 3
    return token[:index] + ("a" if token[index] != "a" else "b") + token[index + 1 :]


@pytest.fixture
def sys_admin_token(organization):
    return make_service_token(organization, roles=("sys_admin",), name="matrix-admin")[1]


# ---------------------------------------------------------------- how a token is presented


@pytest.mark.parametrize("endpoint", EVERYTHING, ids=str)
@pytest.mark.parametrize(
    "present", [lambda t: {"HTTP_AUTHORIZATION": f"ApiKey {t}"}, lambda t: {"HTTP_X_API_KEY": t}], ids=["authorization", "x-api-key"]
)
def test_a_sys_admin_token_reads_every_list_through_either_header(organization, sys_admin_token, endpoint, present):
    response = client_with(**present(sys_admin_token)).get(list_url(organization, endpoint))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("endpoint", OBJECTS, ids=str)
@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
def test_a_sys_admin_token_reads_and_deletes_objects_through_either_header(organization, sys_admin_token, endpoint, header):
    client = client_with(**{header: f"ApiKey {sys_admin_token}" if header == "HTTP_AUTHORIZATION" else sys_admin_token})
    pk = endpoint.make(organization)
    url = f"{list_url(organization, endpoint)}{pk}/"
    assert client.get(url).status_code == 200
    assert client.delete(url).status_code == 204


@pytest.mark.parametrize("endpoint", EVERYTHING, ids=str)
def test_an_expired_token_gets_401_everywhere(organization, endpoint):
    row, plaintext = make_service_token(organization, roles=("sys_admin",), expires_in="1h")
    ServiceToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    for client in (client_with(HTTP_AUTHORIZATION=f"ApiKey {plaintext}"), client_with(HTTP_X_API_KEY=plaintext)):
        response = client.get(list_url(organization, endpoint))
        assert response.status_code == 401
        assert "ApiKey" in response["WWW-Authenticate"]


@pytest.mark.parametrize("endpoint", EVERYTHING, ids=str)
def test_a_wrong_token_gets_the_same_401_as_an_unknown_one(organization, sys_admin_token, endpoint):
    typo = with_a_typo(sys_admin_token)
    unknown, _ = apikeys.generate()
    answers = [client_with(HTTP_X_API_KEY=value).get(list_url(organization, endpoint)) for value in (typo, unknown)]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].content == answers[1].content
    assert answers[0]["WWW-Authenticate"] == answers[1]["WWW-Authenticate"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "ApiKey pct_"},
        {"HTTP_AUTHORIZATION": "ApiKey pct_tooshort"},
        {"HTTP_AUTHORIZATION": "ApiKey " + "é" * 40},
        {"HTTP_AUTHORIZATION": "ApiKey a b c"},
        {"HTTP_X_API_KEY": "   "},
        {"HTTP_X_API_KEY": "x" * 600},
    ],
    ids=["prefix-only", "short", "non-ascii", "spaces", "blank", "oversized"],
)
def test_malformed_tokens_get_401_on_a_write(organization, headers):
    response = client_with(**headers).post(list_url(organization, OBJECTS[0]), {"name": "x"}, format="json")
    assert response.status_code == 401
    assert response.has_header("WWW-Authenticate")


def test_a_typo_in_the_checksum_is_rejected_like_any_wrong_token(organization, sys_admin_token):
    response = client_with(HTTP_X_API_KEY=sys_admin_token[:-1] + ("0" if sys_admin_token[-1] != "0" else "1")).get(
        list_url(organization, OBJECTS[0])
    )
    assert response.status_code == 401


# ---------------------------------------------------------------- another organization


@pytest.mark.parametrize("endpoint", OBJECTS, ids=str)
def test_a_foreign_object_survives_a_delete_through_the_wrong_organization(organization, other_organization, sys_admin_token, endpoint):
    foreign_pk = endpoint.make(other_organization)
    client = client_with(HTTP_X_API_KEY=sys_admin_token)
    client.delete(f"{list_url(organization, endpoint)}{foreign_pk}/")
    _, other_token = make_service_token(other_organization, roles=("sys_admin",), name="owner")
    assert client_with(HTTP_X_API_KEY=other_token).get(f"{list_url(other_organization, endpoint)}{foreign_pk}/").status_code == 200


def test_another_organizations_audit_events_are_never_listed(organization, other_organization, sys_admin_token):
    _group(other_organization)
    rows = client_with(HTTP_X_API_KEY=sys_admin_token).get(list_url(organization, EVERYTHING[-1]), {"page_size": 200}).json()
    assert SECRET_NAME not in str(rows)
    assert rows["count"] == organization.audit_events.count()


# ---------------------------------------------------------------- a person's session


@pytest.mark.parametrize("path", [*(e.path for e in EVERYTHING), "service-credentials"])
@pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning")
def test_every_list_has_a_definite_order_to_page_through(organization, sys_admin_token, path):
    """An unordered (e.g. GROUP BY) queryset pages unpredictably: rows repeat or go missing."""
    response = client_with(HTTP_X_API_KEY=sys_admin_token).get(f"/api/v1/orgs/{organization.slug}/{path}/", {"page_size": 1})
    assert response.status_code == 200
