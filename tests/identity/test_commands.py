"""Operator commands: clear errors and non-zero exits on bad input."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from identity.models import Membership, ServiceToken
from identity.services import service_token_authenticate

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-unusual-passphrase-42"


def test_createaccountholder_creates_the_organization_and_its_holder(monkeypatch):
    monkeypatch.setenv("PORTCULLIS_PASSWORD", PASSWORD)
    call_command("createaccountholder", "--org", "acme", "--username", "alice", "--email", "alice@example.com", "--noinput")
    membership = Membership.objects.get(user__username="alice")
    assert membership.organization.slug == "acme"
    assert membership.role.name == "account_holder"
    assert membership.user.check_password(PASSWORD)
    assert membership.user.password.startswith("argon2")


@pytest.mark.parametrize(
    "args,message",
    [
        (["--org", "Not A Slug", "--username", "a", "--email", "a@example.com"], "slug"),
        (["--org", "acme", "--username", "a", "--email", "not-an-email"], "email"),
    ],
)
def test_createaccountholder_rejects_bad_input(monkeypatch, args, message):
    monkeypatch.setenv("PORTCULLIS_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match=message):
        call_command("createaccountholder", *args, "--noinput")
    assert not get_user_model().objects.filter(username="a").exists()


def test_createaccountholder_rejects_a_weak_password(monkeypatch):
    monkeypatch.setenv("PORTCULLIS_PASSWORD", "123")
    with pytest.raises(CommandError, match="password"):
        call_command("createaccountholder", "--org", "acme", "--username", "a", "--email", "a@example.com", "--noinput")


def test_createaccountholder_needs_a_password_with_noinput(monkeypatch):
    monkeypatch.delenv("PORTCULLIS_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="PORTCULLIS_PASSWORD"):
        call_command("createaccountholder", "--org", "acme", "--username", "a", "--email", "a@example.com", "--noinput")


def test_createservicetoken_prints_a_working_token(organization):
    out, err = io.StringIO(), io.StringIO()
    call_command("createservicetoken", "--org", organization.slug, "--name", "ci", "--roles", "sys_admin", "--expires-in", "24h", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert service_token_authenticate(token).name == "ci"
    assert token not in err.getvalue()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--org", "nowhere", "--name", "x", "--roles", "sys_admin"], "No organization"),
        (["--name", "x", "--roles", "no_such_role"], "Unknown role"),
        (["--name", "x", "--roles", "sys_admin", "--expires-in", "soon"], "expires_in"),
    ],
)
def test_createservicetoken_rejects_bad_input(organization, args, message):
    if "--org" not in args:
        args = ["--org", organization.slug, *args]
    with pytest.raises(CommandError, match=message):
        call_command("createservicetoken", *args)
    assert not ServiceToken.objects.exists()


def test_createaccountholder_prompts_for_the_password_twice(monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("createaccountholder", "--org", "acme", "--username", "alice", "--email", "alice@example.com", stdout=io.StringIO())
    assert get_user_model().objects.get(username="alice").check_password(PASSWORD)


def test_createaccountholder_creates_nothing_from_passwords_that_differ(monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])

    def getpass(prompt=""):
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None  # asked again, and the terminal closed

    monkeypatch.setattr("getpass.getpass", getpass)
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was created"):
        call_command("createaccountholder", "--org", "acme", "--username", "alice", "--email", "alice@example.com", stderr=err)
    assert "do not match" in err.getvalue()
    assert not get_user_model().objects.filter(username="alice").exists()


def test_createaccountholder_rejects_a_taken_username(monkeypatch, account_holder):
    monkeypatch.setenv("PORTCULLIS_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="already taken"):
        call_command(
            "createaccountholder", "--org", "acme", "--username", account_holder.username, "--email", "x@example.com", "--noinput"
        )


def test_createaccountholder_adds_a_holder_to_an_existing_organization(monkeypatch, organization):
    monkeypatch.setenv("PORTCULLIS_PASSWORD", PASSWORD)
    call_command(
        "createaccountholder", "--org", organization.slug, "--username", "judy", "--email", "judy@example.com", "--noinput",
        stdout=io.StringIO(),
    )
    assert Membership.objects.get(user__username="judy").organization == organization


def test_createservicetoken_rejects_a_taken_name(organization):
    call_command("createservicetoken", "--org", organization.slug, "--name", "ci", "--roles", "member", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="already taken"):
        call_command("createservicetoken", "--org", organization.slug, "--name", "ci", "--roles", "member")
    assert ServiceToken.objects.count() == 1


def test_a_bad_command_line_exits_non_zero():
    with pytest.raises(CommandError, match="--roles"):
        call_command("createservicetoken", "--org", "acme", "--name", "ci")


def test_bootstrap_reports_the_ready_token(settings):
    settings.PORTCULLIS_BOOTSTRAP_TOKEN = "an-operator-chosen-bootstrap-token-0123456789"
    settings.PORTCULLIS_BOOTSTRAP_ORG = "boot"
    out = io.StringIO()
    call_command("bootstrap", stdout=out)
    assert "is ready in boot" in out.getvalue()
    assert settings.PORTCULLIS_BOOTSTRAP_TOKEN not in out.getvalue()


def test_bootstrap_says_when_nothing_is_configured(settings):
    settings.PORTCULLIS_BOOTSTRAP_TOKEN = ""
    out = io.StringIO()
    call_command("bootstrap", stdout=out)
    assert "No bootstrap token configured" in out.getvalue()
