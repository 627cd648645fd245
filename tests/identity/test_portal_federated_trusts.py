"""The portal's federated trusts: add with a preset, remove, and "Test a token" naming the rule a
token fails, issuing nothing."""

import time

import pytest
from django.test import Client

from identity.models import AuditEvent, UsedClientAssertion
from oauth2_provider.models import AccessToken
from identity.services.credential_keys import service_credential_set_federated_trusts
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_member
from tests.identity.oidc_issuer import local_issuer  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

SUBJECT = "repo:acme/deploy:ref:refs/heads/main"


@pytest.fixture
def holder(organization):
    client = Client()
    client.force_login(make_member(organization, role="account_holder"))
    return client


@pytest.fixture
def credential(organization):
    return make_credential(organization)[0]


def page(credential, suffix=""):
    return f"/orgs/{credential.organization.slug}/service-credentials/{credential.pk}/federated-trusts/{suffix}"


def test_the_credential_page_links_to_its_trusts(holder, credential):
    response = holder.get(f"/orgs/{credential.organization.slug}/service-credentials/{credential.pk}/")
    assert response.status_code == 200
    assert page(credential) in response.content.decode()


def test_the_page_shows_the_presets_and_their_subject_shapes(holder, credential):
    body = holder.get(page(credential)).content.decode()
    for text in ("https://token.actions.githubusercontent.com", "repo:OWNER/REPO:ref:refs/heads/BRANCH",
                 "repo:OWNER/REPO:environment:NAME", "https://gitlab.com",
                 "project_path:GROUP/PROJECT:ref_type:branch:ref:BRANCH", "system:serviceaccount:NAMESPACE:NAME"):
        assert text in body


def test_a_github_preset_fills_the_issuer(holder, credential):
    response = holder.post(page(credential), {"preset": "github", "audience": "portcullis", "subject": SUBJECT,
                                              "claims": "repository_owner=acme\nenvironment=production"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.federated_trusts == [{
        "issuer": "https://token.actions.githubusercontent.com", "audience": "portcullis", "subject": SUBJECT,
        "claims": {"repository_owner": "acme", "environment": "production"},
    }]
    assert AuditEvent.objects.filter(action="service_credential.update", target_id=str(credential.pk)).exists()


def test_a_kubernetes_trust_needs_the_clusters_issuer(holder, credential):
    response = holder.post(page(credential), {"preset": "kubernetes", "audience": "portcullis",
                                              "subject": "system:serviceaccount:ci:deployer"})
    assert response.status_code == 400
    assert "Type the issuer" in response.content.decode()
    credential.refresh_from_db()
    assert credential.federated_trusts == []


@pytest.mark.parametrize("data,message", [
    ({"preset": "other", "issuer": "http://issuer.example", "audience": "a", "subject": "s"}, "https"),
    ({"preset": "github", "audience": "a", "subject": "s", "claims": "no equals sign"}, "name=value"),
    ({"preset": "github", "audience": "", "subject": "s"}, "required"),
])
def test_a_bad_trust_is_refused_on_its_field(holder, credential, data, message):
    response = holder.post(page(credential), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    credential.refresh_from_db()
    assert credential.federated_trusts == []


def test_a_trust_is_removed(holder, credential, organization):
    trusts = [{"issuer": "https://gitlab.com", "audience": "a", "subject": "s1"}, {"issuer": "https://gitlab.com", "audience": "a", "subject": "s2"}]
    service_credential_set_federated_trusts(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), federated_trusts=trusts)
    assert holder.post(page(credential, "1/remove/")).status_code == 302
    credential.refresh_from_db()
    assert [t["subject"] for t in credential.federated_trusts] == ["s2"]


def test_a_reader_cannot_add_a_trust(organization, credential):
    reader = Client()
    reader.force_login(make_member(organization, role="member"))
    response = reader.post(page(credential), {"preset": "github", "audience": "a", "subject": "s"})
    assert response.status_code in (403, 404)
    credential.refresh_from_db()
    assert credential.federated_trusts == []


def test_another_organizations_credential_is_404(holder, organization, other_organization):
    theirs = make_credential(other_organization)[0]
    assert holder.get(f"/orgs/{organization.slug}/service-credentials/{theirs.pk}/federated-trusts/").status_code == 404


@pytest.fixture
def trusted(credential, organization, local_issuer):
    trusts = [{"issuer": local_issuer.url, "audience": "portcullis", "subject": SUBJECT, "claims": {"repository_owner": "acme"}}]
    return service_credential_set_federated_trusts(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), federated_trusts=trusts)


def verdict_of(holder, credential, token):
    response = holder.post(page(credential, "test/"), {"token": token})
    assert response.status_code == 200, response.content
    return response.content.decode()


@pytest.mark.parametrize("overrides,rule,message", [
    ({}, None, "would be accepted"),
    ({"aud": "elsewhere"}, "Audience", "aud does not contain"),
    ({"ref": "refs/heads/dev", "sub": "repo:acme/deploy:ref:refs/heads/dev"}, "Subject", "sub is not"),
    ({"repository_owner": "evil"}, "Claims", "repository_owner"),
    ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}, "Expiry", "expired"),
    ({"iss": "https://elsewhere.example"}, "Issuer", "No federated trust names the issuer"),
])
def test_a_pasted_token_says_which_rule_fails_and_issues_nothing(holder, trusted, local_issuer, overrides, rule, message):
    body = verdict_of(holder, trusted, local_issuer.github_token(**overrides))
    assert message in body
    if rule:
        assert f'<tr data-state="failed"><th scope="row">{rule}' in body
    assert AccessToken.objects.count() == 0 and UsedClientAssertion.objects.count() == 0


def test_a_bad_signature_is_named(holder, trusted, local_issuer):
    body = verdict_of(holder, trusted, local_issuer.github_token()[:-8] + "AAAAAAAA")
    assert '<tr data-state="failed"><th scope="row">Signature' in body


def test_a_token_already_used_is_named(client, holder, trusted, local_issuer):
    token = local_issuer.github_token()
    exchanged = client.post("/o/token/", {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                                          "client_id": trusted.client_id, "subject_token": token,
                                          "subject_token_type": "urn:ietf:params:oauth:token-type:jwt"})
    assert exchanged.status_code == 200
    assert "used already" in verdict_of(holder, trusted, token)


def test_garbage_is_named_as_not_a_jwt(holder, trusted):
    assert "not a signed JWT" in verdict_of(holder, trusted, "garbage")


def test_a_nul_byte_is_refused_on_the_token_field(holder, trusted):
    response = holder.post(page(trusted, "test/"), {"token": "a\x00b"})
    assert response.status_code == 400 and "id_token_errors" in response.content.decode()
