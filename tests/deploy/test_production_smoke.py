"""A production deployment as an operator makes it, used as pipelines and people use it.

A fresh database (on PostgreSQL a copy of a fresh one just migrated, see ``conftest``), ``manage.py
migrate`` and nothing else, then gunicorn with ``DJANGO_DEBUG=false`` on plain HTTP behind a
TLS-terminating proxy (``DJANGO_BEHIND_PROXY``, ``PORTCULLIS_ISSUER``). On SQLite with no Redis
(the embedded defaults), and on PostgreSQL + Redis when ``DATABASE_URL`` and ``REDIS_URL`` are
set. Set up through the operator commands and the API only.
"""

import contextlib
import re

import pytest

from tests.deploy.backends import (
    ISSUER, PUBLIC_HOST, REDIS_URL, needs_postgresql_and_redis, production_env, sqlite_url, throwaway_postgresql,
)
from tests.deploy.pipeline import (
    TOKEN_URL, access_token, api_url, bearer, client_key_pair, create_credential, grant_basic, grant_post,
    grant_with_assertion, signed_assertion,
)
from tests.deploy.portal import LOGIN_URL, log_in, signed_in_as
from tests.deploy.provisioning import provision
from tests.deploy.proxy import through_proxy
from tests.deploy.servers import gunicorn, manage, wait_until_ready

# Allowed too (probes call it): a request naming it must not change the issuer.
OTHER_ALLOWED_HOST = "127.0.0.1"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql-redis", marks=needs_postgresql_and_redis),
]


@pytest.fixture(scope="module", params=BACKENDS)
def deployment(request, tmp_path_factory):
    """``(site, server)``: a provisioned deployment and its gunicorn (two workers)."""
    folder = tmp_path_factory.mktemp(f"smoke-{request.param}")
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            env = production_env(folder, database_url=sqlite_url(folder))
        else:
            template = request.getfixturevalue("migrated_postgresql")
            database_url = stack.enter_context(throwaway_postgresql("portcullis_smoke", template=template))
            env = production_env(folder, database_url=database_url, redis_url=REDIS_URL)
        manage(env, "migrate", "--noinput")
        server = stack.enter_context(gunicorn(env, folder, "gunicorn", workers=2))
        site = provision(env)  # while gunicorn boots
        wait_until_ready(server)
        yield site, server


@pytest.mark.parametrize("probe", ["/healthz", "/readyz", "/metrics"])
def test_health_readiness_and_metrics_answer_200(deployment, probe):
    _, server = deployment
    response = through_proxy(server).get(f"{ISSUER}{probe}")
    assert response.status_code == 200, server.explain(response)


@pytest.mark.parametrize("host", [PUBLIC_HOST, OTHER_ALLOWED_HOST])
def test_a_new_credential_prints_the_issuers_token_url_whatever_host_the_request_named(deployment, host):
    site, server = deployment
    keys = create_credential(through_proxy(server, host=host), server, site, "private_key_jwt", client_key_pair()[1])
    assert keys["token_url"] == TOKEN_URL
    assert TOKEN_URL in keys["usage_example"], keys["usage_example"]


def test_an_assertion_must_name_the_issuers_token_url_whatever_host_the_request_named(deployment):
    site, server = deployment
    session = through_proxy(server, host=OTHER_ALLOWED_HOST)
    key, public_pem = client_key_pair()
    keys = create_credential(session, server, site, "private_key_jwt", public_pem)

    named_host = f"https://{OTHER_ALLOWED_HOST}/o/token/"
    refused = grant_with_assertion(session, signed_assertion(key, keys["client_id"], audience=named_host))
    assert refused.status_code in (400, 401), f"aud {named_host} must be refused\n{server.explain(refused)}"
    assert refused.json()["error"] == "invalid_client", server.explain(refused)
    access_token(grant_with_assertion(session, signed_assertion(key, keys["client_id"], audience=TOKEN_URL)), server)


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_a_client_secret_credential_gets_a_token_that_calls_the_api(deployment, method):
    site, server = deployment
    session = through_proxy(server)
    keys = create_credential(session, server, site, method)

    grant = {"client_secret_basic": grant_basic, "client_secret_post": grant_post}[method]
    token = access_token(grant(session, keys), server)

    me = session.get(api_url("me/"), headers=bearer(token))
    assert me.status_code == 200, server.explain(me)
    assert (me.json()["kind"], me.json()["organization"]) == ("service_credential", site.organization)


def test_a_private_key_jwt_credential_gets_a_token_with_the_printed_token_url_as_audience(deployment):
    site, server = deployment
    session = through_proxy(server)
    key, public_pem = client_key_pair()
    keys = create_credential(session, server, site, "private_key_jwt", public_pem)

    assertion = signed_assertion(key, keys["client_id"], audience=keys["token_url"])
    token = access_token(grant_with_assertion(session, assertion), server)

    me = session.get(api_url("me/"), headers=bearer(token))
    assert me.status_code == 200, server.explain(me)
    assert me.json()["kind"] == "service_credential"


def test_the_account_holder_logs_in_to_the_portal(deployment):
    site, server = deployment

    page = log_in(through_proxy(server), server, site)

    assert page.status_code == 200, server.explain(page)
    assert page.url.startswith(f"{ISSUER}/orgs/{site.organization}/"), page.url
    assert signed_in_as(page, site.username), server.explain(page)


def test_the_portal_serves_its_own_stylesheet_and_script_without_collectstatic(deployment):
    _, server = deployment
    browser = through_proxy(server)
    page = browser.get(LOGIN_URL)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert assets, f"the login page links no static file:\n{page.text[:2000]}"
    for asset in assets:
        response = browser.get(f"{ISSUER}{asset}")
        assert response.status_code == 200, server.explain(response)
