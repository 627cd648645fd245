"""`orgs/` and `platform/audit-events/`: organizations managed by superusers and root credentials."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from oauth2_provider.models import AccessToken, Application
from rest_framework.test import APIClient

from identity.models import AuditEvent, Membership, Organization, RoleBinding, ServiceCredential
from identity.principals import SYSTEM_PRINCIPAL
from identity.services.root_credentials import root_credential_create
from tests.factories import make_credential, make_member, make_service_token
from tests.identity.test_access_checks import as_bearer, bearer_token

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/orgs/"
PLATFORM_LOG = "/api/v1/platform/audit-events/"
NEW_ORG = {"slug": "globex", "name": "Globex", "account_holder": {"username": "hank", "email": "hank@globex.test"}}


def root_client(*permissions):
    credential, secret = root_credential_create(actor=SYSTEM_PRINCIPAL, name=f"root-{'-'.join(permissions) or 'none'}",
                                                permissions=list(permissions))
    return as_bearer(bearer_token(credential, secret))


@pytest.fixture
def writer():
    return root_client("organizations:read", "organizations:write")


@pytest.fixture
def superuser_client():
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_superuser("root", "root@example.test", "x" * 16))
    return client


def set_password_link(message):
    return re.search(r"https?://\S+/set-password/\S+/", message.body).group(0)


def test_a_root_credential_with_organizations_write_creates_an_organization_whose_account_holder_logs_in(writer, client):
    response = writer.post(ORGS, NEW_ORG, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "globex" and response.json()["member_count"] == 1
    holder = get_user_model().objects.get(username="hank")
    assert not holder.has_usable_password()
    assert Membership.objects.get(user=holder).role.name == "account_holder"
    [message] = mail.outbox
    assert message.to == ["hank@globex.test"]

    form_page = client.get(set_password_link(message), follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a long enough passphrase", "new_password2": "a long enough passphrase"},
    )
    assert done.status_code == 302
    assert client.login(username="hank", password="a long enough passphrase")
    assert client.get("/orgs/globex/", follow=True).status_code == 200


def test_the_set_password_link_works_once(writer, client):
    writer.post(ORGS, NEW_ORG, format="json")
    link = set_password_link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "a long enough passphrase", "new_password2": "a long enough passphrase"})

    again = client.get(link, follow=True)

    assert again.context["validlink"] is False


def test_a_root_credential_with_only_organizations_read_lists_but_cannot_create():
    reader = root_client("organizations:read")

    assert reader.get(ORGS).status_code == 200
    response = reader.post(ORGS, NEW_ORG, format="json")

    assert response.status_code == 403
    assert not Organization.objects.filter(slug="globex").exists()
    assert not get_user_model().objects.filter(username="hank").exists()


def test_a_root_credential_without_organizations_read_is_refused_the_list():
    assert root_client("root_service_credentials:read").get(ORGS).status_code == 403


def test_the_list_shows_slug_name_creation_and_member_count(superuser_client, organization):
    make_member(organization, role="member")
    make_member(organization, role="account_holder")

    rows = superuser_client.get(ORGS).json()["results"]

    row = next(row for row in rows if row["slug"] == organization.slug)
    assert set(row) == {"slug", "name", "created_at", "member_count"}
    assert row["member_count"] == 2


def test_an_account_holder_gets_404_on_every_platform_endpoint(organization, holder_client):
    assert holder_client.get(ORGS).status_code == 404
    assert holder_client.post(ORGS, NEW_ORG, format="json").status_code == 404
    assert holder_client.get(f"{ORGS}{organization.slug}/").status_code == 404
    assert holder_client.get(PLATFORM_LOG).status_code == 404


def test_an_organizations_own_tokens_get_404(organization, token_client):
    credential, secret = make_credential(organization)
    assert token_client.get(ORGS).status_code == 404
    assert as_bearer(bearer_token(credential, secret)).get(ORGS).status_code == 404


def test_anonymous_callers_are_asked_to_authenticate():
    response = APIClient().get(ORGS)
    assert response.status_code == 401 and "WWW-Authenticate" in response


def test_organization_scoped_routes_still_answer_under_orgs(organization, token_client):
    assert token_client.get(f"{ORGS}{organization.slug}/groups/").status_code == 200
    assert token_client.get(f"{ORGS}{organization.slug}/service-tokens/").status_code == 200


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"slug": "Not A Slug"}, 400, "slug"),
        ({"slug": "x" * 51}, 400, "slug"),
        ({"slug": "nul\x00"}, 400, "slug"),
        ({"account_holder": {"username": "hank", "email": "not-an-email"}}, 400, "account_holder"),
        ({"account_holder": {"username": "", "email": "hank@globex.test"}}, 400, "account_holder"),
        ({"account_holder": "hank"}, 400, "account_holder"),
        ({"account_holder": {"username": "ha nk\x00", "email": "hank@globex.test"}}, 400, "account_holder.username"),
        ({"account_holder": {"username": "hank", "email": 42}}, 400, "account_holder.email"),
        ({"account_holder": {"username": ["hank"], "email": "hank@globex.test"}}, 400, "account_holder.username"),
        ({"name": 42}, 400, "name"),
    ],
)
def test_bad_input_is_refused_naming_the_field(writer, change, status, field):
    response = writer.post(ORGS, {**NEW_ORG, **change}, format="json")

    assert response.status_code == status, response.content
    assert any(key.startswith(field) for key in response.json())
    assert not get_user_model().objects.filter(username="hank").exists()


def test_a_bad_email_names_account_holder_email(writer):
    response = writer.post(ORGS, {**NEW_ORG, "account_holder": {"username": "hank", "email": "nope"}}, format="json")
    assert response.status_code == 400 and "account_holder.email" in response.json()


def test_a_duplicate_slug_is_409_naming_slug_and_creates_no_user(writer, organization):
    response = writer.post(ORGS, {**NEW_ORG, "slug": organization.slug}, format="json")

    assert response.status_code == 409 and "slug" in response.json()
    assert not get_user_model().objects.filter(username="hank").exists()
    assert not mail.outbox


def test_a_taken_username_is_409_naming_account_holder_username(writer, organization):
    make_member(organization, username="hank")

    response = writer.post(ORGS, NEW_ORG, format="json")

    assert response.status_code == 409 and "account_holder.username" in response.json()
    assert not Organization.objects.filter(slug="globex").exists()


def test_rename_changes_only_the_name(writer, organization):
    response = writer.patch(f"{ORGS}{organization.slug}/", {"name": "Renamed Inc."}, format="json")

    assert response.status_code == 200 and response.json()["name"] == "Renamed Inc."
    assert writer.patch(f"{ORGS}{organization.slug}/", {"slug": "new"}, format="json").status_code == 400
    assert writer.patch(f"{ORGS}{organization.slug}/", {"name": ""}, format="json").status_code == 400


def test_delete_needs_the_slug_typed_back(writer, organization):
    url = f"{ORGS}{organization.slug}/"
    missing = writer.delete(url, {}, format="json")
    wrong = writer.delete(url, {"confirm": "something-else"}, format="json")

    assert missing.status_code == 400 and "confirm" in missing.json()
    assert wrong.status_code == 400 and "confirm" in wrong.json()
    assert Organization.objects.filter(pk=organization.pk).exists()


def test_delete_removes_the_organization_its_credentials_clients_and_tokens(writer, organization):
    credential, secret = make_credential(organization)
    org_token = bearer_token(credential, secret)
    make_service_token(organization)
    make_member(organization, role="account_holder")
    client_pk = credential.application.pk

    response = writer.delete(f"{ORGS}{organization.slug}/", {"confirm": organization.slug}, format="json")

    assert response.status_code == 204
    assert not Organization.objects.filter(pk=organization.pk).exists()
    assert not ServiceCredential.objects.filter(pk=credential.pk).exists()
    assert not Application.objects.filter(pk=client_pk).exists()
    assert not AccessToken.objects.filter(application_id=client_pk).exists()
    assert not RoleBinding.objects.filter(organization_id=organization.pk).exists()
    assert as_bearer(org_token).get("/api/v1/me/").status_code == 401
    assert writer.get(f"{ORGS}{organization.slug}/").status_code == 404


def test_a_reader_cannot_rename_or_delete(organization):
    reader = root_client("organizations:read")
    assert reader.patch(f"{ORGS}{organization.slug}/", {"name": "x"}, format="json").status_code == 403
    assert reader.delete(f"{ORGS}{organization.slug}/", {"confirm": organization.slug}, format="json").status_code == 403


def test_create_rename_and_delete_are_on_the_platform_audit_log(writer):
    writer.post(ORGS, NEW_ORG, format="json")
    writer.patch(f"{ORGS}globex/", {"name": "Globex Corp"}, format="json")
    writer.delete(f"{ORGS}globex/", {"confirm": "globex"}, format="json")

    events = writer.get(PLATFORM_LOG).json()["results"]

    assert [e["action"] for e in events][:3] == ["organization.delete", "organization.rename", "organization.create"]
    assert all(e["target_name"] == "globex" and e["actor_kind"] == "service_credential" for e in events[:3])
    assert events[1]["details"] == {"from": "Globex", "to": "Globex Corp"}
    assert AuditEvent.objects.filter(organization__isnull=True, action="organization.delete").count() == 1


def test_the_platform_audit_log_holds_no_organizations_events(superuser_client, organization):
    make_service_token(organization)

    actions = [e["action"] for e in superuser_client.get(PLATFORM_LOG).json()["results"]]

    assert "service_token.create" not in actions


def test_a_superuser_session_manages_organizations(superuser_client):
    assert superuser_client.post(ORGS, NEW_ORG, format="json").status_code == 201
    assert superuser_client.get(f"{ORGS}globex/").json()["name"] == "Globex"
    assert AuditEvent.objects.get(organization__isnull=True, action="organization.create").actor_name == "root"


def test_an_organizations_own_administrator_cannot_call_the_platform_services(organization):
    from identity.errors import NotFound
    from identity.principals import principal_for_user
    from identity.services.platform import organization_create_with_account_holder, organization_rename

    holder = principal_for_user(make_member(organization, role="account_holder"), organization)

    with pytest.raises(NotFound):
        organization_create_with_account_holder(actor=holder, slug="globex", name="G", account_holder=NEW_ORG["account_holder"])
    with pytest.raises(NotFound):
        organization_rename(actor=holder, organization=organization, name="Mine now")
    assert not Organization.objects.filter(slug="globex").exists()


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("post", "", []),
        ("post", "", "globex"),
        ("post", "", {**NEW_ORG, "slug": ["globex"]}),
        ("post", "", {**NEW_ORG, "account_holder": {"username": "h" * 10_000, "email": "h@x.test"}}),
        ("post", "", {**NEW_ORG, "account_holder": {"username": "hank", "email": "a\x00@x.test"}}),
        ("patch", "{slug}/", ["name"]),
        ("patch", "{slug}/", {"name": None}),
        ("patch", "{slug}/", {"name": "x\x00"}),
        ("delete", "{slug}/", {"confirm": ["x"]}),
        ("delete", "{slug}/", [1, 2]),
        ("get", "", None),
    ],
)
def test_hostile_input_is_a_400_never_a_500(writer, organization, method, suffix, body):
    url = ORGS + suffix.format(slug=organization.slug)
    call = getattr(writer, method)
    response = call(url, body, format="json") if body is not None else call(url, {"search": "a\x00", "page": "10**30"})

    assert response.status_code in (400, 404), response.content
    assert Organization.objects.filter(pk=organization.pk).exists()


@pytest.mark.parametrize("url", [ORGS, PLATFORM_LOG])
def test_platform_lists_keep_to_their_query_budget(writer, url, django_assert_max_num_queries):
    """Authentication (the access token with its credential), the page and its count: no N+1."""
    from tests.factories import OrganizationFactory

    def grow(count):
        for _ in range(count):
            organization = OrganizationFactory()
            make_member(organization)
            writer.patch(f"{ORGS}{organization.slug}/", {"name": f"{organization.name}!"}, format="json")

    grow(2)
    writer.get(url)
    with django_assert_max_num_queries(4):
        few = writer.get(url)
    grow(6)
    with django_assert_max_num_queries(4):
        many = writer.get(url)
    assert len(many.json()["results"]) > len(few.json()["results"])
