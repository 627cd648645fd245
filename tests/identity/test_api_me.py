"""`me/`: who is calling, in which organization, with which permissions."""

import pytest
from rest_framework.test import APIClient

from identity.permissions import CATALOGUE
from tests.factories import OrganizationFactory, add_membership, make_credential, make_member, make_service_token
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


def test_a_person_sees_their_first_organization_and_its_permissions(holder_client, organization, account_holder):
    body = holder_client.get(ME).json()
    assert body == {
        "kind": "user",
        "name": account_holder.username,
        "organization": organization.slug,
        "permissions": sorted(CATALOGUE),
        "resource_permissions": [],
    }


def test_a_person_in_several_organizations_chooses_one_with_org(organization):
    user = make_member(organization, role="account_holder")
    second = OrganizationFactory(slug="zeta")
    add_membership(user, second, "member")
    client = APIClient()
    client.force_authenticate(user=user)
    body = client.get(ME, {"org": "zeta"}).json()
    assert body["organization"] == "zeta"
    assert "members:write" not in body["permissions"]


def test_an_organization_the_person_is_not_in_is_not_found(holder_client, other_organization):
    assert holder_client.get(ME, {"org": other_organization.slug}).status_code == 404


def test_a_service_token_sees_its_own_organization(organization):
    _, plaintext = make_service_token(organization, roles=("member",), name="reader")
    body = APIClient().get(ME, HTTP_X_API_KEY=plaintext).json()
    assert (body["kind"], body["name"], body["organization"]) == ("service_token", "reader", organization.slug)


def test_a_service_credential_sees_its_granted_permissions(client, organization):
    credential, secret = make_credential(organization, permissions=["studios:read"])
    token = client.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret)
    ).json()["access_token"]
    body = APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (body["kind"], body["name"], body["organization"]) == ("service_credential", credential.name, organization.slug)


def test_anonymous_callers_get_401_with_a_challenge(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert "Bearer" in response["WWW-Authenticate"]


def test_a_wrong_bearer_token_gets_401(api_client):
    assert api_client.get(ME, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
