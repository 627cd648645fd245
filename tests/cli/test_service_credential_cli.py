"""`portcullis service-credential …` against a live server, with real token requests."""

import io
import json
import re
import time
import uuid

import pytest
import requests
from jwcrypto import jwk, jwt

from cli.commands import service_credentials as commands
from identity import services
from identity.models import ServiceCredential
from identity.models.credentials import TOKEN_LIFETIMES, VALIDITY_DAYS
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_resource

pytestmark = pytest.mark.django_db(transaction=True)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture
def studio(organization):
    return make_resource(organization, "studios", "north", actions=["read", "create", "write"])


def fields(text):
    """The ``key  value`` lines of a detail view as a dict (an empty value reads as "")."""
    return dict((line.split(None, 1) + [""])[:2] for line in text.strip().splitlines())


def token_request(url, client_id, secret, post=False):
    data = {"grant_type": "client_credentials"}
    if post:
        return requests.post(url, data={**data, "client_id": client_id, "client_secret": secret}, timeout=10)
    return requests.post(url, data=data, auth=(client_id, secret), timeout=10)


def test_create_prints_the_keys_once_and_they_get_a_token(cli, live_server, studio):
    code, out, err = cli("service-credential", "create", "--name", "ci-deployer", "--description", "Deploys from CI",
                         "--validity", "30d", "--token-lifetime", "15m", "--grant", f"{studio.pk}=studios:read")
    assert code == 0, err
    assert "shown once" in err
    keys = fields(out)
    assert keys["client_secret"].startswith("pcs_")
    assert keys["token_url"] == live_server.url + "/o/token/"
    credential = ServiceCredential.objects.get(name="ci-deployer")
    assert keys["client_id"] == credential.client_id and credential.token_lifetime == "15m"

    response = token_request(keys["token_url"], keys["client_id"], keys["client_secret"])
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "studios:read" and response.json()["expires_in"] == 15 * 60

    code, out, _ = cli("--output", "json", "service-credential", "get", str(credential.pk))
    assert code == 0 and keys["client_secret"] not in out and "client_secret" not in json.loads(out)


def test_json_create_prints_the_whole_response(cli, live_server):
    code, out, err = cli("--output", "json", "service-credential", "create", "--name", "poster",
                         "--auth-method", "client_secret_post", "--validity", "never")
    assert code == 0, err
    created = json.loads(out)
    assert {"id", "client_id", "client_secret", "client_id_issued_at", "realm", "token_url", "usage_example"} <= set(created)
    assert created["token_endpoint_auth_method"] == "client_secret_post" and created["expires_at"] is None
    response = token_request(created["token_url"], created["client_id"], created["client_secret"], post=True)
    assert response.status_code == 200, response.text


def test_list_shows_a_table_and_filters_by_status_and_search(cli, organization, other_organization):
    active, _ = make_credential(organization, name="alpha-builder")
    disabled, _ = make_credential(organization, name="beta-runner")
    services.service_credential_disable(credential=disabled, actor=SYSTEM_PRINCIPAL_ADMIN(organization))
    make_credential(other_organization, name="elsewhere")

    code, out, _ = cli("service-credential", "list")
    assert code == 0
    lines = out.strip().splitlines()
    assert re.split(r"\s{2,}", lines[0]) == ["ID", "NAME", "CLIENT ID", "STATUS", "EXPIRES"]
    row = next(line for line in lines if "alpha-builder" in line).split()
    assert row == [str(active.pk), "alpha-builder", active.client_id, "active", active.expires_at.isoformat().replace("+00:00", "Z")]
    assert "elsewhere" not in out

    code, out, _ = cli("--output", "json", "service-credential", "list", "--status", "disabled")
    assert code == 0 and [row["name"] for row in json.loads(out)] == ["beta-runner"]
    code, out, _ = cli("--output", "json", "service-credential", "list", "--search", "alpha")
    assert [row["name"] for row in json.loads(out)] == ["alpha-builder"]
    code, out, _ = cli("--output", "json", "service-credential", "list", "--search", disabled.client_id)
    assert [row["name"] for row in json.loads(out)] == ["beta-runner"]


