"""Decisions reaching resource servers: `access-checks/`, introspection's `authorization_details`
and `me/`'s `resource_permissions`, with inheritance down the resource tree, live at every request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from identity import services
from identity.models import Role, RoleBinding
from identity.services.role_bindings import role_binding_create
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_member, make_resource, make_service_token
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db
CHECKS = "/api/v1/access-checks/"
ME = "/api/v1/me/"


@pytest.fixture
def tree(organization):
    """acme → apollo → prod, zeus beside apollo; globex, another company, with its project hermes."""
    acme = make_resource(organization, "companies", "acme")
    apollo = make_resource(organization, "projects", "apollo", parent=acme)
    prod = make_resource(organization, "environments", "prod", parent=apollo)
    zeus = make_resource(organization, "projects", "zeus", parent=acme)
    globex = make_resource(organization, "companies", "globex")
    hermes = make_resource(organization, "projects", "hermes", parent=globex)
    return {"acme": acme, "apollo": apollo, "prod": prod, "zeus": zeus, "globex": globex, "hermes": hermes}


def bind(organization, kind, subject, *, role=None, permissions=None, resource=None):
    return role_binding_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), subject_kind=kind, subject_id=subject.pk,
        role=role, permissions=permissions, resource=resource.pk if resource is not None else None,
    )


def bearer_token(credential, secret):
    response = APIClient().post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def as_bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def check(client, *pairs, token=None):
    body = {"checks": [{"permission": p, "resource": r} for p, r in pairs]}
    if token is not None:
        body["token"] = token
    response = client.post(CHECKS, body, format="json")
    assert response.status_code == 200, response.content
    return [result["allowed"] for result in response.json()["results"]]


@pytest.fixture
def resource_server(organization):
    """A resource server's own credential (it introspects) and service token (it asks access-checks/)."""
    credential, secret = make_credential(organization, name="resource-server")
    Role.objects.create(organization=organization, name="introspector", permissions=["service_credentials:read"])
    _, api_key = make_service_token(organization, roles=("introspector",), name="resource-server")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"ApiKey {api_key}")
    return {"basic": basic(credential.client_id, secret), "client": client}


def introspect(resource_server, token):
    response = APIClient().post("/o/introspect/", {"token": token}, HTTP_AUTHORIZATION=resource_server["basic"])
    assert response.status_code == 200
    return response.json()


# ---------------------------------------------------------------- inheritance


def test_a_binding_on_a_company_holds_on_its_project_and_environment_not_on_another_company(organization, tree):
    credential, secret = make_credential(organization, name="ci")
    bind(organization, "service_credential", credential, permissions=["projects:read", "environments:read"], resource=tree["acme"])
    client = as_bearer(bearer_token(credential, secret))
    assert check(
        client, ("projects:read", tree["apollo"].pk), ("environments:read", "environments/prod"),
        ("projects:read", tree["hermes"].pk), ("projects:read", None), ("environments:write", tree["prod"].pk),
    ) == [True, True, False, False, False]


def test_a_binding_on_a_project_holds_on_its_environment_not_on_a_sibling_project(organization, tree):
    credential, secret = make_credential(organization, name="ci")
    bind(organization, "service_credential", credential, permissions=["projects:write", "environments:write"], resource=tree["apollo"])
    client = as_bearer(bearer_token(credential, secret))
    assert check(
        client, ("projects:write", "projects/apollo"), ("environments:write", tree["prod"].pk),
        ("projects:write", "projects/zeus"), ("projects:write", tree["acme"].pk),
    ) == [True, True, False, False]


def test_a_group_binding_holds_for_a_person_in_it(organization, tree):
    person = make_member(organization)
    group = services.group_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="apollo-team", members=[person.username]
    )
    bind(organization, "group", group, permissions=["projects:read"], resource=tree["apollo"])
    client = APIClient()
    client.force_authenticate(user=person)
    assert check(client, ("projects:read", tree["apollo"].pk), ("projects:read", tree["zeus"].pk)) == [True, False]


# ---------------------------------------------------------------- authorization details at three levels


