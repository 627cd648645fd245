"""Service credentials in the portal: the four-step wizard, the keys shown once, and the life cycle."""

import csv
import io
import logging

import pytest
from jwcrypto import jwk

from identity import services
from identity.models import AuditEvent, Resource, Role, ServiceCredential
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, credential_grants, make_credential, make_member
from tests.identity.oauth_helpers import basic
from tests.identity.test_client_key_never_leaks import database_dump

pytestmark = pytest.mark.django_db

PREFIX = "service_credential_create_wizard"


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    return client


@pytest.fixture
def project(organization):
    company = Resource.objects.create(organization=organization, kind="companies", name="acme")
    return Resource.objects.create(organization=organization, kind="projects", name="alpha", parent=company)


def make_group(organization, name, roles=()):
    return services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name=name, roles=roles)


class Wizard:
    """Posts the wizard's steps as the browser does: step-prefixed fields plus the management form."""

    def __init__(self, client, organization):
        self.client, self.url = client, f"/orgs/{organization.slug}/service-credentials/new/"

    def start(self):
        return self.client.get(self.url)

    def post(self, step, data=None, **extra):
        body = {f"{PREFIX}-current_step": step, **{f"{step}-{key}": value for key, value in (data or {}).items()}, **extra}
        return self.client.post(self.url, body)

    def back(self, step, data=None, to=None):
        return self.post(step, data, wizard_goto_step=to)

    def through_summary(self, details=None, expiration=None, access=None):
        self.start()
        for step, data in (
            ("details", {"name": "deployer", "auth_method": "client_secret_basic", **(details or {})}),
            ("expiration", {"validity": "90d", "token_lifetime": "1h", **(expiration or {})}),
            ("access", access or {}),
        ):
            response = self.post(step, data)
            assert response.status_code == 200
            assert not response.context["form"].errors, response.context["form"].errors
        return response

    def save(self):
        """Save, then follow the redirect to the page that shows the keys once."""
        return self.client.post(self.url, {f"{PREFIX}-current_step": "summary"}, follow=True)


@pytest.fixture
def wizard(holder, organization):
    return Wizard(holder, organization)


def token_response(client, client_id, secret):
    return client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(client_id, secret))


# ---------------------------------------------------------------- the wizard


def test_the_wizard_walks_four_steps_and_the_summary_shows_every_choice(wizard, organization, project):
    group = make_group(organization, "deployers")
    first = wizard.start()
    assert first.status_code == 200 and first.context["wizard"]["steps"].current == "details"
    summary = wizard.through_summary(
        details={"description": "Ships alpha"},
        expiration={"validity": "30d", "token_lifetime": "15m"},
        access={"groups": [group.pk], "grant_0_resource": "projects/alpha", "grant_0_role": "member",
                "grant_0_permissions": ["projects:write"]},
    )
    page = summary.content.decode()
    assert summary.context["wizard"]["steps"].current == "summary"
    for text in ("deployer", "Ships alpha", "30 days", "15 minutes", "deployers", "companies/acme › projects/alpha",
                 "projects:write", "member", ">Save</button>", ">Back</button>"):
        assert text in page


def test_saving_shows_the_keys_once_without_caching_and_the_key_gets_a_token(wizard, organization, project, client):
    wizard.through_summary(access={"grant_0_resource": "projects/alpha", "grant_0_permissions": "projects:read"})
    response = wizard.save()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["client_secret"]
    credential = ServiceCredential.objects.get(name="deployer")
    page = response.content.decode()
    assert secret.startswith("pcs_")
    assert credential.client_id in page and organization.slug in page
    assert "curl" in page and "/o/token/" in page
    assert "cannot be shown again" in page
    for label in ("Download Client Keys", ">Close</button>", "Client ID", "Client Key", "Realm", "Usage example"):
        assert label in page
    rows = list(csv.reader(io.StringIO(response.context["csv"])))
    assert rows[0][:4] == ["name", "client_id", "client_key", "realm"]
    assert rows[1][:4] == ["deployer", credential.client_id, secret, organization.slug]
    assert secret not in str(dict(wizard.client.session))
    assert credential_grants(credential) == {project.pk: {"projects:read"}}
    assert AuditEvent.objects.filter(action="service_credential.create").count() == 1
    assert token_response(client, credential.client_id, secret).status_code == 200


