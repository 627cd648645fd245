"""Revoke, disable, regenerate and expire: tokens already issued stop working on the next request."""

import threading
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from identity import services
from identity.models import AuditEvent, ServiceCredential
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db


def get_token(client, credential, secret):
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret)
    )
    return response


def token_of(client, credential, secret):
    response = get_token(client, credential, secret)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def me(client, token):
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")


def introspect(client, credential, secret, token):
    response = client.post("/o/introspect/", {"token": token}, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    return response.json()


@pytest.fixture
def live(organization):
    credential, secret = make_credential(organization, permissions=["studios:read"])
    return credential, secret


def test_a_token_works_on_me_as_the_credential(client, live, organization):
    credential, secret = live
    response = me(client, token_of(client, credential, secret))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "service_credential"
    assert body["organization"] == organization.slug


def test_introspection_reports_an_active_token(client, live):
    credential, secret = live
    token = token_of(client, credential, secret)
    body = introspect(client, credential, secret, token)
    assert body["active"] is True
    assert body["client_id"] == credential.client_id


def test_introspection_of_another_organizations_token_says_inactive(client, live, other_organization):
    credential, secret = live
    stranger, stranger_secret = make_credential(other_organization)
    token = token_of(client, credential, secret)
    assert introspect(client, stranger, stranger_secret, token) == {"active": False}


def test_revoked_credential_tokens_fail_at_once(client, live, organization):
    credential, secret = live
    token = token_of(client, credential, secret)
    services.service_credential_revoke(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), confirm_name=credential.name)
    assert me(client, token).status_code == 401
    assert get_token(client, credential, secret).status_code == 401


def test_revoked_credential_tokens_fail_introspection(client, live, organization):
    credential, secret = live
    token = token_of(client, credential, secret)
    observer, observer_secret = make_credential(organization)
    services.service_credential_revoke(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), confirm_name=credential.name)
    assert introspect(client, observer, observer_secret, token) == {"active": False}


def test_revoking_needs_the_exact_name(live, organization):
    credential, _ = live
    with pytest.raises(services.service_credentials.InvalidInput):
        services.service_credential_revoke(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), confirm_name="nope")
    credential.refresh_from_db()
    assert credential.status == "active"


def test_disabled_credential_tokens_fail_and_enabling_issues_new_ones(client, live, organization):
    credential, secret = live
    token = token_of(client, credential, secret)
    admin = SYSTEM_PRINCIPAL_ADMIN(organization)
    services.service_credential_disable(credential=credential, actor=admin)
    assert me(client, token).status_code == 401
    assert get_token(client, credential, secret).status_code == 401
    services.service_credential_enable(credential=credential, actor=admin)
    assert me(client, token).status_code == 401
    assert me(client, token_of(client, credential, secret)).status_code == 200


def test_regenerating_kills_the_old_key_and_its_tokens(client, live, organization):
    credential, secret = live
    token = token_of(client, credential, secret)
    regenerated, new_secret = services.service_credential_regenerate_secret(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization))
    assert new_secret != secret and regenerated.client_id != credential.client_id
    assert me(client, token).status_code == 401
    assert get_token(client, credential, secret).status_code == 401
    assert me(client, token_of(client, regenerated, new_secret)).status_code == 200


def test_expiry_counts_on_each_request_before_any_task_runs(client, live):
    credential, secret = live
    token = token_of(client, credential, secret)
    ServiceCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert me(client, token).status_code == 401
    assert get_token(client, credential, secret).status_code == 401


def test_the_expiry_task_marks_credentials_expired_and_audits(live):
    credential, _ = live
    ServiceCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.service_credentials_expire() == 1
    assert services.service_credentials_expire() == 0
    credential.refresh_from_db()
    assert credential.status == "expired"
    assert AuditEvent.objects.filter(action="service_credential.expire", target_id=str(credential.pk)).count() == 1


def test_token_lifetime_never_outlives_the_credential(client, organization):
    credential, secret = make_credential(organization, token_lifetime="24h")
    ServiceCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() + timedelta(minutes=10))
    expires_in = get_token(client, credential, secret).json()["expires_in"]
    assert 0 < expires_in <= 600


def test_housekeeping_clears_expired_tokens_and_jwt_ids(client, live):
    from oauth2_provider.models import AccessToken

    credential, secret = live
    token_of(client, credential, secret)
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert services.oauth_housekeeping() >= 1
    assert not AccessToken.objects.exists()


def test_revoke_token_endpoint_revokes_a_token(client, live):
    credential, secret = live
    token = token_of(client, credential, secret)
    response = client.post("/o/revoke_token/", {"token": token}, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    assert response.status_code == 200
    assert me(client, token).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_tokens_requested_concurrently_with_a_revoke_are_all_dead_once_it_commits(live_server, organization):
    credential, secret = make_credential(organization, permissions=["studios:read"])
    url = live_server.url + "/o/token/"
    tokens, stop = [], threading.Event()

    def request_tokens():
        session = requests.Session()
        while not stop.is_set():
            response = session.post(url, data={"grant_type": "client_credentials"}, auth=(credential.client_id, secret), timeout=10)
            if response.status_code == 200:
                tokens.append(response.json()["access_token"])

    workers = [threading.Thread(target=request_tokens) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        deadline = timezone.now() + timedelta(seconds=10)
        while len(tokens) < 5 and timezone.now() < deadline:
            threading.Event().wait(0.05)
        services.service_credential_revoke(
            credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), confirm_name=credential.name
        )
        threading.Event().wait(0.5)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=15)
    assert tokens, "no token was granted before the revoke"
    me_url = live_server.url + "/api/v1/me/"
    statuses = {requests.get(me_url, headers={"Authorization": f"Bearer {t}"}, timeout=10).status_code for t in tokens}
    assert statuses == {401}