def test_introspection_details_a_token_with_bindings_at_three_levels(organization, tree, resource_server):
    credential, secret = make_credential(organization, name="ci")
    bind(organization, "service_credential", credential, permissions=["secrets:read"])
    bind(organization, "service_credential", credential, permissions=["companies:read"], resource=tree["acme"])
    bind(organization, "service_credential", credential, permissions=["projects:write", "projects:read"], resource=tree["apollo"])
    bind(organization, "service_credential", credential, permissions=["environments:write"], resource=tree["prod"])
    token = bearer_token(credential, secret)
    claims = introspect(resource_server, token)
    assert claims["active"] is True
    assert claims["scope"] == "secrets:read"
    assert claims["authorization_details"] == [
        {"type": "portcullis_resource", "identifier": "companies/acme", "resource_id": tree["acme"].pk, "actions": ["companies:read"]},
        {"type": "portcullis_resource", "identifier": "environments/prod", "resource_id": tree["prod"].pk, "actions": ["environments:write"]},
        {"type": "portcullis_resource", "identifier": "projects/apollo", "resource_id": tree["apollo"].pk,
         "actions": ["projects:read", "projects:write"]},
    ]
    me = as_bearer(token).get(ME).json()
    assert me["resource_permissions"] == claims["authorization_details"]
    assert me["permissions"] == ["secrets:read"]


def test_a_token_asked_for_fewer_scopes_details_only_those(organization, tree, resource_server):
    credential, secret = make_credential(organization, name="ci")
    bind(organization, "service_credential", credential, permissions=["projects:write", "projects:read"], resource=tree["apollo"])
    response = APIClient().post(
        "/o/token/", {"grant_type": "client_credentials", "scope": "projects:read"},
        HTTP_AUTHORIZATION=basic(credential.client_id, secret),
    )
    claims = introspect(resource_server, response.json()["access_token"])
    assert [detail["actions"] for detail in claims["authorization_details"]] == [["projects:read"]]


def test_a_person_sees_their_resource_permissions_in_me(organization, tree):
    person = make_member(organization)
    bind(organization, "user", person, permissions=["projects:write"], resource=tree["apollo"])
    client = APIClient()
    client.force_authenticate(user=person)
    assert client.get(ME).json()["resource_permissions"] == [
        {"type": "portcullis_resource", "identifier": "projects/apollo", "resource_id": tree["apollo"].pk, "actions": ["projects:write"]}
    ]


# ---------------------------------------------------------------- live: a role changed, a binding deleted


def test_a_role_changed_after_binding_changes_the_tokens_answer_at_the_next_request(organization, tree, resource_server):
    role = Role.objects.create(organization=organization, name="apollo-dev", permissions=["projects:read", "projects:write"])
    credential, secret = make_credential(organization, name="ci")
    bind(organization, "service_credential", credential, role="apollo-dev", resource=tree["apollo"])
    token = bearer_token(credential, secret)
    client = as_bearer(token)
    assert check(client, ("projects:write", tree["prod"].pk)) == [True]

    services.role_update(role=role, actor=SYSTEM_PRINCIPAL_ADMIN(organization), permissions=["projects:read"])

    assert check(client, ("projects:write", tree["prod"].pk), ("projects:read", tree["prod"].pk)) == [False, True]
    assert check(resource_server["client"], ("projects:write", tree["apollo"].pk), token=token) == [False]
    assert introspect(resource_server, token)["authorization_details"][0]["actions"] == ["projects:read"]
    assert client.get(ME).json()["resource_permissions"][0]["actions"] == ["projects:read"]


def test_a_role_widened_after_binding_widens_a_service_tokens_answer(organization, tree, resource_server):
    role = Role.objects.create(organization=organization, name="apollo-dev", permissions=["projects:read"])
    token, api_key = make_service_token(organization, roles=("member",))
    bind(organization, "service_token", token, role="apollo-dev", resource=tree["apollo"])
    assert check(resource_server["client"], ("projects:write", tree["apollo"].pk), token=api_key) == [False]
    services.role_update(role=role, actor=SYSTEM_PRINCIPAL_ADMIN(organization), permissions=["projects:read", "projects:write"])
    assert check(resource_server["client"], ("projects:write", tree["apollo"].pk), token=api_key) == [True]