def test_after_close_the_key_is_nowhere_in_the_portal(wizard, organization):
    wizard.through_summary()
    secret = wizard.save().context["client_secret"]
    credential = ServiceCredential.objects.get()
    for url in ("", f"{credential.pk}/", f"{credential.pk}/access/", "new/"):
        page = wizard.client.get(f"/orgs/{organization.slug}/service-credentials/{url}").content.decode()
        assert secret not in page
    audit = wizard.client.get(f"/orgs/{organization.slug}/audit/").content.decode()
    assert secret not in audit


def test_each_step_names_the_field_it_refuses(wizard, organization):
    wizard.start()
    empty = wizard.post("details", {"name": "", "auth_method": "client_secret_basic"})
    assert empty.context["form"].errors["name"] == ["This field is required."]
    make_credential(organization, name="taken")
    taken = wizard.post("details", {"name": "taken", "auth_method": "client_secret_basic"})
    assert taken.context["form"].errors["name"] == ["This name is already taken."]
    wizard.post("details", {"name": "fresh", "auth_method": "client_secret_basic"})
    bad_validity = wizard.post("expiration", {"validity": "7d", "token_lifetime": "1h"})
    assert "validity" in bad_validity.context["form"].errors
    assert bad_validity.context["wizard"]["steps"].current == "expiration"


@pytest.mark.parametrize(
    "pasted, message",
    [
        ("", "Paste the public key"),
        ("-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----", "This is not a PEM public key."),
        (jwk.JWK.generate(kty="EC", crv="P-256").export_to_pem(private_key=True, password=None).decode(), "This is a private key"),
        ('{"keys": []}', "Give a JWKS"),
        ("{not json", "This is not valid JSON."),
    ],
)
def test_a_bad_public_key_is_refused_on_the_first_step(wizard, pasted, message):
    wizard.start()
    response = wizard.post("details", {"name": "signer", "auth_method": "private_key_jwt", "public_key": pasted})
    assert message in response.context["form"].errors["public_key"][0]
    assert response.context["wizard"]["steps"].current == "details"


def test_a_public_key_with_a_client_key_method_is_refused(wizard):
    wizard.start()
    pem = jwk.JWK.generate(kty="EC", crv="P-256").export_to_pem().decode()
    response = wizard.post("details", {"name": "x", "auth_method": "client_secret_basic", "public_key": pem})
    assert "only with private_key_jwt" in response.context["form"].errors["public_key"][0]


def test_a_key_pair_credential_gets_no_client_key_and_keeps_its_public_key(wizard):
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    response = wizard.through_summary(details={"auth_method": "private_key_jwt", "public_key": key.export_to_pem().decode()})
    assert "1 public key" in response.content.decode()
    keys_page = wizard.save()
    assert keys_page.context["client_secret"] is None
    assert "client_assertion" in keys_page.context["usage_example"]
    assert "Client Key</label>" not in keys_page.content.decode()
    credential = ServiceCredential.objects.get()
    assert credential.auth_method == "private_key_jwt"
    assert credential.jwks["keys"][0]["kid"] == key.thumbprint()


