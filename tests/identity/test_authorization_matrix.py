"""The authorization matrix: five roles × four kinds of caller × every action of the API.

Each caller holds one role: account_holder, sys_admin, account_manager, member (built in) or
auditor (a custom role: audit_events:read and secrets:read). It holds it as a person (session),
as a service token, as a service credential in a group holding the role (its bearer token from
/o/token/), or as a credential bound to a product and in such a group: a bound credential holds
only its product's roles, so everything organization-wide is 403 for it whatever its group holds.

In the caller's own organization each action answers what ``authorization_matrix.csv`` says. In
another organization everything is 404, and another organization's object named in the caller's
own URLs answers exactly as an object that does not exist (no hint that it does).

The organizations, callers and target objects are built once for the module; each request runs in
a savepoint rolled back after it, so every action finds the same objects.
"""

import csv
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from identity import services
from identity.models import Resource
from secrets_vault import services as vault
from tests.factories import OrganizationFactory, SYSTEM_PRINCIPAL_ADMIN, make_credential, make_member, make_service_token
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db

ROLES = ("account_holder", "sys_admin", "account_manager", "member", "auditor")
KINDS = ("person", "service_token", "credential", "product_bound")
TABLE = Path(__file__).with_name("authorization_matrix.csv")
VAULT_KEY = "q0lr7o9WcP9d8T0Xl1lH3yQZbZ3j0d7pSc7y5z2r8mU="
MISSING_ID = 2_000_000_000


@dataclass(frozen=True)
class Action:
    name: str
    method: str
    path: str
    target: str = None  # which of the organization's target objects the URL names
    body: object = None  # a dict, or a function of the organization's targets
    suffix: str = ""

    def request(self, slug, targets, object_id=None):
        url = f"/api/v1/orgs/{slug}/{self.path}/"
        if self.target:
            url += f"{targets[self.target] if object_id is None else object_id}/{self.suffix}"
        body = self.body(targets) if callable(self.body) else self.body
        return self.method, url, body


SECRET_VALUE = {"header_name": "X-Api-Key", "value": "matrix-value"}

ACTIONS = [
    Action("groups list", "get", "groups"),
    Action("groups create", "post", "groups", body={"name": "new-group"}),
    Action("groups update", "patch", "groups", "group", {"name": "renamed-group"}),
    Action("groups delete", "delete", "groups", "group"),
    Action("resources list", "get", "resources"),
    Action("resources create", "post", "resources", body={"kind": "projects", "name": "new-project"}),
    Action("resources update", "patch", "resources", "resource", {"name": "renamed-project"}),
    Action("resources delete", "delete", "resources", "resource"),
    Action("roles list", "get", "roles"),
    Action("roles create", "post", "roles", body={"name": "new-role", "permissions": ["secrets:read"]}),
    Action("roles update", "patch", "roles", "role", {"description": "Renamed"}),
    Action("roles delete", "delete", "roles", "role"),
    Action("members list", "get", "members"),
    Action("members create", "post", "members", body={"username": "new-person", "email": "new@example.com", "role": "member"}),
    Action("members update", "patch", "members", "member", {"role": "account_manager"}),
    Action("members delete", "delete", "members", "member"),
    Action("service-tokens list", "get", "service-tokens"),
    Action("service-tokens create", "post", "service-tokens", body={"name": "new-token", "roles": ["member"]}),
    Action("service-tokens delete", "delete", "service-tokens", "service_token"),
    Action("service-credentials list", "get", "service-credentials"),
    Action("service-credentials create", "post", "service-credentials", body={"name": "new-credential"}),
    Action("service-credentials update", "patch", "service-credentials", "service_credential", lambda t: {"groups": [t["group"]]}),
    Action("service-credentials delete", "delete", "service-credentials", "service_credential"),
    Action("secrets list", "get", "secrets"),
    Action("secrets create", "post", "secrets", body={"name": "new-secret", "type": "api_key", "value": SECRET_VALUE}),
    Action("secrets update", "patch", "secrets", "secret", {"name": "renamed-secret"}),
    Action("secrets delete", "delete", "secrets", "secret"),
    Action("secrets value", "get", "secrets", "secret", suffix="value/"),
    Action("audit-events list", "get", "audit-events"),
]
DETAIL_ACTIONS = [action for action in ACTIONS if action.target]


def _read_table():
    with TABLE.open(newline="") as table:
        return {row.pop("action"): {column: int(status) for column, status in row.items()} for row in csv.DictReader(table)}


EXPECTED = _read_table()


def expected_status(action, kind, role):
    return EXPECTED[action.name]["product_bound" if kind == "product_bound" else role]


# ---------------------------------------------------------------- the world, built once


@dataclass
class World:
    ours: object
    theirs: object
    targets: dict  # slug -> {target name: id}
    clients: dict  # (kind, role) -> APIClient


