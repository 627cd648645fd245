"""The audit log's readable targets with links, its action select, and its CSV export."""

import csv
import io

import pytest

from identity.models import AuditEvent
from tests.factories import make_credential, make_member, make_service_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    return client


def audit(organization, query=""):
    return f"/orgs/{organization.slug}/audit/{query}"


def test_a_live_targets_name_links_to_it_and_a_deleted_ones_does_not(holder, organization):
    holder.post(f"/orgs/{organization.slug}/groups/new/", {"name": "kept-group"})
    holder.post(f"/orgs/{organization.slug}/groups/new/", {"name": "gone-group"})
    gone = AuditEvent.objects.get(target_name="gone-group")
    holder.post(f"/orgs/{organization.slug}/groups/{gone.target_id}/delete/")
    kept = AuditEvent.objects.get(target_name="kept-group")
    page = holder.get(audit(organization)).content.decode()
    assert f'<a href="/orgs/{organization.slug}/groups/{kept.target_id}/">kept-group</a>' in page
    assert '<span class="muted">Group</span> gone-group' in page
    assert "servicecredential" not in page


def test_a_credential_target_links_to_its_page(holder, organization):
    credential, _ = make_credential(organization, name="ci-pipeline")
    AuditEvent.objects.create(
        organization=organization, actor_kind="user", actor_name="x", action="service_credential.create",
        target_type="servicecredential", target_id=str(credential.pk), target_name="ci-pipeline",
    )
    page = holder.get(audit(organization)).content.decode()
    assert f'/service-credentials/{credential.pk}/">ci-pipeline</a>' in page
    assert '<span class="muted">Service credential</span>' in page


def test_the_action_filter_is_a_select_of_the_audit_actions(holder, organization):
    page = holder.get(audit(organization)).content.decode()
    assert '<select name="action"' in page
    assert '<option value="secret.delete">secret.delete</option>' in page
    assert '<option value="secret.">secret.* (all)</option>' in page


def test_an_exact_action_filters_that_action_only(holder, organization):
    token, _ = make_service_token(organization, name="short-lived")
    holder.post(f"/orgs/{organization.slug}/service-tokens/{token.pk}/delete/")
    response = holder.get(audit(organization, "?action=service_token.delete"))
    assert [event.action for event, _ in response.context["rows"]] == ["service_token.delete"]


def test_an_unknown_action_is_an_error_on_its_field(holder, organization):
    response = holder.get(audit(organization, "?action=nonsense.verb"))
    assert "action" in response.context["form"].errors


def test_the_csv_export_streams_every_matching_event_with_readable_columns(holder, organization, other_organization):
    for n in range(60):
        make_service_token(organization, name=f"token-{n}")
    make_service_token(other_organization, name="elsewhere")
    holder.post(f"/orgs/{organization.slug}/groups/new/", {"name": "a-group"})
    response = holder.get(audit(organization, "?action=service_token&format=csv"))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["time", "actor", "actor_kind", "action", "target_kind", "target", "target_id", "ip_address", "request_id"]
    assert len(rows) == 61
    assert {row[5] for row in rows[1:]} == {f"token-{n}" for n in range(60)}
    assert {row[4] for row in rows[1:]} == {"Service token"}


def test_the_csv_export_holds_no_secret_details_and_defuses_formulas(holder, organization):
    AuditEvent.objects.create(
        organization=organization, actor_kind="user", actor_name="=HYPERLINK(\"x\")", action="group.create",
        target_type="group", target_id="1", target_name="g", details={"note": "not-exported"},
    )
    body = b"".join(holder.get(audit(organization, "?format=csv")).streaming_content).decode()
    assert "not-exported" not in body
    assert "'=HYPERLINK" in body


def test_the_page_links_the_export_with_the_same_filters(holder, organization):
    page = holder.get(audit(organization, "?actor=system")).content.decode()
    assert "actor=system&amp;format=csv" in page