@pytest.mark.parametrize(
    "row, field, message",
    [
        ({"grant_0_resource": "projects/nope", "grant_0_permissions": "projects:read"}, "grant_0_resource", "No resource “projects/nope”"),
        ({"grant_0_resource": "projects/alpha", "grant_0_permissions": "read everything"}, "grant_0_permissions", "is not one of the available choices"),
        ({"grant_0_resource": "projects/alpha", "grant_0_permissions": "companies:read"}, "grant_0_permissions", "“companies:read” is not an action of projects"),
        ({"grant_0_resource": "projects/alpha"}, "grant_0_permissions", "Give a role or at least one permission"),
        ({"grant_0_permissions": "projects:read"}, "grant_0_resource", "Pick the resource"),
        ({"bound_resource": "products/none"}, "bound_resource", "No resource “products/none”"),
    ],
)
def test_the_resources_step_names_the_row_it_refuses(wizard, project, row, field, message):
    wizard.start()
    wizard.post("details", {"name": "x", "auth_method": "client_secret_basic"})
    wizard.post("expiration", {"validity": "90d", "token_lifetime": "1h"})
    response = wizard.post("access", row)
    assert message in response.context["form"].errors[field][0]
    assert response.context["wizard"]["steps"].current == "access"


def test_a_credential_never_gets_more_than_its_creator_could_grant(client, organization, project):
    role = services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="credential-manager",
        description="", permissions=["service_credentials:read", "service_credentials:write"],
    )
    client.force_login(make_member(organization, role=role.name, username="manager"))
    wizard = Wizard(client, organization)
    wizard.start()
    wizard.post("details", {"name": "x", "auth_method": "client_secret_basic"})
    wizard.post("expiration", {"validity": "90d", "token_lifetime": "1h"})
    response = wizard.post("access", {"grant_0_resource": "projects/alpha", "grant_0_permissions": "projects:read"})
    assert "You cannot give projects:read on projects/alpha" in response.context["form"].errors["grant_0_permissions"][0]
    assert not ServiceCredential.objects.exists()


def test_back_keeps_what_was_typed_on_every_step(wizard, project):
    wizard.start()
    wizard.post("details", {"name": "keeper", "description": "kept", "auth_method": "client_secret_post"})
    wizard.post("expiration", {"validity": "365d", "token_lifetime": "8h"})
    typed = {"grant_0_resource": "projects/alpha", "grant_0_permissions": "projects:read"}
    back = wizard.back("access", typed, to="expiration")
    assert back.context["form"]["validity"].value() == "365d"
    again = wizard.back("expiration", {"validity": "365d", "token_lifetime": "8h"}, to="details")
    assert again.context["form"]["name"].value() == "keeper"
    assert again.context["form"]["auth_method"].value() == "client_secret_post"
    wizard.post("details", {"name": "keeper", "description": "kept", "auth_method": "client_secret_post"})
    access = wizard.post("expiration", {"validity": "365d", "token_lifetime": "8h"})
    assert access.context["form"]["grant_0_resource"].value() == "projects/alpha"
    assert access.context["form"]["grant_0_permissions"].value() == ["projects:read"]


def test_a_refusal_at_save_returns_to_its_step_with_everything_kept(wizard, organization):
    wizard.through_summary(details={"name": "racer"}, expiration={"validity": "180d"})
    make_credential(organization, name="racer")  # someone else took the name meanwhile
    response = wizard.save()
    assert response.context["wizard"]["steps"].current == "details"
    assert response.context["form"].errors["name"] == ["This name is already taken."]
    assert ServiceCredential.objects.filter(name="racer").count() == 1
    expiration = wizard.post("details", {"name": "racer-2", "auth_method": "client_secret_basic"})
    assert expiration.context["form"]["validity"].value() == "180d"


def test_the_resource_picker_copes_with_hundreds_of_resources(wizard, organization, django_assert_max_num_queries):
    Resource.objects.bulk_create(
        Resource(organization=organization, kind="products", name=f"product-{n:03}") for n in range(400)
    )
    wizard.start()
    wizard.post("details", {"name": "x", "auth_method": "client_secret_basic"})
    with django_assert_max_num_queries(15):
        page = wizard.post("expiration", {"validity": "90d", "token_lifetime": "1h"})
    body = page.content.decode()
    assert body.count('data-value="products/product-') == 400  # the tree, once for every row
    assert "among 400 resources" in body
    chosen = wizard.post("access", {"grant_0_resource": "products/product-377", "grant_0_permissions": "products:read",
                                    "grant_7_resource": "products/product-001", "grant_7_permissions": "products:read"})
    assert chosen.context["wizard"]["steps"].current == "summary"
    assert "products/product-377" in chosen.content.decode() and "products/product-001" in chosen.content.decode()