def test_deleting_the_binding_ends_it_at_the_next_request(organization, tree, resource_server, token_client):
    credential, secret = make_credential(organization, name="ci")
    binding = bind(organization, "service_credential", credential, permissions=["projects:read"], resource=tree["apollo"])
    token = bearer_token(credential, secret)
    client = as_bearer(token)
    assert check(client, ("projects:read", tree["prod"].pk)) == [True]

    assert token_client.delete(f"/api/v1/orgs/{organization.slug}/role-bindings/{binding.pk}/").status_code == 204

    assert check(client, ("projects:read", tree["prod"].pk)) == [False]
    assert check(resource_server["client"], ("projects:read", tree["prod"].pk), token=token) == [False]
    assert introspect(resource_server, token)["authorization_details"] == []
    assert client.get(ME).json()["resource_permissions"] == []


# ---------------------------------------------------------------- for a presented token


def test_a_resource_server_checks_a_pipelines_access_token(organization, tree, resource_server):
    credential, secret = make_credential(organization, name="ci")
    bind(organization, "service_credential", credential, permissions=["projects:read"], resource=tree["apollo"])
    token = bearer_token(credential, secret)
    response = resource_server["client"].post(
        CHECKS, {"token": token, "checks": [{"permission": "projects:read", "resource": "projects/apollo"},
                                            {"permission": "projects:read", "resource": tree["zeus"].pk}]},
        format="json",
    )
    assert response.json() == {"results": [
        {"permission": "projects:read", "resource": "projects/apollo", "allowed": True},
        {"permission": "projects:read", "resource": tree["zeus"].pk, "allowed": False},
    ]}
    assert response["Cache-Control"] == "no-store"


def test_checking_another_token_needs_service_credentials_read(organization, tree):
    credential, secret = make_credential(organization, name="ci")
    _, api_key = make_service_token(organization, roles=("member",))
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key)
    response = client.post(
        CHECKS, {"token": bearer_token(credential, secret), "checks": [{"permission": "projects:read", "resource": None}]},
        format="json",
    )
    assert response.status_code == 403
    assert "service_credentials:read" in response.json()["token"][0]


def test_an_unknown_token_and_another_organizations_token_are_allowed_nothing_alike(organization, other_organization, resource_server):
    stranger, secret = make_credential(other_organization)
    bind(other_organization, "service_credential", stranger, permissions=["secrets:read"])
    foreign = bearer_token(stranger, secret)
    for token in (foreign, "not-a-token", "pct_" + "x" * 59):
        assert check(resource_server["client"], ("secrets:read", None), token=token) == [False]


def test_a_revoked_credentials_token_is_allowed_nothing(organization, resource_server):
    credential, secret = make_credential(organization, name="ci")
    bind(organization, "service_credential", credential, permissions=["secrets:read"])
    token = bearer_token(credential, secret)
    assert check(resource_server["client"], ("secrets:read", None), token=token) == [True]
    services.service_credential_disable(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization))
    assert check(resource_server["client"], ("secrets:read", None), token=token) == [False]


# ---------------------------------------------------------------- resources that are not there


