"""`portcullis service-credential regenerate --grace-period`, `retire-key` and the keys `get` shows,
against a live server with real token requests."""

import json

import pytest

from tests.cli.test_service_credential_cli import fields, token_request
from tests.factories import make_credential

pytestmark = pytest.mark.django_db(transaction=True)


def regenerate(cli, credential, *extra):
    code, out, err = cli("service-credential", "regenerate", str(credential.pk), *extra)
    assert code == 0, err
    assert "shown once" in err
    return fields(out)


def test_regenerate_with_a_grace_period_prints_the_new_pair_once_and_both_pairs_work(cli, organization):
    credential, old_secret = make_credential(organization, permissions=["studios:read"])
    new = regenerate(cli, credential, "--grace-period", "1h")
    assert new["client_id"] != credential.client_id and new["client_secret"].startswith("pcs_")
    assert token_request(new["token_url"], new["client_id"], new["client_secret"]).status_code == 200
    assert token_request(new["token_url"], credential.client_id, old_secret).status_code == 200

    code, out, err = cli("service-credential", "get", str(credential.pk))
    assert code == 0, err
    shown = fields(out)["keys"]
    assert new["client_secret"] not in out
    old_line, new_line = sorted(shown.split("; "), key=lambda line: not line.startswith(credential.client_id))
    assert "last used" in old_line and "ends never" not in old_line
    assert new_line.startswith(new["client_id"]) and new_line.endswith("ends never")


def test_get_as_json_lists_each_key_with_created_last_used_and_end(cli, organization):
    credential, _ = make_credential(organization)
    code, out, err = cli("--output", "json", "service-credential", "regenerate", str(credential.pk), "--grace-period", "24h")
    assert code == 0, err
    new_client_id = json.loads(out)["client_id"]
    code, out, err = cli("--output", "json", "service-credential", "get", str(credential.pk))
    assert code == 0, err
    keys = {key["client_id"]: key for key in json.loads(out)["keys"]}
    assert set(keys) == {credential.client_id, new_client_id}
    assert set(keys[new_client_id]) == {"client_id", "created_at", "last_used_at", "expires_at"}
    assert keys[credential.client_id]["expires_at"] and keys[new_client_id]["expires_at"] is None


def test_without_a_grace_period_the_previous_pair_stops_at_once(cli, organization):
    credential, old_secret = make_credential(organization, permissions=["studios:read"])
    new = regenerate(cli, credential)
    assert token_request(new["token_url"], credential.client_id, old_secret).status_code in (400, 401)
    assert token_request(new["token_url"], new["client_id"], new["client_secret"]).status_code == 200


def test_a_third_regeneration_is_refused_until_a_key_is_retired(cli, organization):
    credential, old_secret = make_credential(organization, permissions=["studios:read"])
    new = regenerate(cli, credential, "--grace-period", "7d")
    code, _, err = cli("service-credential", "regenerate", str(credential.pk), "--grace-period", "7d")
    assert code != 0 and "409" in err and "retire one" in err

    code, out, err = cli("service-credential", "retire-key", str(credential.pk), credential.client_id)
    assert code == 0, err
    assert credential.client_id not in fields(out)["keys"]
    assert token_request(new["token_url"], credential.client_id, old_secret).status_code in (400, 401)
    assert token_request(new["token_url"], new["client_id"], new["client_secret"]).status_code == 200
    regenerate(cli, credential, "--grace-period", "1h")


def test_retiring_an_unknown_or_the_last_key_is_refused_with_why(cli, live_server, organization):
    credential, secret = make_credential(organization, permissions=["studios:read"])
    code, _, err = cli("service-credential", "retire-key", str(credential.pk), "no-such-client")
    assert code != 0 and "404: no live client key no-such-client" in err
    code, _, err = cli("service-credential", "retire-key", str(credential.pk), credential.client_id)
    assert code != 0 and "409" in err and "only live client key" in err
    assert token_request(f"{live_server.url}/o/token/", credential.client_id, secret).status_code == 200


def test_a_grace_period_the_server_does_not_offer_is_a_usage_error(cli, organization, capsys):
    credential, _ = make_credential(organization)
    with pytest.raises(SystemExit) as exited:
        cli("service-credential", "regenerate", str(credential.pk), "--grace-period", "2d")
    assert exited.value.code == 2 and "--grace-period" in capsys.readouterr().err


def test_retire_key_of_another_organization_s_credential_is_not_found(cli, organization, other_organization):
    theirs, _ = make_credential(other_organization)
    code, _, err = cli("service-credential", "retire-key", str(theirs.pk), theirs.client_id)
    assert code != 0 and "404" in err


def test_the_cli_offers_exactly_the_server_s_grace_periods():
    from cli.commands import service_credentials as commands
    from identity.services.client_keys import GRACE_PERIODS

    assert commands.GRACE_PERIODS == list(GRACE_PERIODS)