def test_a_bound_credential_keeps_its_resource(wizard, organization):
    Resource.objects.create(organization=organization, kind="products", name="shop")
    wizard.through_summary(access={"bound_resource": "products/shop"})
    wizard.save()
    assert ServiceCredential.objects.get().bound_resource.name == "shop"


def test_a_member_without_the_write_permission_cannot_open_the_wizard(client, organization):
    client.force_login(make_member(organization, role="member", username="reader"))
    assert client.get(f"/orgs/{organization.slug}/service-credentials/new/").status_code == 403


def test_a_tampered_wizard_post_is_a_400_not_a_500(wizard):
    wizard.start()
    assert wizard.client.post(wizard.url, {"details-name": "x"}).status_code == 400


# ---------------------------------------------------------------- list and detail


def test_the_list_filters_by_status_searches_and_pages(holder, organization):
    for n in range(27):
        make_credential(organization, name=f"pipeline-{n:02}")
    disabled, _ = make_credential(organization, name="sleeper")
    services.service_credential_disable(credential=disabled, actor=SYSTEM_PRINCIPAL_ADMIN(organization))
    url = f"/orgs/{organization.slug}/service-credentials/"
    first = holder.get(url)
    assert first.context["page"].paginator.count == 28 and len(first.context["page"].object_list) == 25
    assert "pipeline-26" in holder.get(url, {"page": 2}).content.decode()
    only_disabled = holder.get(url, {"status": "disabled"}).context["page"].object_list
    assert [c.name for c in only_disabled] == ["sleeper"]
    assert [c.name for c in holder.get(url, {"search": "pipeline-1"}).context["page"].object_list][:2] == ["pipeline-10", "pipeline-11"]
    by_client_id = holder.get(url, {"search": disabled.client_id}).context["page"].object_list
    assert [c.name for c in by_client_id] == ["sleeper"]
    assert holder.get(url, {"status": "bogus"}).status_code == 200


def test_the_enabled_toggle_in_the_list_disables_and_enables(holder, organization, client):
    credential, secret = make_credential(organization, name="toggled")
    url = f"/orgs/{organization.slug}/service-credentials/"
    page = holder.get(url).content.decode()
    assert 'role="switch" aria-checked="true" aria-label="Enabled: toggled"' in page
    response = holder.post(f"{url}{credential.pk}/disable/")
    assert response.status_code == 302 and response["Location"] == url
    assert 'aria-checked="false" aria-label="Enabled: toggled"' in holder.get(url).content.decode()
    assert token_response(client, credential.client_id, secret).status_code == 401
    holder.post(f"{url}{credential.pk}/enable/")
    assert token_response(client, credential.client_id, secret).status_code == 200
    # A GET changes nothing: disable/ is its confirmation page, enable/ has none.
    assert holder.get(f"{url}{credential.pk}/disable/").status_code == 200
    assert holder.get(f"{url}{credential.pk}/enable/").status_code == 405
    assert token_response(client, credential.client_id, secret).status_code == 200


def test_the_detail_page_shows_what_users_need_and_no_key(holder, organization, project, client):
    group = make_group(organization, "shippers")
    credential, secret = make_credential(organization, name="shown", groups=[group.pk], validity="30d", token_lifetime="2h")
    services.service_credential_update(
        credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization),
        resource_grants=[{"resource": project.pk, "permissions": ["projects:read"]}],
    )
    token_response(client, credential.client_id, secret)
    response = holder.get(f"/orgs/{organization.slug}/service-credentials/{credential.pk}/")
    page = response.content.decode()
    for text in ("shown", "Active", credential.client_id, "30 days, until", "2 hours", "shippers",
                 "companies/acme › projects/alpha", "projects:read", "by system", "Live tokens",
                 "Regenerate Client Keys", "Disable", "Revoke", "Delete", 'for="id_name">Credential name'):
        assert text in page, text
    assert response.context["credential"].live_tokens == 1
    assert secret not in page