def test_an_unknown_resource_or_another_organizations_is_not_allowed_never_404(organization, other_organization, token_client):
    elsewhere = make_resource(other_organization, "projects", "elsewhere")
    assert check(
        token_client, ("resources:read", elsewhere.pk), ("resources:read", "projects/elsewhere"),
        ("resources:read", 987654), ("resources:read", "projects/nowhere"),
    ) == [False, False, False, False]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "checks"),
        ({"checks": []}, "checks"),
        ({"checks": "projects:read"}, "checks"),
        ({"checks": [{"permission": "projects:read"}] * 101}, "checks"),
        ({"checks": ["projects:read"]}, "checks.0"),
        ({"checks": [{"permission": 5}]}, "checks.0.permission"),
        ({"checks": [{"permission": "projects:read\x00"}]}, "checks.0.permission"),
        ({"checks": [{"permission": "read everything"}]}, "checks.0.permission"),
        ({"checks": [{"permission": "projects:read", "resource": True}]}, "checks.0.resource"),
        ({"checks": [{"permission": "projects:read", "resource": 10**30}]}, "checks.0.resource"),
        ({"checks": [{"permission": "projects:read", "resource": 1.5}]}, "checks.0.resource"),
        ({"checks": [{"permission": "projects:read", "resource": "apollo"}]}, "checks.0.resource"),
        ({"checks": [{"permission": "projects:read", "resource": "projects/a\x00"}]}, "checks.0.resource"),
        ({"checks": [{"permission": "projects:read"}], "token": 42}, "token"),
        ({"checks": [{"permission": "projects:read"}], "token": "abc\x00"}, "token"),
    ],
)
def test_bad_input_is_refused_naming_the_field(token_client, body, field):
    response = token_client.post(CHECKS, body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_a_body_that_is_not_an_object_is_refused(token_client):
    assert token_client.post(CHECKS, [1, 2], format="json").status_code == 400


def test_anonymous_callers_get_401(api_client):
    assert api_client.post(CHECKS, {"checks": [{"permission": "projects:read"}]}, format="json").status_code == 401


def test_a_hundred_checks_are_answered(token_client, tree):
    assert len(check(token_client, *[("projects:read", tree["apollo"].pk)] * 100)) == 100


# ---------------------------------------------------------------- query counts


def _chain(organization, depth, prefix):
    parent = None
    for level in range(depth):
        parent = make_resource(organization, "projects", f"{prefix}-{level}", parent=parent)
    return parent


def _queries(client, body):
    client.post(CHECKS, body, format="json")  # a token's last use is written at most once a minute: not counted
    with CaptureQueriesContext(connection) as queries:
        response = client.post(CHECKS, body, format="json")
    assert response.status_code == 200, response.content
    return len(queries)


# The caller's token, its holdings, and the named resources with their ancestors (the throttle's
# count is remembered from the first call). For a presented token, by an API key: that key with its
# bindings, the token, its holder's holdings, and the resources.
@pytest.mark.parametrize(("for_token", "budget"), [(False, 3), (True, 4)], ids=["caller", "presented token"])
def test_access_checks_run_the_same_queries_whatever_the_depth_and_the_number_of_bindings(
    organization, resource_server, for_token, budget
):
    credential, secret = make_credential(organization, name="ci")
    top = make_resource(organization, "companies", "top")
    bind(organization, "service_credential", credential, permissions=["projects:read"], resource=top)
    token = bearer_token(credential, secret)
    client = resource_server["client"] if for_token else as_bearer(token)

    def body(leaf):
        checks = [{"permission": "projects:read", "resource": leaf.pk}, {"permission": "projects:read", "resource": str(leaf)}]
        return {"checks": checks * 5, **({"token": token} if for_token else {})}

    shallow = _queries(client, body(_chain(organization, 2, "shallow")))
    deep_leaf = _chain(organization, 9, "deep")
    for index in range(30):
        bind(organization, "service_credential", credential, permissions=["projects:read"],
             resource=make_resource(organization, "projects", f"bound-{index}"))
    deep = _queries(client, body(deep_leaf))
    assert deep == shallow <= budget


def test_me_runs_the_same_queries_whatever_the_number_of_bindings(organization):
    credential, secret = make_credential(organization, name="ci")
    bind(organization, "service_credential", credential, permissions=["projects:read"], resource=make_resource(organization, "projects", "p0"))
    token = bearer_token(credential, secret)
    client = as_bearer(token)
    client.get(ME)
    with CaptureQueriesContext(connection) as few:
        client.get(ME)
    for index in range(1, 50):
        bind(organization, "service_credential", credential, permissions=["projects:read"],
             resource=make_resource(organization, "projects", f"p{index}"))
    with CaptureQueriesContext(connection) as many:
        body = client.get(ME).json()
    assert len(body["resource_permissions"]) == 50
    assert len(many) == len(few) <= 3


def test_membership_bindings_are_not_listed_as_resource_permissions(organization):
    person = make_member(organization, role="account_manager")
    assert RoleBinding.objects.filter(user=person, membership__isnull=False).exists()
    client = APIClient()
    client.force_authenticate(user=person)
    assert client.get(ME).json()["resource_permissions"] == []


def test_introspection_runs_the_same_queries_whatever_the_number_of_bindings(organization, resource_server):
    credential, secret = make_credential(organization, name="ci")
    bind(organization, "service_credential", credential, permissions=["projects:read"], resource=make_resource(organization, "projects", "p0"))
    token = bearer_token(credential, secret)
    introspect(resource_server, token)
    with CaptureQueriesContext(connection) as few:
        introspect(resource_server, token)
    for index in range(1, 50):
        bind(organization, "service_credential", credential, permissions=["projects:read"],
             resource=make_resource(organization, "projects", f"p{index}"))
    with CaptureQueriesContext(connection) as many:
        assert len(introspect(resource_server, token)["authorization_details"]) == 50
    assert len(many) == len(few)
