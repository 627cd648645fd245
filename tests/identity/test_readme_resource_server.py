"""The README's resource-server middleware, run as printed against this server."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.test import RequestFactory
from rest_framework.test import APIClient

from identity.models import Role
from identity.services.role_bindings import role_binding_create
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_resource, make_service_token
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db
BASE = "https://portcullis.example.com"


def readme_middleware(service_token):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Checking access from a resource server", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(code.replace("<this service's token>", service_token), namespace)  # noqa: S102 - our own README
    return namespace["portcullis_access"]


def through_test_client(url, json, headers, timeout):
    """``requests.post`` answered by this server through Django's test client."""
    assert url.startswith(BASE)
    response = APIClient().post(url.removeprefix(BASE), json, format="json", HTTP_AUTHORIZATION=headers["Authorization"])

    def raise_for_status():
        if response.status_code >= 400:
            raise requests.HTTPError(response.status_code)

    return SimpleNamespace(json=response.json, raise_for_status=raise_for_status)


def test_the_readme_middleware_allows_a_bound_pipeline_and_refuses_elsewhere(organization, monkeypatch):
    monkeypatch.setattr(requests, "post", through_test_client)
    Role.objects.create(organization=organization, name="introspector", permissions=["service_credentials:read"])
    _, service_key = make_service_token(organization, roles=("introspector",))
    acme = make_resource(organization, "companies", "acme")
    apollo = make_resource(organization, "projects", "apollo", parent=acme)
    make_resource(organization, "projects", "zeus", parent=acme)
    credential, secret = make_credential(organization, name="pipeline")
    role_binding_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), subject_kind="service_credential",
        subject_id=credential.pk, permissions=["projects:read"], resource=apollo.pk,
    )
    token = APIClient().post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret)
    ).json()["access_token"]
    middleware = readme_middleware(service_key)(lambda request: SimpleNamespace(status_code=200))

    def call(method, path):
        request = getattr(RequestFactory(), method)(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        return middleware(request).status_code

    assert call("get", "/projects/apollo/builds/") == 200
    assert call("post", "/projects/apollo/builds/") == 403
    assert call("get", "/projects/zeus/builds/") == 403
