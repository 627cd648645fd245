"""The CLI frame without a server: options, errors and output."""

import json

import pytest
import requests

from cli import client as client_module
from cli import main as main_module
from cli.main import build_parser, main
from cli.output import render


def test_missing_url_or_token_is_one_line(monkeypatch, capsys):
    monkeypatch.delenv("PORTCULLIS_URL", raising=False)
    monkeypatch.delenv("PORTCULLIS_TOKEN", raising=False)
    assert main(["service-token", "list"]) == 1
    assert "PORTCULLIS_URL" in capsys.readouterr().err
    assert main(["--url", "http://127.0.0.1:9", "service-token", "list"]) == 1
    assert "PORTCULLIS_TOKEN" in capsys.readouterr().err


def test_environment_supplies_url_and_token(monkeypatch):
    monkeypatch.setenv("PORTCULLIS_URL", "http://portcullis.test")
    monkeypatch.setenv("PORTCULLIS_TOKEN", "pct_x")
    args = build_parser().parse_args(["--org", "acme", "service-token", "list"])
    assert (args.url, args.token, args.org, args.output) == ("http://portcullis.test", "pct_x", "acme", "table")


def test_secret_and_token_commands_are_registered():
    parser = build_parser()
    assert parser.parse_args(["secret", "list"]).handler.__name__ == "list_secrets"
    assert parser.parse_args(["service-token", "delete", "3"]).handler.__name__ == "delete_token"


def test_a_missing_command_module_fails_loudly(monkeypatch):
    monkeypatch.setattr(main_module, "COMMAND_MODULES", [*main_module.COMMAND_MODULES, "cli.commands.nope"])
    with pytest.raises(ModuleNotFoundError):
        build_parser()


class FakeResponse:
    def __init__(self, status, body, headers=None):
        self.status_code, self._body, self.headers, self.reason = status, body, headers or {}, "Reason"
        self.content = json.dumps(body).encode()

    def json(self):
        return self._body


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, {"name": ["This field is required."], "roles": ["Unknown role: x."]}, "400: name: This field is required.; roles: Unknown role: x."),
        (400, {"resource_grants": [{"permissions": ["Not a permission."]}]}, "400: resource_grants: permissions: Not a permission."),
        (401, {"detail": "Authentication credentials were not provided."}, "401: Authentication credentials were not provided."),
        (403, {}, "403: permission denied"),
        (404, {"detail": "Not found."}, "404: Not found."),
        (409, {"detail": "A service token with that name exists."}, "409: A service token with that name exists."),
        (429, {"detail": "Slow down."}, "429: Slow down. (retry after 7 s)"),
    ],
)
def test_http_errors_become_one_line(monkeypatch, status, body, expected):
    api = client_module.ApiClient("http://portcullis.test", "pct_x")
    monkeypatch.setattr(api.session, "request", lambda *a, **k: FakeResponse(status, body, {"Retry-After": "7"}))
    with pytest.raises(client_module.ApiError) as error:
        api.get("me/")
    assert str(error.value) == expected


def test_connection_refused_names_the_url(monkeypatch):
    api = client_module.ApiClient("http://portcullis.test/", "pct_x")

    def refuse(*args, **kwargs):
        raise requests.ConnectionError("refused")

    monkeypatch.setattr(api.session, "request", refuse)
    with pytest.raises(client_module.ApiError, match=r"^cannot reach http://portcullis.test$"):
        api.get("me/")


def test_get_all_follows_next(monkeypatch):
    api = client_module.ApiClient("http://portcullis.test", "pct_x")
    pages = {
        "http://portcullis.test/api/v1/things/": {"count": 3, "next": "http://portcullis.test/api/v1/things/?page=2", "results": [1, 2]},
        "http://portcullis.test/api/v1/things/?page=2": {"count": 3, "next": None, "results": [3]},
    }
    monkeypatch.setattr(api.session, "request", lambda method, url, **k: FakeResponse(200, pages[url]))
    assert api.get_all("things/") == [1, 2, 3]


def test_tables_are_aligned_and_json_is_json():
    rows = [{"id": 1, "name": "a", "roles": ["x", "y"]}, {"id": 22, "name": "longer", "roles": []}]
    text = render(rows, "table", [("ID", "id"), ("NAME", "name"), ("ROLES", "roles")])
    lines = text.splitlines()
    assert lines[0] == "ID  NAME    ROLES"
    assert lines[1] == "1   a       x,y"
    assert lines[2] == "22  longer  -"
    assert json.loads(render(rows, "json")) == rows
    assert render([], "table") == "(none)"
