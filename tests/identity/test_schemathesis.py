"""Property-based API test: whatever a client sends to the identity API, the answer is never a 5xx.

The schema is the one `/api/schema/` serves; requests go to the WSGI application in process; each operation gets a few
generated requests (valid and invalid), authenticated with a sys_admin service token of a real
organization, so requests reach the views rather than stopping at 404.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from tests.factories import make_service_token

IDENTITY_PATHS = r"^/api/v1/(me/|orgs/\{org\}/(groups|resources|resource-kinds|roles|members|service-tokens|audit-events)/)"




def _served_schema():
    """The document `/api/schema/` serves, generated at collection time without a request."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = application  # requests go through the WSGI application, in process
    # The coverage phase sends ~60 boundary cases per operation: too slow for every run. Its finds
    # (e.g. names at the length limit) have their own tests; the fuzzing phase stays bounded.
    loaded.config.phases.coverage.enabled = False
    return loaded


schema = _served_schema().include(path_regex=IDENTITY_PATHS)


@pytest.fixture(autouse=True)
def in_test_transaction(db, settings):
    """Keep the test's database connection open across WSGI calls, as Django's test client does."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def caller(organization):
    service_token, plaintext = make_service_token(organization, roles=("sys_admin",), name="schemathesis")
    return service_token, {"X-API-Key": plaintext}


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_identity_api_fail(case, organization, caller):
    service_token, headers = caller
    if "org" in (case.path_parameters or {}):
        case.path_parameters["org"] = organization.slug
    if case.method == "DELETE" and case.path.startswith("/api/v1/orgs/{org}/service-tokens/"):
        # Keep the caller's own token alive so the later examples stay authenticated.
        if case.path_parameters.get("id") == service_token.pk:
            case.path_parameters["id"] = service_token.pk + 10_000
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])
