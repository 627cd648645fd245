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
