"""`audit-events/`: the organization's log, filtered by action, actor and time, never another's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from identity.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(organization):
    return f"/api/v1/orgs/{organization.slug}/audit-events/"


@pytest.fixture
def history(token_client, organization):
    token_client.post(f"/api/v1/orgs/{organization.slug}/groups/", {"name": "ops"}, format="json")
    token_client.post(f"/api/v1/orgs/{organization.slug}/roles/", {"name": "reader", "permissions": []}, format="json")


def actions(response):
    assert response.status_code == 200, response.content
    return [row["action"] for row in response.json()["results"]]


def test_the_log_lists_the_organizations_events_newest_first(token_client, organization, other_organization, history):
    listed = actions(token_client.get(url(organization)))
    assert listed[:2] == ["role.create", "group.create"]
    assert "organization.create" in listed
    assert token_client.get(url(organization)).json()["count"] == AuditEvent.objects.filter(organization=organization).count()


def test_the_log_filters_by_action(token_client, organization, history):
    assert actions(token_client.get(url(organization), {"action": "group."})) == ["group.create"]


def test_the_log_filters_by_actor(token_client, organization, history):
    rows = token_client.get(url(organization), {"actor": "token-"}).json()["results"]
    assert {row["action"] for row in rows} == {"group.create", "role.create"}
    assert all(row["actor_kind"] == "service_token" for row in rows)


def test_the_log_filters_by_time(token_client, organization, history):
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert actions(token_client.get(url(organization), {"since": future})) == []
    assert len(actions(token_client.get(url(organization), {"since": past, "until": future}))) >= 2
    assert actions(token_client.get(url(organization), {"until": past})) == []


@pytest.mark.parametrize("field", ["since", "until"])
def test_a_bad_date_names_the_field(token_client, organization, field):
    response = token_client.get(url(organization), {field: "yesterday"})
    assert response.status_code == 400
    assert field in response.json()


def test_the_log_is_paginated(token_client, organization, history):
    page = token_client.get(url(organization), {"page_size": 1}).json()
    assert len(page["results"]) == 1
    assert page["next"]


def test_the_log_is_read_only(token_client, organization):
    assert token_client.post(url(organization), {}, format="json").status_code == 405
