"""Members of another organization are invited, not adopted: nothing of theirs is shown, and they
join only when they, signed in, accept the link sent to them."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from rest_framework.test import APIClient

from identity import invitation_tokens, services
from identity.models import AuditAction, AuditEvent, Invitation, Membership
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_member, make_service_token

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]*/invitations/([A-Za-z0-9_-]+)/")


@pytest.fixture
def outsider(other_organization):
    """Someone with an account, a member of another organization only."""
    return make_member(
        other_organization, username="zoe", email="zoe@elsewhere.example", first_name="Zoe", last_name="Zimmermann"
    )


def members_url(organization, suffix=""):
    return f"/api/v1/orgs/{organization.slug}/members/{suffix}"


def invitations_url(organization, suffix=""):
    return f"/api/v1/orgs/{organization.slug}/invitations/{suffix}"


def invite(client, organization, username="zoe", role="member"):
    return client.post(members_url(organization), {"username": username, "role": role}, format="json")


def sent_token():
    """The token in the last e-mail's link."""
    return LINK.search(mail.outbox[-1].body).group(1)


# ---------------------------------------------------------------- inviting through the API


def test_a_person_of_another_organization_is_invited_not_added(holder_client, organization, outsider):
    response = invite(holder_client, organization)
    assert response.status_code == 202
    invitation = Invitation.objects.get()
    assert response.json() == {
        "invitation": {
            "id": invitation.pk, "username": "zoe", "role": "member",
            "expires_at": response.json()["invitation"]["expires_at"],
        }
    }
    assert not Membership.objects.filter(organization=organization, user=outsider).exists()


def test_the_answer_to_an_invitation_shows_nothing_of_the_person(holder_client, organization, other_organization, outsider):
    body = invite(holder_client, organization).content.decode()
    listed = holder_client.get(invitations_url(organization)).content.decode()
    for theirs in ("zoe@elsewhere.example", "Zimmermann", "Zoe", other_organization.name, other_organization.slug):
        assert theirs not in body and theirs not in listed


def test_an_invitation_lasts_seven_days(holder_client, organization, outsider):
    invite(holder_client, organization)
    invitation = Invitation.objects.get()
    assert timedelta(days=7) - timedelta(minutes=1) < invitation.expires_at - timezone.now() <= timedelta(days=7)


def test_the_invited_person_gets_an_email_with_the_link(holder_client, organization, outsider):
    invite(holder_client, organization)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zoe@elsewhere.example"]
    assert organization.name in message.subject
    token = sent_token()
    assert Invitation.objects.get().token_digest == invitation_tokens.digest(token)


def test_the_link_token_is_nowhere_in_the_database_nor_the_audit_log(holder_client, organization, outsider):
    invite(holder_client, organization)
    token = sent_token()
    dump = io.StringIO()
    call_command("dumpdata", "identity", "auth", stdout=dump)
    assert token not in dump.getvalue()
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_INVITE)
    assert event.target_name == "zoe" and event.details["role"] == "member"
    assert token not in str(event.details)


def test_a_new_username_still_creates_the_person(holder_client, organization):
    response = holder_client.post(
        members_url(organization), {"username": "newbie", "email": "newbie@example.com", "role": "member"}, format="json"
    )
    assert response.status_code == 201
    assert Membership.objects.filter(organization=organization, user__username="newbie").exists()
    assert not Invitation.objects.exists() and not mail.outbox


def test_inviting_the_same_person_twice_is_a_conflict(holder_client, organization, outsider):
    invite(holder_client, organization)
    response = invite(holder_client, organization, role="sys_admin")
    assert response.status_code == 409
    assert "username" in response.json()
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_an_expired_invitation_gives_way_to_a_new_one(holder_client, organization, outsider):
    invite(holder_client, organization)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert invite(holder_client, organization).status_code == 202
    assert Invitation.objects.filter(cancelled_at__isnull=True).count() == 1


def test_an_existing_member_is_still_a_conflict(holder_client, organization):
    make_member(organization, username="carol")
    response = invite(holder_client, organization, username="carol")
    assert response.status_code == 409
    assert not Invitation.objects.exists()


