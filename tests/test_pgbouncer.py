"""Portcullis through PgBouncer in transaction mode: Debian's pgbouncer (1.18), started here.

Transaction pooling runs each transaction on whichever server connection is free, so under load one
request's statements land on several. With PORTCULLIS_DB_PREPARED_STATEMENTS=false, grants and API
calls from both workers of a gunicorn all succeed on server-side binding (its unnamed statements go
as Parse, Bind, Execute and Sync together). With prepared statements on, a statement prepared on
one server connection is missing on the next, or its name is taken there: PgBouncer tracks
protocol-level prepared statements only from 1.21 (`max_prepared_statements`).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection

from tests.deploy.backends import POSTGRESQL_URL, production_env, throwaway_postgresql
from tests.deploy.pipeline import api_url, bearer, create_credential, grant_basic
from tests.deploy.provisioning import provision
from tests.deploy.proxy import through_proxy
from tests.deploy.servers import free_port, gunicorn, manage, started, wait_until_ready

PGBOUNCER = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/usr/bin")

pytestmark = [
    pytest.mark.skipif(not POSTGRESQL_URL, reason="DATABASE_URL is not PostgreSQL: PgBouncer pools PostgreSQL"),
    pytest.mark.skipif(PGBOUNCER is None, reason="pgbouncer is not installed (Debian: apt-get install pgbouncer)"),
]


@dataclass
class PgBouncer:
    """A started PgBouncer: where it listens, and what it logs."""

    port: int
    user: str
    log: Path
    name: str = "PgBouncer"
    process: subprocess.Popen | None = None

    def ready(self):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True
        return False

    def through(self, database_url):
        """The URL of the same database through PgBouncer."""
        return urlsplit(database_url)._replace(netloc=f"{self.user}@127.0.0.1:{self.port}").geturl()

    def clients_of(self, database_url):
        """The client connections PgBouncer holds for that database (its admin console's SHOW CLIENTS)."""
        database = urlsplit(database_url).path.lstrip("/")
        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="pgbouncer", autocommit=True) as admin:
            cursor = admin.execute("SHOW CLIENTS")
            column = [description.name for description in cursor.description].index("database")
            return [row for row in cursor.fetchall() if row[column] == database]


@contextlib.contextmanager
def pgbouncer(folder):
    """PgBouncer in transaction mode on a free loopback port, in front of DATABASE_URL's server."""
    upstream = urlsplit(POSTGRESQL_URL)
    bouncer = PgBouncer(port=free_port(), user=upstream.username or "postgres", log=folder / "pgbouncer.log")
    (folder / "userlist.txt").write_text(f'"{bouncer.user}" "{upstream.password or ""}"\n')
    (folder / "pgbouncer.ini").write_text(textwrap.dedent(f"""\
        [databases]
        * = host={upstream.hostname or "127.0.0.1"} port={upstream.port or 5432}
        [pgbouncer]
        listen_addr = 127.0.0.1
        listen_port = {bouncer.port}
        unix_socket_dir =
        auth_type = trust
        auth_file = {folder / "userlist.txt"}
        admin_users = {bouncer.user}
        pool_mode = transaction
        """))
    # PgBouncer will not run as root; it reads its configuration, then becomes the account given.
    as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
    with started([PGBOUNCER, *as_user, str(folder / "pgbouncer.ini")], dict(os.environ), bouncer.log) as bouncer.process:
        wait_until_ready(bouncer)
        yield bouncer


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A migrated and provisioned deployment whose every connection goes through PgBouncer."""
    folder = tmp_path_factory.mktemp("pgbouncer")
    with throwaway_postgresql("portcullis_pgbouncer") as direct_url, pgbouncer(folder) as bouncer:
        env = production_env(folder, database_url=bouncer.through(direct_url))
        env["PORTCULLIS_DB_PREPARED_STATEMENTS"] = "false"
        manage(env, "migrate", "--noinput")
        yield env, provision(env), folder, bouncer


def rounds_to_prepare():
    """Enough rounds on one connection for psycopg to prepare each query of a round (when it may)."""
    return connection.settings_dict["OPTIONS"]["prepare_threshold"] + 1


def grant_and_call(session, keys):
    """A client_secret_basic grant, then a bearer API call with its token: their statuses."""
    grant = grant_basic(session, keys)
    if grant.status_code != 200:
        return grant.status_code, None
    return 200, session.get(api_url("me/"), headers=bearer(grant.json()["access_token"])).status_code


def under_load(server, keys):
    """Four pipelines at once, each past the prepare threshold: every (grant, call) status pair."""

    def pipeline(rounds):
        session = through_proxy(server)
        return [grant_and_call(session, keys) for _ in range(rounds)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        return [pair for pairs in pool.map(pipeline, [3 * rounds_to_prepare()] * 4) for pair in pairs]


def test_grants_and_api_calls_from_both_workers_succeed_through_pgbouncer_with_prepared_statements_off(deployment):
    env, site, folder, bouncer = deployment
    with gunicorn(env, folder, "gunicorn-through-pgbouncer", workers=2) as server:
        wait_until_ready(server)
        keys = create_credential(through_proxy(server), server, site, "client_secret_basic")

        statuses = under_load(server, keys)

        assert statuses == [(200, 200)] * len(statuses), server.explain(grant_basic(through_proxy(server), keys))
        assert len(bouncer.clients_of(env["DATABASE_URL"])) == 2  # a connection per worker: both served


def test_with_prepared_statements_on_grants_and_calls_fail_through_pgbouncer_before_1_21(deployment):
    env, site, folder, _ = deployment
    env = {**env, "PORTCULLIS_DB_PREPARED_STATEMENTS": "true"}
    with gunicorn(env, folder, "gunicorn-prepared-through-pgbouncer", workers=2) as server:
        wait_until_ready(server)
        keys = create_credential(through_proxy(server), server, site, "client_secret_basic")

        statuses = under_load(server, keys)

        # psycopg's named statements (_pg3_N) are missing or taken on the server connection a
        # transaction lands on; how the failure shows (500, 503, a retried health check) varies.
        assert statuses != [(200, 200)] * len(statuses), server.log.read_text()[-3000:]


ITERATE_ACROSS_SERVER_CONNECTIONS = """
import os
import psycopg
from django.contrib.contenttypes.models import ContentType

rows = ContentType.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=1)
read = [next(rows)]
# A neighbour takes the server connection the first read used, as any other client may.
with psycopg.connect(os.environ["DATABASE_URL"]) as neighbour:
    neighbour.execute("SELECT 1")
    read.extend(rows)
print(read == list(ContentType.objects.order_by("pk").values_list("pk", flat=True)))
"""


def test_a_queryset_iterated_across_transactions_reads_every_row_when_pgbouncer_moves_them(deployment):
    """What the clean-up jobs do: ``.iterator()``, with a transaction of their own per row."""
    env, _, _, _ = deployment
    assert manage(env, "shell", "-c", ITERATE_ACROSS_SERVER_CONNECTIONS).strip().splitlines()[-1] == "True"