def test_another_organizations_credential_is_404_on_every_page(holder, other_organization):
    credential, _ = make_credential(other_organization, name="theirs")
    base = f"/orgs/{holder.get('/').wsgi_request.user.memberships.get().organization.slug}/service-credentials/{credential.pk}/"
    for suffix in ("", "access/", "revoke/", "regenerate/", "delete/"):
        assert holder.get(base + suffix).status_code == 404
    for suffix in ("disable/", "enable/", "revoke/", "regenerate/", "delete/"):
        assert holder.post(base + suffix, {"name": "theirs"}).status_code == 404
    assert ServiceCredential.objects.get(pk=credential.pk).status == "active"


def test_a_reader_sees_the_pages_but_no_actions(client, organization):
    credential, _ = make_credential(organization, name="watched")
    role = services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="auditor",
        description="", permissions=["service_credentials:read"],
    )
    client.force_login(make_member(organization, role=role.name, username="auditor"))
    base = f"/orgs/{organization.slug}/service-credentials/"
    listing = client.get(base).content.decode()
    assert "watched" in listing and "Create Service Credential" not in listing and 'role="switch"' not in listing
    detail = client.get(f"{base}{credential.pk}/").content.decode()
    assert "Regenerate Client Keys" not in detail and "Revoke" not in detail
    assert client.post(f"{base}{credential.pk}/disable/").status_code == 403


def test_navigation_lists_service_credentials(holder, organization):
    page = holder.get(f"/orgs/{organization.slug}/audit/").content.decode()
    assert f'href="/orgs/{organization.slug}/service-credentials/"' in page and "Service Credentials" in page


# ---------------------------------------------------------------- editing and the life cycle


