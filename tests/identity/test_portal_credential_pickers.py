"""The credential pickers checked on the server, and the credential pages' danger zone, row menu
and dates: what the browser's script offers is refused here too, by field."""

import re

import pytest

from identity import services
from identity.models import Resource, ServiceCredential
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_member, make_service_token
from tests.identity.test_portal_service_credentials import Wizard

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder", username="holder"))
    return client


@pytest.fixture
def tree(organization):
    acme = Resource.objects.create(organization=organization, kind="companies", name="acme")
    apollo = Resource.objects.create(organization=organization, kind="projects", name="apollo", parent=acme)
    prod = Resource.objects.create(organization=organization, kind="environments", name="prod", parent=apollo)
    shop = Resource.objects.create(organization=organization, kind="products", name="shop")
    checkout = Resource.objects.create(organization=organization, kind="environments", name="checkout", parent=shop)
    services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="shop-operator",
        permissions=["products:read"], product=shop,
    )
    return {"acme": acme, "apollo": apollo, "prod": prod, "shop": shop, "checkout": checkout}


def resources_step(holder, organization):
    wizard = Wizard(holder, organization)
    wizard.start()
    wizard.post("details", {"name": "picker", "auth_method": "client_secret_basic"})
    page = wizard.post("expiration", {"validity": "90d", "token_lifetime": "1h"})
    return wizard, page


def refusal(holder, organization, access):
    wizard, _ = resources_step(holder, organization)
    response = wizard.post("access", access)
    assert response.context["wizard"]["steps"].current == "access"
    return response.context["form"].errors


def test_a_permission_of_another_kind_is_refused_on_its_row(holder, organization, tree):
    errors = refusal(holder, organization, {"grant_0_resource": "environments/prod", "grant_0_permissions": "projects:read"})
    assert errors["grant_0_permissions"] == [
        "“projects:read” is not an action of environments: choose among environments:read, environments:write."
    ]


def test_a_product_bound_credential_refuses_a_role_that_is_not_its_products(holder, organization, tree):
    errors = refusal(holder, organization, {
        "bound_resource": "products/shop", "grant_0_resource": "environments/checkout", "grant_0_role": "member",
    })
    assert list(errors) == ["grant_0_role"]
    assert "“member” is not a role of products/shop" in errors["grant_0_role"][0]


def test_a_product_bound_credential_takes_its_products_role_below_the_product(holder, organization, tree):
    wizard, _ = resources_step(holder, organization)
    summary = wizard.post("access", {
        "bound_resource": "products/shop", "grant_0_resource": "environments/checkout", "grant_0_role": "shop-operator",
    })
    assert summary.context["wizard"]["steps"].current == "summary"
    wizard.save()
    credential = ServiceCredential.objects.get(name="picker")
    assert credential.bound_resource == tree["shop"]


def test_a_product_bound_credential_refuses_a_resource_outside_its_product(holder, organization, tree):
    errors = refusal(holder, organization, {
        "bound_resource": "products/shop", "grant_0_resource": "projects/apollo", "grant_0_permissions": "projects:read",
    })
    assert "bound to products/shop: choose products/shop or a resource below it" in errors["grant_0_resource"][0]


def test_a_products_role_is_refused_outside_its_product(holder, organization, tree):
    errors = refusal(holder, organization, {"grant_0_resource": "projects/apollo", "grant_0_role": "shop-operator"})
    assert "“shop-operator” is a role of products/shop" in errors["grant_0_role"][0]


def test_only_a_product_can_be_bound(holder, organization, tree):
    errors = refusal(holder, organization, {"bound_resource": "projects/apollo"})
    assert "projects/apollo is not a product" in errors["bound_resource"][0]


def test_a_refused_submit_shows_the_filled_rows_renumbered_and_one_spare_row(holder, organization, tree):
    errors = refusal(holder, organization, {
        "grant_0_resource": "", "grant_3_resource": "environments/prod", "grant_3_permissions": "projects:read",
        "grant_5_resource": "", "grant_7_resource": "projects/apollo", "grant_7_role": "member",
    })
    assert list(errors) == ["grant_0_permissions"]
    wizard, _ = resources_step(holder, organization)
    form = wizard.post("access", {
        "grant_3_resource": "environments/prod", "grant_3_permissions": "projects:read",
        "grant_7_resource": "projects/apollo", "grant_7_role": "member", "grant_9_resource": "",
    }).context["form"]
    rows = form.grant_rows()
    assert [(number, fields[0].value(), spare) for number, fields, _, spare in rows] == [
        (1, "environments/prod", False), (2, "projects/apollo", False), (3, None, True),
    ]


