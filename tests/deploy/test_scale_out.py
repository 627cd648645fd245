"""Scale-out, as the README's recipe builds it: one PostgreSQL, one Redis, two servers, one worker.

``manage.py migrate`` once on a throwaway database (a copy of a fresh one just migrated, see
``conftest``); two gunicorn servers on different ports (one worker each, so "the other server" is
exactly one other process) and one Celery worker share it and the Redis of ``REDIS_URL``.
Whatever one server learns (a revocation, a used ``jti``, a failed authentication, a session) must
hold on the other at its next request.
"""

import contextlib
import time

import psycopg
import pytest
from celery import Celery

from identity.oauth.throttle import MAX_FAILURES
from tests.deploy.backends import (
    ISSUER, REDIS_URL, needs_postgresql_and_redis, production_env, throwaway_postgresql,
)
from tests.deploy.pipeline import (
    access_token, api_key, api_url, bearer, client_key_pair, create_credential, grant_basic, grant_with_assertion,
    signed_assertion,
)
from tests.deploy.portal import log_in, signed_in_as
from tests.deploy.provisioning import provision
from tests.deploy.proxy import through_proxy
from tests.deploy.servers import START_SECONDS, celery_worker, gunicorn, log_tail, manage, wait_until_ready

pytestmark = needs_postgresql_and_redis


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, migrated_postgresql):
    """``(site, server A, server B, worker, database URL)``."""
    folder = tmp_path_factory.mktemp("scale-out")
    with contextlib.ExitStack() as stack:
        database_url = stack.enter_context(throwaway_postgresql("portcullis_scale", template=migrated_postgresql))
        env = production_env(folder, database_url=database_url, redis_url=REDIS_URL)
        manage(env, "migrate", "--noinput")
        a = stack.enter_context(gunicorn(env, folder, "server-a", workers=1))
        b = stack.enter_context(gunicorn(env, folder, "server-b", workers=1))
        worker = stack.enter_context(celery_worker(env, folder))
        site = provision(env)  # while they boot
        wait_until_ready(a, b, worker)
        yield site, a, b, worker, database_url


def _status(database_url, credential_id):
    """A credential's status as stored: only the worker writes "expired" (requests compute it)."""
    with psycopg.connect(database_url) as connection:
        row = connection.execute("SELECT status FROM identity_servicecredential WHERE id = %s", [credential_id]).fetchone()
    return row[0]


def test_a_token_from_one_server_works_on_the_other_until_the_other_revokes_its_credential(cluster):
    site, a, b, _, _ = cluster
    on_a, on_b = through_proxy(a), through_proxy(b)
    keys = create_credential(on_a, a, site, "client_secret_basic")
    token = access_token(grant_basic(on_a, keys), a)
    for session, server in ((on_b, b), (on_a, a)):
        me = session.get(api_url("me/"), headers=bearer(token))
        assert me.status_code == 200, server.explain(me)

    revoked = on_b.post(
        api_url(f"orgs/{site.organization}/service-credentials/{keys['id']}/revoke/"),
        json={"name": keys["name"]}, headers=api_key(site),
    )
    assert revoked.status_code == 200, b.explain(revoked)

    me = on_a.get(api_url("me/"), headers=bearer(token))
    assert me.status_code == 401, f"server A still accepts a token revoked on server B\n{a.explain(me)}"


def test_a_client_assertion_used_on_one_server_is_refused_on_the_other(cluster):
    site, a, b, _, _ = cluster
    on_a, on_b = through_proxy(a), through_proxy(b)
    key, public_pem = client_key_pair()
    keys = create_credential(on_a, a, site, "private_key_jwt", public_pem)
    # The issuer is an audience RFC 7523 allows too; the smoke test covers the printed token_url.
    assertion = signed_assertion(key, keys["client_id"], audience=ISSUER)
    access_token(grant_with_assertion(on_a, assertion), a)

    replay = grant_with_assertion(on_b, assertion)

    assert replay.status_code in (400, 401), f"server B must refuse a jti used on server A\n{b.explain(replay)}"
    assert replay.json()["error"] == "invalid_client", b.explain(replay)


def test_failed_client_authentications_on_both_servers_add_up_to_one_limit(cluster):
    site, a, b, _, _ = cluster
    on_a, on_b = through_proxy(a), through_proxy(b)
    keys = create_credential(on_a, a, site, "client_secret_basic")
    servers = [(on_a, a), (on_b, b)]
    for attempt in range(MAX_FAILURES):
        session, server = servers[attempt % 2]
        failed = grant_basic(session, keys, secret="wrong-secret")
        assert failed.status_code == 401, f"attempt {attempt + 1}: {server.explain(failed)}"

    for session, server in servers:
        blocked = grant_basic(session, keys, secret="wrong-secret")
        assert blocked.status_code == 429, (
            f"{MAX_FAILURES} failures spread over both servers did not reach the limit on {server.name}\n"
            f"{server.explain(blocked)}"
        )
        assert int(blocked.headers["Retry-After"]) > 0, blocked.headers


def test_a_portal_session_from_one_server_is_signed_in_on_the_other(cluster):
    site, a, b, _, _ = cluster
    on_a, on_b = through_proxy(a), through_proxy(b)
    assert log_in(on_a, a, site).status_code == 200

    on_b.cookies.update(on_a.cookies)
    page = on_b.get(f"{ISSUER}/orgs/{site.organization}/service-credentials/")

    assert page.status_code == 200 and signed_in_as(page, site.username), b.explain(page)


def test_the_worker_consumes_a_task_sent_through_the_shared_broker(cluster):
    site, a, _, worker, database_url = cluster
    keys = create_credential(through_proxy(a), a, site, "client_secret_basic")
    # The shortest validity is 30 days: make this credential lapse now instead.
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "UPDATE identity_servicecredential SET expires_at = now() - interval '1 minute' WHERE id = %s", [keys["id"]]
        )
    assert _status(database_url, keys["id"]) == "active"

    # A bare client naming the task, as any producer on the broker would (beat is not running).
    with Celery(broker=REDIS_URL) as producer:
        producer.send_task("identity.tasks.expire_service_credentials")

    deadline = time.monotonic() + START_SECONDS
    while _status(database_url, keys["id"]) != "expired":
        assert time.monotonic() < deadline, f"the worker never expired the credential; its log:\n{log_tail(worker.log)}"
        time.sleep(0.2)
