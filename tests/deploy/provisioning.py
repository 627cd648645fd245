"""Setting up a migrated deployment with the operator commands the README names, and nothing else."""

import secrets
from dataclasses import dataclass

from tests.deploy.servers import manage

ORGANIZATION = "acme"
USERNAME = "alice"


@dataclass
class Site:
    organization: str
    username: str
    password: str
    service_token: str


def provision(env):
    """The first Account Holder, and a sys_admin service token for the API."""
    password = secrets.token_urlsafe(18)
    manage(
        {**env, "PORTCULLIS_PASSWORD": password}, "createaccountholder", "--org", ORGANIZATION, "--username", USERNAME,
        "--email", f"{USERNAME}@example.test", "--noinput",
    )
    token = manage(env, "createservicetoken", "--org", ORGANIZATION, "--name", "deploy-test", "--roles", "sys_admin")
    return Site(organization=ORGANIZATION, username=USERNAME, password=password, service_token=token.strip())