def test_the_resource_tree_shows_each_resource_with_its_path_and_depth(holder, organization, tree):
    _, page = resources_step(holder, organization)
    body = page.content.decode()
    option = re.search(r'<li id="resource-option-\d+" role="option"[^>]*data-value="environments/prod"[^>]*>', body).group(0)
    assert 'data-lineage="companies/acme › projects/apollo › environments/prod"' in option
    assert 'data-names="acme › apollo › prod"' in option and "--depth: 2" in option
    assert '<option value="shop-operator" data-product="products/shop">' in body
    assert '<option value="member" data-product="">' in body
    assert 'data-remove-grant-row hidden aria-label="Remove resource 1"' in body
    assert re.search(r'<select name="access-bound_resource"[^>]*data-bound-product', body)


# ---------------------------------------------------------------- danger zone, row menu, dates

def detail_url(organization, credential, tail=""):
    return f"/orgs/{organization.slug}/service-credentials/{credential.pk}/{tail}"


def test_the_danger_zone_explains_each_action_and_disable_asks_first(holder, organization):
    credential, _ = make_credential(organization, name="pipeline")
    body = holder.get(detail_url(organization, credential)).content.decode()
    zone = body[body.index('aria-labelledby="danger-title"'):]
    for action in ("disable", "regenerate", "revoke", "delete"):
        assert f'data-danger="{action}"' in zone
    assert re.search(r"<h3>Disable</h3><p>[^<]+\.</p>", zone) and re.search(r"<h3>Revoke</h3><p>[^<]+\.</p>", zone)
    assert re.search(r"<h3>Regenerate Client Keys</h3><p>[^<]+\.</p>", zone) and re.search(r"<h3>Delete</h3><p>[^<]+\.</p>", zone)
    assert 'data-dialog="disable-dialog" hidden>Disable</button>' in zone
    assert f'href="{detail_url(organization, credential, "disable/")}" data-dialog-fallback>Disable</a>' in zone
    assert '<dialog id="disable-dialog"' in body and "Disable “pipeline”?" in body


def test_the_disable_confirmation_page_changes_nothing_until_its_form_is_sent(holder, organization):
    credential, _ = make_credential(organization, name="pipeline")
    page = holder.get(detail_url(organization, credential, "disable/"))
    assert page.status_code == 200 and "Disable “pipeline”?" in page.content.decode()
    credential.refresh_from_db()
    assert credential.status == "active"
    holder.post(detail_url(organization, credential, "disable/"), {"back": "detail"})
    credential.refresh_from_db()
    assert credential.status == "disabled"
    assert holder.get(detail_url(organization, credential, "enable/")).status_code == 405


def test_a_revoked_credential_offers_only_delete(holder, organization):
    credential, _ = make_credential(organization, name="gone")
    services.service_credential_revoke(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), confirm_name="gone")
    body = holder.get(detail_url(organization, credential)).content.decode()
    assert 'data-danger="delete"' in body
    assert not re.search(r'data-danger="(disable|enable|regenerate|revoke)"', body)


def test_the_list_has_a_row_menu_and_its_enabled_switch_asks_first(holder, organization):
    credential, _ = make_credential(organization, name="pipeline")
    body = holder.get(f"/orgs/{organization.slug}/service-credentials/").content.decode()
    assert '<details class="row-menu">' in body and 'aria-label="More Options for pipeline"' in body
    menu = body[body.index('aria-label="More Options for pipeline"'):]
    menu = menu[:menu.index("</details>")]
    for tail, text in (("", "View"), ("access/", "Edit groups and resources"), ("disable/", "Disable"), ("revoke/", "Revoke"), ("delete/", "Delete")):
        assert f'href="{detail_url(organization, credential, tail)}"' in menu and f">{text}</a>" in menu
    assert 'data-confirm-switch="disable" data-credential="pipeline"' in body
    assert '<dialog id="switch-dialog"' in body


def test_a_reader_sees_no_row_menu_and_no_danger_zone(client, organization):
    credential, _ = make_credential(organization, name="pipeline")
    services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="credential-reader",
        permissions=["service_credentials:read"],
    )
    client.force_login(make_member(organization, role="credential-reader", username="reader"))
    listing = client.get(f"/orgs/{organization.slug}/service-credentials/")
    detail = client.get(detail_url(organization, credential))
    assert listing.status_code == detail.status_code == 200
    assert "row-menu" not in listing.content.decode() and "switch-dialog" not in listing.content.decode()
    assert "danger-title" not in detail.content.decode()


def test_dates_on_the_credential_token_and_member_pages_carry_their_time_zone(holder, organization):
    credential, _ = make_credential(organization, name="pipeline")
    make_service_token(organization, name="ci", expires_in="24h")
    zoned = re.compile(r'<time datetime="[^"]+">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC</time>')
    for url in (
        detail_url(organization, credential),
        f"/orgs/{organization.slug}/service-credentials/",
        f"/orgs/{organization.slug}/service-tokens/",
        f"/orgs/{organization.slug}/members/",
    ):
        body = holder.get(url).content.decode()
        assert zoned.search(body), url
