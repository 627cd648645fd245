"""In a real browser: the wizard's resources step with pickers on a company › project › environment tree."""

import re

import pytest
from playwright.sync_api import expect

from identity.models import Resource, RoleBinding, ServiceCredential
from tests.factories import make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tree(organization):
    acme = Resource.objects.create(organization=organization, kind="companies", name="acme")
    apollo = Resource.objects.create(organization=organization, kind="projects", name="apollo", parent=acme)
    Resource.objects.create(organization=organization, kind="environments", name="prod", parent=apollo)
    Resource.objects.create(organization=organization, kind="environments", name="staging", parent=apollo)
    globex = Resource.objects.create(organization=organization, kind="companies", name="globex")
    Resource.objects.create(organization=organization, kind="projects", name="zeus", parent=globex)


def to_resources_step(page, live_server, organization):
    page.goto(f"{live_server.url}/orgs/{organization.slug}/service-credentials/new/")
    page.get_by_label(re.compile(r"^Name")).fill("tree-pipeline")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Step 3 of 4: Groups and resources")).to_be_visible()


def test_search_choose_an_environment_pick_its_permissions_delete_a_row_and_save(live_server, log_in, organization, tree):
    page = log_in(make_member(organization, role="account_holder"))
    to_resources_step(page, live_server, organization)
    tree_box = page.get_by_role("listbox", name="Resources")

    # One row to start with; the tree opens under it, indented by depth, each with its path.
    expect(page.locator("[data-grant-row]")).to_have_count(1)
    page.get_by_label("Resource 1", exact=True).click()
    expect(tree_box).to_be_visible()
    prod = tree_box.get_by_role("option", name="acme › apollo › prod (environments)")
    expect(prod).to_be_visible()
    indent = "o => parseFloat(getComputedStyle(o).paddingLeft)"
    assert prod.evaluate(indent) > tree_box.get_by_role("option", name="acme › apollo (projects)").evaluate(indent) > (
        tree_box.get_by_role("option", name="acme (companies)").evaluate(indent)
    )

    # Typing filters the tree; choosing fills the row and shows where the resource sits.
    page.get_by_label("Resource 1", exact=True).fill("prod")
    expect(prod).to_be_visible()
    expect(tree_box.get_by_role("option", name="acme › apollo › staging (environments)")).to_be_hidden()
    expect(tree_box.get_by_role("option", name="globex › zeus (projects)")).to_be_hidden()
    prod.click()
    expect(page.get_by_label("Resource 1", exact=True)).to_have_value("environments/prod")
    expect(tree_box).to_be_hidden()
    expect(page.locator("[data-grant-row]").first.locator("[data-resource-path]")).to_have_text("acme › apollo › prod (environments)")

    # Only the environment's actions are offered.
    permissions = page.get_by_label("Permissions 1", exact=True)
    expect(permissions.locator("optgroup[label=projects]")).to_be_hidden()
    expect(permissions.locator("optgroup[label=environments]")).to_be_visible()
    permissions.select_option(["environments:read", "environments:write"])

    # A second row left without a role or a permission: the error summary, focus on the field,
    # and no empty rows added by the failed submit.
    page.get_by_role("button", name="Add another resource").click()
    expect(page.get_by_label("Resource 2", exact=True)).to_be_focused()
    page.keyboard.type("zeus")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Resource 2", exact=True)).to_have_value("projects/zeus")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_contain_text("Give a role or at least one permission")
    expect(page.get_by_label("Permissions 2", exact=True)).to_be_focused()
    expect(page.locator("[data-grant-row]")).to_have_count(2)
    expect(page.get_by_label("Resource 1", exact=True)).to_have_value("environments/prod")

    # The trash button asks first; Cancel keeps the row, Remove takes it away.
    page.get_by_role("button", name="Remove resource 2").click()
    dialog = page.get_by_role("dialog", name="Remove this grant?")
    expect(dialog).to_contain_text("globex › zeus")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.locator("[data-grant-row]")).to_have_count(2)
    page.get_by_role("button", name="Remove resource 2").click()
    dialog.get_by_role("button", name="Remove").click()
    expect(page.locator("[data-grant-row]")).to_have_count(1)

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Step 4 of 4: Summary")).to_be_visible()
    expect(page.locator("dl.summary")).to_contain_text("companies/acme › projects/apollo › environments/prod")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("cannot be shown again")).to_be_visible()

    credential = ServiceCredential.objects.get(name="tree-pipeline")
    bindings = RoleBinding.objects.filter(service_credential=credential).select_related("resource")
    assert [(b.resource.name, sorted(b.permissions), b.role_id) for b in bindings] == [
        ("prod", ["environments:read", "environments:write"], None)
    ]


def test_a_product_bound_credential_is_offered_only_its_products_roles(live_server, log_in, organization, tree):
    from identity import services
    from tests.factories import SYSTEM_PRINCIPAL_ADMIN

    shop = Resource.objects.create(organization=organization, kind="products", name="shop")
    services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="shop-operator",
        description="", permissions=["products:read"], product=shop,
    )
    page = log_in(make_member(organization, role="account_holder"))
    to_resources_step(page, live_server, organization)
    role = page.get_by_label("Role 1", exact=True)
    expect(role.locator("option[value=member]")).to_be_attached()
    assert role.locator("option[value=member]").evaluate("o => !o.hidden")

    page.get_by_label("Bound to product").select_option("products/shop")
    assert role.locator("option[value=member]").evaluate("o => o.hidden && o.disabled")
    assert role.locator("option[value=shop-operator]").evaluate("o => !o.hidden")
    page.get_by_label("Resource 1", exact=True).fill("a")
    tree_box = page.get_by_role("listbox", name="Resources")
    expect(tree_box.get_by_role("option", name="acme (companies)")).to_be_hidden()
    page.get_by_label("Resource 1", exact=True).fill("shop")
    tree_box.get_by_role("option", name="shop (products)").click()
    role.select_option("shop-operator")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Step 4 of 4: Summary")).to_be_visible()
