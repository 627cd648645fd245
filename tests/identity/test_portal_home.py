"""The organization home: what expires in the next 30 days, recent activity, live counts, quick
actions; and the API docs served from the project."""

import datetime
import re

import pytest
from django.utils import timezone

from identity import clock, services
from identity.home_selectors import expiring_items
from identity.models import ServiceCredential
from identity.principals import principal_for_user
from secrets_vault import services as vault
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_member, make_service_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder_user(organization):
    return make_member(organization, role="account_holder", username="holder")


@pytest.fixture
def holder(client, holder_user):
    client.force_login(holder_user)
    return client


def home(organization):
    return f"/orgs/{organization.slug}/"


def expiring_credential(organization, name, days):
    credential, _ = make_credential(organization, name=name)
    ServiceCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() + datetime.timedelta(days=days))
    return credential


def register_secret(organization, name, days):
    return vault.secret_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name=name, type="api_key",
        value={"header_name": "X-Key", "value": "v"}, expires_at=timezone.now() + datetime.timedelta(days=days),
    )


def test_the_root_goes_to_the_home_of_the_only_organization(holder, organization):
    response = holder.get("/")
    assert response.status_code == 302 and response["Location"] == home(organization)
    page = holder.get(home(organization))
    assert page.status_code == 200 and organization.name in page.content.decode()


def test_the_home_lists_what_expires_in_the_next_30_days_soonest_first(holder, organization):
    expiring_credential(organization, "ci-soon", days=3)
    expiring_credential(organization, "ci-later", days=60)
    make_service_token(organization, name="tf-token", expires_in="7d")
    make_service_token(organization, name="forever")
    register_secret(organization, "vendor-key", days=20)
    register_secret(organization, "far-key", days=45)
    expiring = holder.get(home(organization)).context["expiring"]
    assert [(item.kind, item.name) for item in expiring] == [
        ("Service credential", "ci-soon"), ("Service token", "tf-token"), ("Secret", "vendor-key"),
    ]
    page = holder.get(home(organization)).content.decode()
    credential = ServiceCredential.objects.get(name="ci-soon")
    assert f'href="/orgs/{organization.slug}/service-credentials/{credential.pk}/"' in page


def test_expired_revoked_and_deleted_things_are_not_expiring(holder, organization):
    credential = expiring_credential(organization, "revoked-one", days=3)
    services.service_credential_revoke(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), confirm_name="revoked-one")
    secret = register_secret(organization, "deleted-key", days=3)
    vault.secret_delete(actor=SYSTEM_PRINCIPAL_ADMIN(organization), secret=secret)
    assert holder.get(home(organization)).context["expiring"] == []
    assert "Nothing you can see expires" in holder.get(home(organization)).content.decode()


def test_the_expiring_list_moves_with_the_clock(holder_user, organization, monkeypatch):
    expiring_credential(organization, "ci", days=40)
    principal = principal_for_user(holder_user, organization)
    assert expiring_items(principal=principal) == []
    later = timezone.now() + datetime.timedelta(days=15)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert [item.name for item in expiring_items(principal=principal)] == ["ci"]


def test_a_member_sees_only_what_they_may_read_and_their_own_personal_secrets(client, organization):
    member = make_member(organization, role="member", username="plain")
    expiring_credential(organization, "ci-soon", days=3)
    make_service_token(organization, name="tf-token", expires_in="7d")
    vault.secret_create(
        organization=organization, actor=principal_for_user(member, organization), name="my-cert-ish", type="api_key", personal=True,
        value={"header_name": "X", "value": "v"}, expires_at=timezone.now() + datetime.timedelta(days=5),
    )
    client.force_login(member)
    response = client.get(home(organization))
    names = [item.name for item in response.context["expiring"]]
    assert "my-cert-ish" in names and "ci-soon" not in names and "tf-token" not in names
    assert response.context["activity"] == []
    assert "Recent activity" not in response.content.decode()
    assert "Create Service Credential" not in response.content.decode()


def test_recent_activity_shows_the_last_ten_events_with_readable_linked_targets(holder, organization):
    for number in range(12):
        make_credential(organization, name=f"cred-{number:02}")
    activity = holder.get(home(organization)).context["activity"]
    assert len(activity) == 10
    event, target = activity[0]
    assert event.target_name == "cred-11" and target.kind == "Service credential"
    credential = ServiceCredential.objects.get(name="cred-11")
    assert target.url == f"/orgs/{organization.slug}/service-credentials/{credential.pk}/"
    page = holder.get(home(organization)).content.decode()
    assert re.search(r'<span class="muted">Service credential</span> <a href="[^"]+">cred-11</a>', page)


def test_live_counts_and_quick_actions(holder, organization, client):
    make_credential(organization, name="a")
    disabled, _ = make_credential(organization, name="b")
    services.service_credential_disable(credential=disabled, actor=SYSTEM_PRINCIPAL_ADMIN(organization))
    make_service_token(organization, name="live")
    token = make_service_token(organization, name="dead", expires_in="1h")[0]
    token.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    token.save(update_fields=["expires_at"])
    response = holder.get(home(organization))
    assert response.context["counts"] == {"active_credentials": 1, "live_access_tokens": 0, "live_service_tokens": 1}
    page = response.content.decode()
    for text in ("Create Service Credential", "Register Secret", "Create service token", 'href="/api/docs/"'):
        assert text in page


def test_the_home_is_first_in_the_navigation_and_marked_only_on_itself(holder, organization):
    navigation = holder.get(home(organization)).context["navigation"]
    assert navigation[0]["label"] == "Home" and navigation[0]["active"]
    on_roles = holder.get(f"/orgs/{organization.slug}/roles/").context["navigation"]
    assert not on_roles[0]["active"]


def test_the_home_of_another_organization_is_404(holder, other_organization):
    assert holder.get(home(other_organization)).status_code == 404


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_load_their_scripts_from_the_project_not_a_cdn(client, url):
    response = client.get(url)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert not re.search(r'(src|href)="https?://', page), "the docs page loads something from another host"
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        assert client.get(asset).status_code == 200, asset


def test_the_portal_links_to_the_api_docs(holder, organization):
    page = holder.get(f"/orgs/{organization.slug}/roles/").content.decode()
    assert 'href="/api/docs/"' in page and 'href="/api/redoc/"' in page