def test_nobody_invites_with_a_role_they_do_not_hold(organization, outsider, api_client):
    services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="recruiter",
        permissions=["members:read", "members:write"],
    )
    _, plaintext = make_service_token(organization, roles=("recruiter",))
    api_client.credentials(HTTP_AUTHORIZATION=f"ApiKey {plaintext}")
    response = invite(api_client, organization, role="account_holder")
    assert response.status_code == 403
    assert "role" in response.json()
    assert not Invitation.objects.exists() and not mail.outbox


# ---------------------------------------------------------------- listing and cancelling through the API


def test_the_open_invitations_are_listed_with_members_read(organization, outsider, holder_client, api_client):
    invite(holder_client, organization)
    _, plaintext = make_service_token(organization, roles=("member",))
    api_client.credentials(HTTP_AUTHORIZATION=f"ApiKey {plaintext}")
    results = api_client.get(invitations_url(organization)).json()["results"]
    assert [(r["username"], r["role"], r["status"]) for r in results] == [("zoe", "member", "pending")]


def test_cancelling_an_invitation_ends_its_link(holder_client, organization, outsider, client):
    invite(holder_client, organization)
    token, invitation = sent_token(), Invitation.objects.get()
    assert holder_client.delete(invitations_url(organization, f"{invitation.pk}/")).status_code == 204
    assert holder_client.get(invitations_url(organization)).json()["results"] == []
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_CANCEL, target_name="zoe").exists()
    client.force_login(outsider)
    response = client.post(f"/invitations/{token}/", {"answer": "accept"})
    assert response.status_code == 409
    assert "cancelled" in response.content.decode()
    assert not Membership.objects.filter(organization=organization, user=outsider).exists()


def test_another_organizations_invitation_is_not_found(holder_client, organization, other_organization, outsider):
    make_member(other_organization, username="walt")
    other_holder = make_member(other_organization, role="account_holder")
    other = APIClient()
    other.force_authenticate(user=other_holder)
    assert invite(other, other_organization, username="walt").status_code == 409
    make_member(organization, username="yan")
    assert invite(other, other_organization, username="yan").status_code == 202
    theirs = Invitation.objects.get(organization=other_organization)
    assert holder_client.delete(invitations_url(organization, f"{theirs.pk}/")).status_code == 404
    assert holder_client.get(invitations_url(organization, f"{theirs.pk}/")).status_code == 404
    assert Invitation.objects.get(pk=theirs.pk).is_open


def test_cancelling_needs_members_write(organization, outsider, holder_client, api_client):
    invite(holder_client, organization)
    _, plaintext = make_service_token(organization, roles=("member",))
    api_client.credentials(HTTP_AUTHORIZATION=f"ApiKey {plaintext}")
    assert api_client.delete(invitations_url(organization, f"{Invitation.objects.get().pk}/")).status_code == 403
    assert Invitation.objects.get().is_open


@pytest.mark.parametrize("pk", ["0", str(10**30)])
def test_an_impossible_invitation_id_is_not_found(holder_client, organization, pk):
    assert holder_client.delete(invitations_url(organization, f"{pk}/")).status_code == 404


# ---------------------------------------------------------------- answering the link


@pytest.fixture
def invited(holder_client, organization, outsider):
    """The token sent to the outsider, invited as sys_admin."""
    invite(holder_client, organization, role="sys_admin")
    return sent_token()


def test_the_invited_person_accepts_and_becomes_a_member_with_the_role(client, organization, outsider, invited):
    client.force_login(outsider)
    page = client.get(f"/invitations/{invited}/")
    assert page.status_code == 200
    assert "Accept" in page.content.decode() and "sys_admin" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    response = client.post(f"/invitations/{invited}/", {"answer": "accept"})
    assert response.status_code == 302
    membership = Membership.objects.get(organization=organization, user=outsider)
    assert membership.role.name == "sys_admin"
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_ACCEPT)
    assert event.actor_user == outsider and event.details["role"] == "sys_admin"
    assert client.get(f"/orgs/{organization.slug}/members/").status_code == 200


