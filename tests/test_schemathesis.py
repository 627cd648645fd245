"""Property-based API test: whatever a client sends to the credential, root and secret endpoints,
the answer is never a 5xx.

`tests/identity/test_schemathesis.py` fuzzes `me/` and the directory; this module fuzzes every
other operation `/api/schema/` describes, so together they cover the whole served schema. The
requests go through the WSGI application in process, authenticated with a sys_admin service
token (`X-API-Key`) of a real organization whose slug replaces the generated `{org}`, and which
owns a credential, a resource and a secret whose ids are mixed into the generated ones, so some
examples reach real objects rather than stopping at 404. Bounded: a few examples per operation,
derandomized, no deadline.
"""

import json
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from identity.models import Resource
from secrets_vault import services as vault_services
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_service_token

IDENTITY_PATHS = r"^/api/v1/(me/|orgs/\{org\}/(groups|resources|resource-kinds|roles|members|service-tokens|audit-events)/)"
TEST_KEY = "q0lr7o9WcP9d8T0Xl1lH3yQZbZ3j0d7pSc7y5z2r8mU="


def _served_schema():
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = application
    loaded.config.phases.coverage.enabled = False
    return loaded


schema = _served_schema().exclude(path_regex=IDENTITY_PATHS)


@pytest.fixture(autouse=True)
def in_test_transaction(db, settings):
    """Keep the test's connection open across WSGI calls; a vault key so secrets can be stored."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(organization):
    """The caller's headers and the ids of real objects of its organization, by path parameter."""
    _, plaintext = make_service_token(organization, roles=("sys_admin",), name="schemathesis")
    credential, _ = make_credential(organization, permissions=["studios:read"])
    Resource.objects.create(organization=organization, kind="projects", name="fuzzed")
    secret = vault_services.secret_create(
        organization=organization,
        actor=SYSTEM_PRINCIPAL_ADMIN(organization),
        name="fuzzed",
        type="api_key",
        value={"header_name": "X-Key", "value": "not-a-real-value"},
    )
    return {"X-API-Key": plaintext}, {"credential": credential.pk, "secret": str(secret.pk)}


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_rest_of_the_api_fail(case, organization, world):
    headers, real_ids = world
    parameters = case.path_parameters or {}
    if "org" in parameters:
        parameters["org"] = organization.slug
    if "id" in parameters and zlib.crc32(repr(case.body).encode()) % 2:
        parameters["id"] = real_ids["secret" if "/secrets/" in case.path else "credential"]
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])
