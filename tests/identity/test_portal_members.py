"""Members in the portal: search, add (with an optional password), change role, remove after confirmation."""

import pytest

from identity.models import AuditEvent, Membership
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    return client


def test_the_list_searches_by_username_and_email(holder, organization):
    make_member(organization, username="alice")
    make_member(organization, username="bob", email="robert@corp.example")
    page = holder.get(f"/orgs/{organization.slug}/members/?search=robert").content.decode()
    assert "bob" in page and "alice" not in page


def test_the_list_is_paginated(holder, organization):
    for n in range(30):
        make_member(organization, username=f"m{n:02d}")
    first = holder.get(f"/orgs/{organization.slug}/members/")
    assert len(first.context["page"].object_list) == 25
    assert "Page 1 of 2" in first.content.decode()
    assert len(holder.get(f"/orgs/{organization.slug}/members/?page=2").context["page"].object_list) == 6


def test_adding_a_member_creates_the_user_with_the_role_and_password(holder, organization):
    response = holder.post(
        f"/orgs/{organization.slug}/members/new/",
        {"username": "carol", "email": "carol@example.com", "role": "sys_admin", "password": "a-long-initial-pass-9"},
        follow=True,
    )
    assert "“carol” created." in response.content.decode()
    membership = Membership.objects.get(user__username="carol")
    assert membership.role.name == "sys_admin"
    assert membership.user.check_password("a-long-initial-pass-9")
    assert AuditEvent.objects.filter(organization=organization, action="member.add").exists()


def test_a_bad_email_shows_on_the_email_field(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/members/new/", {"username": "dan", "email": "nope", "role": "member"})
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert 'id="id_email_errors"' in response.content.decode()
    assert not Membership.objects.filter(user__username="dan").exists()


def test_a_weak_initial_password_shows_on_the_password_field(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/members/new/", {"username": "dan", "role": "member", "password": "123"})
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    assert "123" not in response.content.decode().split('name="password"')[1][:80]


def test_an_existing_member_shows_on_the_username_field(holder, organization):
    make_member(organization, username="erin")
    response = holder.post(f"/orgs/{organization.slug}/members/new/", {"username": "erin", "role": "member"})
    assert response.context["form"].errors["username"] == ["Already a member."]


def test_changing_a_role(holder, organization):
    membership = make_member(organization, username="frank").memberships.get()
    response = holder.post(f"/orgs/{organization.slug}/members/{membership.pk}/", {"role": "account_manager"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role.name == "account_manager"


def test_removing_asks_first_then_removes(holder, organization):
    membership = make_member(organization, username="gina").memberships.get()
    url = f"/orgs/{organization.slug}/members/{membership.pk}/remove/"
    page = holder.get(url).content.decode()
    assert "Remove “gina”?" in page and '<button type="submit" class="danger">Remove</button>' in page
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert "“gina” removed." in holder.post(url, follow=True).content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_account_holder_cannot_be_removed(holder, organization):
    membership = Membership.objects.get(organization=organization, role_binding__role__name="account_holder")
    response = holder.post(f"/orgs/{organization.slug}/members/{membership.pk}/remove/", follow=True)
    assert "at least one Account Holder" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