def test_the_link_needs_signing_in(client, invited):
    response = client.get(f"/invitations/{invited}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_person_cannot_accept(client, organization, invited):
    intruder = make_member(organization, username="mallory")
    client.force_login(intruder)
    page = client.get(f"/invitations/{invited}/")
    assert page.status_code == 403
    assert "another account" in page.content.decode() and organization.name not in page.content.decode()
    assert client.post(f"/invitations/{invited}/", {"answer": "accept"}).status_code == 403
    assert Invitation.objects.get().is_open
    assert not Membership.objects.filter(organization=organization, user__username="zoe").exists()


def test_an_expired_invitation_cannot_be_accepted(client, organization, outsider, invited):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(outsider)
    response = client.post(f"/invitations/{invited}/", {"answer": "accept"})
    assert response.status_code == 409
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(organization=organization, user=outsider).exists()


def test_an_invitation_is_accepted_once(client, organization, outsider, invited):
    client.force_login(outsider)
    client.post(f"/invitations/{invited}/", {"answer": "accept"})
    again = client.get(f"/invitations/{invited}/")
    assert again.status_code == 409 and "already been accepted" in again.content.decode()
    assert Membership.objects.filter(organization=organization, user=outsider).count() == 1


@pytest.mark.parametrize("token", ["not-a-token", "A" * 43, "%00" * 5])
def test_an_unknown_link_says_so(client, outsider, token):
    client.force_login(outsider)
    response = client.get(f"/invitations/{token}/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_declining_cancels_the_invitation(client, organization, outsider, invited):
    client.force_login(outsider)
    response = client.post(f"/invitations/{invited}/", {"answer": "decline"})
    assert response.status_code == 302
    assert Invitation.objects.get().cancelled_at is not None
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_CANCEL)
    assert event.actor_user == outsider and event.details["declined"] is True
    assert not Membership.objects.filter(organization=organization, user=outsider).exists()


# ---------------------------------------------------------------- the portal's members pages


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    return client


def test_the_portal_add_form_invites_an_existing_person(holder, organization, outsider):
    response = holder.post(
        f"/orgs/{organization.slug}/members/new/",
        {"username": "zoe", "email": "", "role": "member", "password": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "Invitation sent to zoe." in page
    assert "Pending invitations" in page and "zoe@elsewhere.example" not in page
    assert not Membership.objects.filter(organization=organization, user=outsider).exists()
    assert len(mail.outbox) == 1 and LINK.search(mail.outbox[0].body).group(0).startswith("http://testserver/")


def test_the_portal_add_form_does_not_change_an_existing_persons_password(holder, organization, outsider):
    holder.post(
        f"/orgs/{organization.slug}/members/new/",
        {"username": "zoe", "email": "mine@attacker.example", "role": "member", "password": "a-long-chosen-pass-9"},
    )
    outsider.refresh_from_db()
    assert not outsider.check_password("a-long-chosen-pass-9")
    assert outsider.email == "zoe@elsewhere.example"


def test_the_portal_cancels_a_pending_invitation(holder, organization, outsider):
    holder.post(f"/orgs/{organization.slug}/members/new/", {"username": "zoe", "role": "member"})
    invitation = Invitation.objects.get()
    response = holder.post(f"/orgs/{organization.slug}/invitations/{invitation.pk}/cancel/", follow=True)
    assert "Invitation to zoe cancelled." in response.content.decode()
    assert not Invitation.objects.get().is_open
    assert "Pending invitations" not in response.content.decode()


def test_the_portal_invitation_twice_names_the_username(holder, organization, outsider):
    holder.post(f"/orgs/{organization.slug}/members/new/", {"username": "zoe", "role": "member"})
    response = holder.post(f"/orgs/{organization.slug}/members/new/", {"username": "zoe", "role": "member"})
    assert response.status_code == 400
    assert "Already invited." in response.content.decode()