def test_only_groups_and_resources_can_be_edited_and_a_removed_group_stops_at_once(holder, organization, project, client):
    role = services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="secret-reader",
        description="", permissions=["secrets:read"],
    )
    group = make_group(organization, "readers", roles=[role.name])
    credential, secret = make_credential(organization, name="edited", groups=[group.pk])
    token = token_response(client, credential.client_id, secret).json()["access_token"]
    assert "secrets:read" in client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").json()["permissions"]
    url = f"/orgs/{organization.slug}/service-credentials/{credential.pk}/access/"
    form = holder.get(url).context["form"]
    assert form["groups"].value() == [group.pk] and "bound_resource" not in form.fields and "name" not in form.fields
    response = holder.post(url, {"grant_0_resource": "projects/alpha", "grant_0_role": "member", "name": "renamed"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.name == "edited" and not credential.groups.exists()
    assert credential_grants(credential)[project.pk] == set(Role.objects.get(organization=organization, name="member").permissions)
    assert "secrets:read" not in client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").json()["permissions"]
    assert AuditEvent.objects.filter(action="service_credential.update").exists()


def test_the_edit_page_starts_from_the_current_grants_and_names_bad_rows(holder, organization, project):
    credential, _ = make_credential(organization, name="edited")
    services.service_credential_update(
        credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization),
        resource_grants=[{"resource": project.pk, "permissions": ["projects:read", "projects:write"]}],
    )
    url = f"/orgs/{organization.slug}/service-credentials/{credential.pk}/access/"
    form = holder.get(url).context["form"]
    assert form["grant_0_resource"].value() == "projects/alpha"
    assert form["grant_0_permissions"].value() == ["projects:read", "projects:write"]
    bad = holder.post(url, {"grant_0_resource": "projects/alpha", "grant_0_permissions": "nope"})
    assert bad.status_code == 400 and "is not one of the available choices" in bad.context["form"].errors["grant_0_permissions"][0]
    assert credential_grants(credential) == {project.pk: {"projects:read", "projects:write"}}


def test_regenerating_shows_a_new_key_once_and_the_old_one_dies_on_save(holder, organization, client):
    credential, old = make_credential(organization, name="rolled")
    old_token = token_response(client, credential.client_id, old).json()["access_token"]
    url = f"/orgs/{organization.slug}/service-credentials/{credential.pk}/regenerate/"
    assert "Regenerate Client Keys" in holder.get(url).content.decode()
    response = holder.post(url, follow=True)
    new, new_id = response.context["client_secret"], response.context["client_id"]
    assert "no-store" in response["Cache-Control"] and new != old and new in response.content.decode()
    holder.post(f"{url}new-keys/", {"client_id": new_id, "grace_period": "0"})
    assert token_response(client, credential.client_id, old).status_code == 401
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {old_token}").status_code == 401
    assert token_response(client, new_id, new).status_code == 200


def test_a_key_pair_credential_cannot_be_regenerated(holder, organization):
    credential, _ = make_credential(organization, name="signer", auth_method="private_key_jwt")
    url = f"/orgs/{organization.slug}/service-credentials/{credential.pk}/regenerate/"
    response = holder.post(url, follow=True)
    assert "has no client key" in response.content.decode()


def test_revoking_needs_the_exact_name_and_kills_every_token(holder, organization, client):
    credential, secret = make_credential(organization, name="doomed")
    token = token_response(client, credential.client_id, secret).json()["access_token"]
    url = f"/orgs/{organization.slug}/service-credentials/{credential.pk}/revoke/"
    wrong = holder.post(url, {"name": "Doomed"})
    assert wrong.status_code == 400 and "not the credential's name" in wrong.context["form"].errors["name"][0]
    assert ServiceCredential.objects.get(pk=credential.pk).status == "active"
    assert 'for="id_name">Credential name' in holder.get(url).content.decode()
    right = holder.post(url, {"name": "doomed"}, follow=True)
    assert "revoked" in right.content.decode()
    assert ServiceCredential.objects.get(pk=credential.pk).status == "revoked"
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert token_response(client, credential.client_id, secret).status_code == 401
    again = holder.post(url, {"name": "doomed"})
    assert again.status_code == 400 and "already revoked" in again.content.decode()


def test_deleting_after_confirmation_keeps_the_history(holder, organization):
    credential, _ = make_credential(organization, name="gone")
    url = f"/orgs/{organization.slug}/service-credentials/{credential.pk}/delete/"
    assert "removed for good" in holder.get(url).content.decode()
    assert holder.post(url).status_code == 302
    assert not ServiceCredential.objects.filter(pk=credential.pk).exists()
    assert AuditEvent.objects.filter(action="service_credential.delete", target_name="gone").exists()


def test_the_detail_page_disables_and_comes_back(holder, organization):
    credential, _ = make_credential(organization, name="paused")
    url = f"/orgs/{organization.slug}/service-credentials/{credential.pk}/"
    response = holder.post(f"{url}disable/", {"back": "detail"})
    assert response["Location"] == url
    page = holder.get(url).content.decode()
    assert "Disabled" in page and ">Enable</button>" in page


def test_the_csv_cannot_smuggle_a_spreadsheet_formula(wizard):
    wizard.through_summary(details={"name": "=HYPERLINK(\"http://evil\")"})
    rows = list(csv.reader(io.StringIO(wizard.save().context["csv"])))
    assert rows[1][0] == "'=HYPERLINK(\"http://evil\")"


def test_keys_from_the_portal_never_reach_logs_the_database_or_the_session(wizard, organization, caplog):
    caplog.set_level(logging.DEBUG)
    wizard.through_summary(details={"name": "quiet"})
    secret = wizard.save().context["client_secret"]
    credential = ServiceCredential.objects.get(name="quiet")
    regenerated = wizard.client.post(
        f"/orgs/{organization.slug}/service-credentials/{credential.pk}/regenerate/", follow=True
    ).context["client_secret"]
    dump, session = database_dump(), str(dict(wizard.client.session))
    audit = " ".join(str(e.details) + str(e) for e in AuditEvent.objects.all())
    for planted in (secret, regenerated):
        assert planted not in caplog.text and planted not in dump and planted not in session and planted not in audit