def _targets(organization):
    admin = SYSTEM_PRINCIPAL_ADMIN(organization)
    group = services.group_create(organization=organization, actor=admin, name="target-group")
    resource = Resource.objects.create(organization=organization, kind="projects", name="target-project")
    role = services.role_create(organization=organization, actor=admin, name="target-role", permissions=["secrets:read"])
    member = services.member_add(organization=organization, actor=admin, username=f"target-{organization.slug}", role="member")
    token, _ = make_service_token(organization, roles=("member",), name="target-token")
    credential, _ = make_credential(organization, name="target-credential")
    secret = vault.secret_create(organization=organization, actor=admin, name="target-secret", type="api_key", value=SECRET_VALUE)
    return {
        "group": group.pk, "resource": resource.pk, "role": role.pk, "member": member.pk,
        "service_token": token.pk, "service_credential": credential.pk, "secret": str(secret.pk),
    }


def _bearer_client(credential, client_secret):
    client = APIClient()
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(credential.application.client_id, client_secret),
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return client


def _callers(organization):
    admin = SYSTEM_PRINCIPAL_ADMIN(organization)
    product = Resource.objects.create(organization=organization, kind="products", name="widget")
    services.role_create(
        organization=organization, actor=admin, name="widget-reader", permissions=["products:read"], product=product
    )
    clients = {}
    for role in ROLES:
        person = APIClient()
        person.force_login(make_member(organization, role=role))
        clients["person", role] = person

        _, plaintext = make_service_token(organization, roles=(role,), name=f"caller-{role}")
        clients["service_token", role] = APIClient()
        clients["service_token", role].credentials(HTTP_AUTHORIZATION=f"ApiKey {plaintext}")

        group = services.group_create(organization=organization, actor=admin, name=f"holders-{role}", roles=[role])
        clients["credential", role] = _bearer_client(
            *services.service_credential_create(organization=organization, actor=admin, name=f"caller-{role}", groups=[group.pk])
        )
        clients["product_bound", role] = _bearer_client(
            *services.service_credential_create(
                organization=organization, actor=admin, name=f"bound-{role}", groups=[group.pk], bound_resource=product,
                resource_grants=[{"resource": product.pk, "role": "widget-reader"}],
            )
        )
    return clients


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PORTCULLIS_ENCRYPTION_KEYS=[VAULT_KEY]), transaction.atomic():
        ours, theirs = OrganizationFactory(), OrganizationFactory()
        for organization in (ours, theirs):
            services.role_create(
                organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="auditor",
                permissions=["audit_events:read", "secrets:read"],
            )
        targets = {ours.slug: _targets(ours), theirs.slug: _targets(theirs)}
        yield World(ours=ours, theirs=theirs, targets=targets, clients=_callers(ours))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def vault_key(settings):
    settings.PORTCULLIS_ENCRYPTION_KEYS = [VAULT_KEY]


def attempt(client, method, url, body=None):
    """One request whose changes are rolled back after it: the next one finds the same objects."""
    with transaction.atomic():
        if body is None:
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, body, format="json")
        transaction.set_rollback(True)
    return response


# ---------------------------------------------------------------- the matrix


def test_the_table_covers_every_action_and_nothing_else():
    assert list(EXPECTED) == [action.name for action in ACTIONS]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_in_its_own_organization_a_caller_gets_what_the_table_says(world, kind, role):
    client, slug = world.clients[kind, role], world.ours.slug
    answered = {
        action.name: attempt(client, *action.request(slug, world.targets[slug])).status_code for action in ACTIONS
    }
    assert answered == {action.name: expected_status(action, kind, role) for action in ACTIONS}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_in_another_organization_everything_is_not_found(world, kind, role):
    client, slug = world.clients[kind, role], world.theirs.slug
    answered = {action.name: attempt(client, *action.request(slug, world.targets[slug])).status_code for action in ACTIONS}
    assert answered == {action.name: 404 for action in ACTIONS}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_another_organizations_object_answers_as_one_that_does_not_exist(world, kind, role):
    client, slug, targets = world.clients[kind, role], world.ours.slug, world.targets[world.ours.slug]
    foreign = world.targets[world.theirs.slug]
    for action in DETAIL_ACTIONS:
        missing = str(uuid.uuid4()) if action.path == "secrets" else MISSING_ID
        nowhere = attempt(client, *action.request(slug, targets, object_id=missing))
        elsewhere = attempt(client, *action.request(slug, targets, object_id=foreign[action.target]))
        assert nowhere.status_code in (403, 404), action.name
        assert (elsewhere.status_code, elsewhere.content) == (nowhere.status_code, nowhere.content), action.name


def test_anonymous_callers_get_401_with_a_challenge_everywhere(world):
    slug = world.ours.slug
    for action in ACTIONS:
        response = attempt(APIClient(), *action.request(slug, world.targets[slug]))
        assert response.status_code == 401, action.name
        assert "ApiKey" in response["WWW-Authenticate"], action.name