def test_get_shows_groups_grants_status_and_lifetimes(cli, organization, studio):
    group = services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="readers")
    role = services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="deployer",
                                permissions=["studios:create"])
    code, out, err = cli("--output", "json", "service-credential", "create", "--name", "detailed", "--validity", "never",
                         "--token-lifetime", "8h", "--group", str(group.pk),
                         "--grant", f"{studio.pk}=studios:read", "--grant", f"{studio.pk}=role:{role.name}")
    assert code == 0, err
    created = json.loads(out)

    code, out, _ = cli("service-credential", "get", str(created["id"]))
    assert code == 0
    shown = fields(out)
    assert shown["name"] == "detailed" and shown["status"] == "active"
    assert shown["groups"] == str(group.pk)
    assert shown["resource_grants"] == f"{studio.pk}=studios:read; {studio.pk}=role:deployer"
    assert shown["expires_at"] == "never" and shown["token_lifetime"] == "8h"
    assert shown["last_used_at"] == "-" and shown["token_endpoint_auth_method"] == "client_secret_basic"


def test_disable_stops_token_requests_and_enable_restores_them(cli, live_server, organization):
    credential, secret = make_credential(organization, permissions=["studios:read"])
    url = live_server.url + "/o/token/"
    assert token_request(url, credential.client_id, secret).status_code == 200

    code, out, _ = cli("service-credential", "disable", str(credential.pk))
    assert code == 0 and fields(out)["status"] == "disabled"
    refused = token_request(url, credential.client_id, secret)
    assert refused.status_code in (400, 401) and "access_token" not in refused.json()

    code, out, _ = cli("service-credential", "enable", str(credential.pk))
    assert code == 0 and fields(out)["status"] == "active"
    assert token_request(url, credential.client_id, secret).status_code == 200


def test_regenerate_secret_prints_a_new_key_and_the_old_one_stops_working(cli, organization):
    credential, old_secret = make_credential(organization, permissions=["studios:read"])
    code, out, err = cli("service-credential", "regenerate-secret", str(credential.pk))
    assert code == 0, err
    assert "shown once" in err
    keys = fields(out)
    # A regeneration answers a new client id with the new key (issue 13); the old pair stops at once.
    assert keys["client_id"] != credential.client_id and keys["client_secret"] != old_secret
    assert token_request(keys["token_url"], credential.client_id, old_secret).status_code in (400, 401)
    assert token_request(keys["token_url"], keys["client_id"], keys["client_secret"]).status_code == 200


def test_revoke_needs_the_credential_s_exact_name(cli, live_server, organization):
    credential, secret = make_credential(organization, name="pipeline", permissions=["studios:read"])
    code, _, err = cli("service-credential", "revoke", str(credential.pk), "--confirm-name", "Pipeline")
    assert code == 1
    assert err.startswith("portcullis: 400") and "name" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    credential.refresh_from_db()
    assert credential.status == "active"

    code, out, _ = cli("service-credential", "revoke", str(credential.pk), "--confirm-name", "pipeline")
    assert code == 0 and fields(out)["status"] == "revoked"
    assert token_request(live_server.url + "/o/token/", credential.client_id, secret).status_code in (400, 401)


def test_revoke_without_the_name_off_a_terminal_names_the_flag(cli, organization, monkeypatch):
    credential, _ = make_credential(organization, name="quiet")
    monkeypatch.setattr("sys.stdin", io.StringIO("quiet\n"))
    code, _, err = cli("service-credential", "revoke", str(credential.pk))
    assert code == 2 and "--confirm-name" in err
    credential.refresh_from_db()
    assert credential.status == "active"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_revoke_prompts_for_the_name_on_a_terminal(cli, organization, monkeypatch):
    credential, _ = make_credential(organization, name="prompted")
    monkeypatch.setattr("sys.stdin", Terminal("prompted\n"))
    code, out, err = cli("service-credential", "revoke", str(credential.pk))
    assert code == 0, err
    assert "Type the credential's name" in err and fields(out)["status"] == "revoked"


