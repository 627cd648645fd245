"""The back office (`/back-office/`): organizations and root service accounts, for superusers only."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from identity.models import AuditEvent, Organization, ServiceCredential
from identity.principals import SYSTEM_PRINCIPAL
from identity.services.root_credentials import root_credential_create
from tests.factories import make_member

pytestmark = pytest.mark.django_db

HOME = "/back-office/"
NEW_ORG = {"slug": "globex", "name": "Globex", "account_holder_username": "hank", "account_holder_email": "hank@globex.test"}
NEW_ROOT = {"name": "provisioner", "permissions": ["organizations:read", "organizations:write"],
            "token_endpoint_auth_method": "client_secret_basic"}


@pytest.fixture
def superuser(client):
    user = get_user_model().objects.create_superuser("root", "root@example.test", "x" * 16)
    client.force_login(user)
    return user


def test_an_account_holder_gets_404_on_every_back_office_page(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    credential, _ = root_credential_create(actor=SYSTEM_PRINCIPAL, name="ops", permissions=["organizations:read"])

    assert client.get(HOME).status_code == 404
    assert client.post(f"{HOME}organizations/new/", NEW_ORG).status_code == 404
    assert client.get(f"{HOME}organizations/{organization.slug}/").status_code == 404
    assert client.post(f"{HOME}organizations/{organization.slug}/delete/", {"confirm": organization.slug}).status_code == 404
    assert client.post(f"{HOME}root-credentials/new/", NEW_ROOT).status_code == 404
    assert client.post(f"{HOME}root-credentials/{credential.pk}/delete/").status_code == 404
    assert Organization.objects.filter(pk=organization.pk).exists()
    assert ServiceCredential.objects.filter(pk=credential.pk).exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_page_lists_organizations_root_accounts_and_platform_events(client, superuser, organization):
    root_credential_create(actor=SYSTEM_PRINCIPAL, name="ops-robot", permissions=["organizations:read"])

    page = client.get(HOME).content.decode()

    assert organization.slug in page and "ops-robot" in page and "organizations:read" in page
    assert "<button type=\"submit\" class=\"primary\">Create Organization</button>" in page


def test_creating_an_organization_sends_its_account_holder_a_set_password_link(client, superuser):
    response = client.post(f"{HOME}organizations/new/", NEW_ORG)

    assert response.status_code == 302 and response["Location"] == HOME
    assert Organization.objects.get(slug="globex").memberships.get().user.username == "hank"
    assert re.search(r"/set-password/\S+/", mail.outbox[0].body)
    assert AuditEvent.objects.get(organization__isnull=True, action="organization.create").actor_name == "root"


def test_a_bad_organization_form_shows_the_field_errors_and_creates_nothing(client, superuser, organization):
    response = client.post(f"{HOME}organizations/new/", {**NEW_ORG, "slug": organization.slug})

    assert response.status_code == 400
    assert "Already taken." in response.context["organization_form"].errors["slug"]
    assert not get_user_model().objects.filter(username="hank").exists()


def test_a_taken_username_lands_on_the_account_holder_field(client, superuser, organization):
    make_member(organization, username="hank")

    response = client.post(f"{HOME}organizations/new/", NEW_ORG)

    assert response.status_code == 400
    assert response.context["organization_form"].errors["account_holder_username"] == ["Already taken."]


def test_rename_an_organization(client, superuser, organization):
    response = client.post(f"{HOME}organizations/{organization.slug}/", {"name": "New Name"})

    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "New Name"


def test_delete_needs_the_slug_typed_exactly(client, superuser, organization):
    wrong = client.post(f"{HOME}organizations/{organization.slug}/delete/", {"confirm": organization.slug.upper()})

    assert wrong.status_code == 400 and wrong.context["delete_form"].errors["confirm"]
    assert Organization.objects.filter(pk=organization.pk).exists()

    right = client.post(f"{HOME}organizations/{organization.slug}/delete/", {"confirm": organization.slug})

    assert right.status_code == 302
    assert not Organization.objects.filter(pk=organization.pk).exists()
    assert AuditEvent.objects.filter(organization__isnull=True, action="organization.delete", target_name=organization.slug).exists()


def test_a_new_root_account_shows_its_keys_once_and_reloading_creates_no_other(client, superuser):
    response = client.post(f"{HOME}root-credentials/new/", NEW_ROOT)

    assert response.status_code == 302
    credential = ServiceCredential.objects.get(organization__isnull=True, name="provisioner")
    assert response["Location"] == f"{HOME}root-credentials/{credential.pk}/keys/"
    assert credential.platform_permissions == ["organizations:read", "organizations:write"]

    keys = client.get(response["Location"])
    body = keys.content.decode()
    assert keys["Cache-Control"] == "no-store"
    secret = re.search(r'id="client-key" type="text" readonly value="([^"]+)"', body).group(1)
    assert credential.client_id in body and "Download Client Keys" in body
    assert f"provisioner,{credential.client_id},{secret},root," in keys.context["csv"]

    reload = client.get(response["Location"])
    assert reload.status_code == 200 and secret not in reload.content.decode()
    assert "shown once" in reload.content.decode()
    assert ServiceCredential.objects.filter(organization__isnull=True).count() == 1


def test_a_bad_root_account_form_names_the_field(client, superuser):
    response = client.post(f"{HOME}root-credentials/new/", {**NEW_ROOT, "token_endpoint_auth_method": "private_key_jwt"})

    assert response.status_code == 400
    assert response.context["root_form"].errors
    assert not ServiceCredential.objects.filter(organization__isnull=True).exists()


def test_delete_a_root_account_after_confirming(client, superuser):
    credential, _ = root_credential_create(actor=SYSTEM_PRINCIPAL, name="old-robot", permissions=["organizations:read"])

    confirm = client.get(f"{HOME}root-credentials/{credential.pk}/delete/")
    assert confirm.status_code == 200 and "old-robot" in confirm.content.decode()
    response = client.post(f"{HOME}root-credentials/{credential.pk}/delete/")

    assert response.status_code == 302
    assert not ServiceCredential.objects.filter(pk=credential.pk).exists()


def test_an_organizations_credential_is_not_a_root_account(client, superuser, organization):
    from tests.factories import make_credential

    credential, _ = make_credential(organization)

    assert client.get(f"{HOME}root-credentials/{credential.pk}/delete/").status_code == 404
    assert client.get(f"{HOME}root-credentials/{10**30}/keys/").status_code == 404


def test_only_superusers_see_the_back_office_link(client, superuser, organization):
    assert 'href="/back-office/"' in client.get(HOME).content.decode()
    client.force_login(make_member(organization, role="account_holder"))
    assert 'href="/back-office/"' not in client.get(f"/orgs/{organization.slug}/", follow=True).content.decode()


# Session and user, the organizations page and its count, root accounts, platform events.
BACK_OFFICE_QUERIES = 8


def test_the_page_keeps_to_its_query_budget(client, superuser, django_assert_max_num_queries):
    """Session, organizations with their member counts, root accounts, platform events: no N+1."""
    from tests.factories import OrganizationFactory

    def grow(count):
        for number in range(count):
            organization = OrganizationFactory()
            make_member(organization)
            root_credential_create(actor=SYSTEM_PRINCIPAL, name=f"robot-{organization.slug}", permissions=["organizations:read"])
            client.post(f"{HOME}organizations/{organization.slug}/", {"name": f"Renamed {number}"})

    grow(2)
    with django_assert_max_num_queries(BACK_OFFICE_QUERIES):
        client.get(HOME)
    grow(6)
    with django_assert_max_num_queries(BACK_OFFICE_QUERIES):
        page = client.get(HOME)
    assert page.content.decode().count("Rename or delete") == 8

