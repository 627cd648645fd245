"""The audit log in the portal: events of this organization only, filters, 50 to a page."""

import datetime

import pytest
from django.utils import timezone

from identity.models import AuditEvent
from tests.factories import make_member, make_service_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    return client


def test_the_log_lists_this_organizations_events_only(holder, organization, other_organization):
    make_service_token(organization, name="visible")
    make_service_token(other_organization, name="elsewhere-token")
    page = holder.get(f"/orgs/{organization.slug}/audit/").content.decode()
    assert "visible" in page and "elsewhere-token" not in page
    for header in ("When", "Actor", "Action", "Target", "IP"):
        assert f'<th scope="col">{header}</th>' in page


def test_the_log_filters_by_action_and_actor(holder, organization):
    make_service_token(organization, name="a-token")
    holder.post(f"/orgs/{organization.slug}/groups/new/", {"name": "made-by-holder"})
    by_action = holder.get(f"/orgs/{organization.slug}/audit/?action=group").content.decode()
    assert "made-by-holder" in by_action and "a-token" not in by_action
    by_actor = holder.get(f"/orgs/{organization.slug}/audit/?actor=system").content.decode()
    assert "a-token" in by_actor and "made-by-holder" not in by_actor


def test_the_log_filters_by_date(holder, organization):
    make_service_token(organization, name="old-token")
    AuditEvent.objects.filter(target_name="old-token").update(created_at=timezone.now() - datetime.timedelta(days=10))
    make_service_token(organization, name="new-token")
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    page = holder.get(f"/orgs/{organization.slug}/audit/?since={since}").content.decode()
    assert "new-token" in page and "old-token" not in page


def test_the_log_shows_fifty_events_a_page(holder, organization):
    for n in range(55):
        make_service_token(organization, name=f"t{n}")
    response = holder.get(f"/orgs/{organization.slug}/audit/")
    assert len(response.context["page"].object_list) == 50
    assert "Page 1 of 2" in response.content.decode()


def test_a_bad_date_shows_on_its_field(holder, organization):
    response = holder.get(f"/orgs/{organization.slug}/audit/?since=yesterday")
    assert "since" in response.context["form"].errors
    assert 'id="id_since_errors"' in response.content.decode()