def _assertion(key, client_id, audience):
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": audience, "exp": now + 120, "iat": now, "jti": uuid.uuid4().hex}
    token = jwt.JWT(header={"alg": "ES256", "kid": key.thumbprint()}, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


@pytest.mark.parametrize("key_option", ["--public-key-file", "--jwks-file"])
def test_private_key_jwt_credentials_read_their_public_key_from_a_file(cli, tmp_path, key_option):
    key = jwk.JWK.generate(kty="EC", crv="P-256")
    path = tmp_path / "client-key"
    if key_option == "--public-key-file":
        path.write_text(key.export_to_pem().decode())
    else:
        path.write_text(json.dumps({"keys": [json.loads(key.export_public())]}))
    code, out, err = cli("service-credential", "create", "--name", "signer", "--auth-method", "private_key_jwt", key_option, str(path))
    assert code == 0, err
    keys = fields(out)
    assert "client_secret" not in keys and "shown once" not in err
    response = requests.post(
        keys["token_url"],
        data={"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
              "client_assertion": _assertion(key, keys["client_id"], keys["token_url"])},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def test_a_key_file_alone_implies_private_key_jwt(cli, tmp_path):
    path = tmp_path / "key.pem"
    path.write_text(jwk.JWK.generate(kty="EC", crv="P-256").export_to_pem().decode())
    code, _, err = cli("service-credential", "create", "--name", "implied", "--public-key-file", str(path))
    assert code == 0, err
    assert ServiceCredential.objects.get(name="implied").auth_method == "private_key_jwt"


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--public-key-file", "/nonexistent/key.pem"], "--public-key-file"),
        (["--jwks-file", "/nonexistent/jwks.json"], "--jwks-file"),
        (["--auth-method", "private_key_jwt"], "--public-key-file"),
        (["--auth-method", "client_secret_basic", "--public-key-file", "/dev/null"], "--auth-method private_key_jwt"),
    ],
)
def test_key_file_mistakes_are_usage_errors(cli, extra, named):
    code, _, err = cli("service-credential", "create", "--name", "keyless", *extra)
    assert code == 2 and named in err and "Traceback" not in err
    assert not ServiceCredential.objects.exists()


def test_a_jwks_file_that_is_not_json_is_a_usage_error(cli, tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text("{not json")
    code, _, err = cli("service-credential", "create", "--name", "bad-jwks", "--jwks-file", str(path))
    assert code == 2 and "--jwks-file" in err and "malformed" in err


@pytest.mark.parametrize("grant", ["studios:read", "5", "north=studios:read", "5=", "5= , ", "5=role:"])
def test_bad_grant_syntax_is_a_usage_error(cli, grant):
    code, out, err = cli("service-credential", "create", "--name", "granted", "--grant", grant)
    assert code == 2
    assert err.startswith("portcullis: --grant") and ("RESOURCE_ID=" in err or "role name" in err)
    assert "Traceback" not in err and out == ""
    assert not ServiceCredential.objects.exists()


def test_grants_the_server_refuses_are_reported_by_field(cli):
    code, _, err = cli("service-credential", "create", "--name", "nowhere", "--grant", "999999=studios:read")
    assert code == 1 and err.startswith("portcullis: 400") and "resource_grants" in err


def test_grants_parse_into_the_api_shape():
    assert commands.parse_grants(["5=studios:read, studios:create", "7=role:deployer,studios:read"]) == [
        {"resource": 5, "permissions": ["studios:read", "studios:create"]},
        {"resource": 7, "permissions": ["studios:read"]},
        {"resource": 7, "role": "deployer"},
    ]


def test_another_organization_s_credential_is_not_found(cli, organization, other_organization):
    theirs, _ = make_credential(other_organization, name="theirs")
    for argv in (["get", str(theirs.pk)], ["disable", str(theirs.pk)], ["regenerate-secret", str(theirs.pk)],
                 ["revoke", str(theirs.pk), "--confirm-name", "theirs"], ["delete", str(theirs.pk)]):
        code, out, err = cli("service-credential", *argv)
        assert code == 1 and out == ""
        assert err.strip() == f"portcullis: 404: no service credential {theirs.pk} in organization {organization.slug}."
    theirs.refresh_from_db()
    assert theirs.status == "active"


def test_update_replaces_groups_and_grants_and_delete_removes(cli, organization, studio):
    credential, _ = make_credential(organization, permissions=["studios:read"])
    group = services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="builders")
    code, out, err = cli("--output", "json", "service-credential", "update", str(credential.pk),
                         "--group", str(group.pk), "--grant", f"{studio.pk}=studios:create")
    assert code == 0, err
    updated = json.loads(out)
    assert updated["groups"] == [group.pk]
    assert updated["resource_grants"] == [{"resource": studio.pk, "role": None, "permissions": ["studios:create"]}]

    code, out, _ = cli("--output", "json", "service-credential", "update", str(credential.pk), "--no-groups")
    assert code == 0 and json.loads(out)["groups"] == []
    code, _, err = cli("service-credential", "update", str(credential.pk))
    assert code == 2 and "--group" in err

    code, out, _ = cli("service-credential", "delete", str(credential.pk))
    assert code == 0 and not ServiceCredential.objects.filter(pk=credential.pk).exists()


def test_the_cli_offers_exactly_the_server_s_choices():
    assert commands.VALIDITIES == list(VALIDITY_DAYS)
    assert commands.TOKEN_LIFETIMES == list(TOKEN_LIFETIMES)
    assert commands.AUTH_METHODS == list(ServiceCredential.AuthMethod.values)
    assert commands.STATUSES == list(ServiceCredential.Status.values)
