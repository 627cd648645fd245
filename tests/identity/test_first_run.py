"""Getting started: `createaccountholder` asks again instead of stopping and says where to log in;
`make run` (scripts/run_dev.py) names PORTCULLIS_DEV_ADDRESS when the port is taken and repeats the
first-run hint once the portal is up."""

import importlib.util
import io
import os
import pathlib
import socket
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from identity.models import Membership

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-unusual-passphrase-42"
ROOT = pathlib.Path(__file__).resolve().parents[2]


def run_dev_module():
    spec = importlib.util.spec_from_file_location("run_dev", ROOT / "scripts" / "run_dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def answering(monkeypatch, *answers):
    answers = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))


def create(**io_):
    call_command("createaccountholder", "--org", "acme", "--username", "alice", "--email", "alice@example.com", **io_)


def test_a_short_password_is_asked_again_instead_of_stopping(monkeypatch):
    answering(monkeypatch, "123", "123", PASSWORD, PASSWORD)
    out, err = io.StringIO(), io.StringIO()
    create(stdout=out, stderr=err)
    assert "too short" in err.getvalue() and "Try again" in err.getvalue()
    assert Membership.objects.get(user__username="alice").user.check_password(PASSWORD)


def test_passwords_that_do_not_match_are_asked_again(monkeypatch):
    answering(monkeypatch, PASSWORD, PASSWORD + "x", PASSWORD, PASSWORD)
    err = io.StringIO()
    create(stdout=io.StringIO(), stderr=err)
    assert "do not match" in err.getvalue()
    assert Membership.objects.filter(user__username="alice").exists()


def test_a_password_like_the_username_is_asked_again(monkeypatch):
    answering(monkeypatch, "alice@example.com", "alice@example.com", PASSWORD, PASSWORD)
    err = io.StringIO()
    create(stdout=io.StringIO(), stderr=err)
    assert "too similar" in err.getvalue()


def test_the_end_of_input_stops_with_nothing_created(monkeypatch):
    def closed(prompt=""):
        raise EOFError

    monkeypatch.setattr("getpass.getpass", closed)
    with pytest.raises(CommandError, match="nothing was created"):
        create(stdout=io.StringIO())
    assert not Membership.objects.exists()


def test_the_login_url_is_printed_at_the_end(monkeypatch, settings):
    settings.PORTCULLIS_ISSUER = ""
    monkeypatch.setenv("PORTCULLIS_DEV_ADDRESS", "127.0.0.1:8123")
    answering(monkeypatch, PASSWORD, PASSWORD)
    out = io.StringIO()
    create(stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "Log in at http://127.0.0.1:8123/login/"
    settings.PORTCULLIS_ISSUER = "https://portcullis.example.com/"
    monkeypatch.setenv("PORTCULLIS_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command("createaccountholder", "--org", "beta", "--username", "bob", "--email", "b@example.com", "--noinput", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "Log in at https://portcullis.example.com/login/"


def test_make_run_on_a_taken_port_says_to_set_portcullis_dev_address():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        ended = subprocess.run(
            [sys.executable, "scripts/run_dev.py"], cwd=ROOT, capture_output=True, text=True, timeout=60,
            env={**os.environ, "PORTCULLIS_DEV_ADDRESS": address},
        )
    assert ended.returncode == 1
    assert address in ended.stderr and "PORTCULLIS_DEV_ADDRESS=" in ended.stderr


def test_the_first_run_hint_names_createaccountholder_on_an_empty_database():
    assert "manage.py createaccountholder" in run_dev_module().first_run_hint()


def test_the_hint_is_repeated_once_the_portal_answers_and_the_banners_are_out(monkeypatch, capsys):
    run_dev = run_dev_module()
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        monkeypatch.setattr(run_dev, "ADDRESS", f"127.0.0.1:{listening.getsockname()[1]}")
        clock = [100.0]
        monkeypatch.setattr(run_dev.time, "monotonic", lambda: clock[0])
        supervisor = run_dev.Supervisor(hint="HINT: createaccountholder\n")
        supervisor.announce_when_up()  # the portal answers: the banners get their time
        assert capsys.readouterr().out == ""
        clock[0] += run_dev.BANNERS_SETTLE_SECONDS
        supervisor.announce_when_up()
        supervisor.announce_when_up()
    assert capsys.readouterr().out.count("HINT: createaccountholder") == 1
