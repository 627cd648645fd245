"""Mia-Platform's documented root service account calls, sent as curl sends them.

The commands are those of Mia-Platform's "Manage Service Accounts" page (Managing
Company-independent Service Accounts; Service Account authentication) with its placeholders
filled in. Each request goes over a real socket to a live server with the bytes curl would put
on the wire: its request line, `Host`, `User-Agent: curl/…`, `Accept: */*`, the page's headers in
its order, and the page's `--data` text untouched (newlines and indentation included). One fix:
the page's create command lacks the `\\` after its `Authorization` line, which would leave the
body out; curl sends the body once it is there.
"""

import base64
import http.client
import json
import time
import uuid
from urllib.parse import quote, urlsplit

import pytest
from jwcrypto import jwk, jwt
from rest_framework.test import APIClient

from identity.models import ServiceCredential
from identity.principals import SYSTEM_PRINCIPAL
from identity.services.root_credentials import root_credential_create
from tests.identity.test_access_checks import as_bearer, bearer_token

CLIENT_KEY = "console-client-key-from-the-page"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

# The page's create body, as typed inside its --data '…' (with our permission names: the page's
# console.root.* do not exist here, see test_the_pages_own_permission_names_are_a_400).
CREATE_BODY = """{
        "name": "Example Service Account",
        "permissions": ["console.root.user.bind", "console.root.user.manage"],
        "tokenEndpointAuthMethod": "client_secret_basic"
    }"""


def curl(server_url, method, path, headers=(), data=None):
    """``curl --location --request METHOD URL --header … [--data …]`` on the wire."""
    server = urlsplit(server_url)
    connection = http.client.HTTPConnection(server.hostname, server.port, timeout=30)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", server.netloc)
    connection.putheader("User-Agent", "curl/7.88.1")
    connection.putheader("Accept", "*/*")
    for name, value in headers:
        connection.putheader(name, value)
    body = data.encode() if data is not None else None
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, content


def data_urlencode(*pairs):
    """What curl makes of ``--data-urlencode 'name=content'`` options: content encoded, joined by &."""
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in pairs)


def create_service_account(server_url, access_token, body):
    return curl(
        server_url, "POST", "/api/service-accounts",
        [("Content-Type", "application/json"), ("Client-key", CLIENT_KEY), ("Authorization", f"Bearer {access_token}")],
        body,
    )


def delete_service_account(server_url, access_token, client_id):
    return curl(
        server_url, "DELETE", f"/api/service-accounts/{client_id}",
        [("Content-Type", "application/json"), ("Client-key", CLIENT_KEY), ("Authorization", f"Bearer {access_token}")],
    )


def token_by_client_secret_basic(server_url, client_id, client_secret):
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return curl(
        server_url, "POST", "/api/m2m/oauth/token",
        [("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", f"Basic {basic}")],
        data_urlencode(("grant_type", "client_credentials")),
    )


def token_by_private_key_jwt(server_url, client_id, assertion):
    return curl(
        server_url, "POST", "/api/m2m/oauth/token",
        [("Content-Type", "application/x-www-form-urlencoded")],
        data_urlencode(
            ("grant_type", "client_credentials"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
            ("client_id", client_id),
            ("token_endpoint_auth_method", "private_key_jwt"),
        ),
    )


def managing_account(server_url):
    """A root account holding root_service_credentials:write, and its token from the alias."""
    credential, secret = root_credential_create(
        actor=SYSTEM_PRINCIPAL, name="pipeline",
        permissions=["organizations:read", "root_service_credentials:read", "root_service_credentials:write"],
    )
    status, headers, content = token_by_client_secret_basic(server_url, credential.client_id, secret)
    assert status == 200, content
    answer = json.loads(content)
    assert answer["token_type"] == "Bearer" and answer["expires_in"] > 0
    assert headers["cache-control"] == "no-store"
    return answer["access_token"]


def json_of(content):
    return json.loads(content) if content else None


@pytest.fixture
def server_url(live_server):
    return live_server.url


@pytest.mark.django_db(transaction=True)
def test_the_documented_client_secret_basic_account_is_created_used_and_deleted(server_url):
    access_token = managing_account(server_url)
    body = CREATE_BODY.replace('["console.root.user.bind", "console.root.user.manage"]', '["organizations:read"]')

    status, headers, content = create_service_account(server_url, access_token, body)

    assert status == 201, content
    answer = json_of(content)
    assert sorted(answer) == ["clientId", "clientIdIssuedAt", "clientSecret"]
    assert isinstance(answer["clientIdIssuedAt"], int) and abs(answer["clientIdIssuedAt"] - time.time()) < 120
    assert headers["cache-control"] == "no-store"
    created = ServiceCredential.objects.get(application__client_id=answer["clientId"])
    assert created.organization is None and created.name == "Example Service Account"
    assert created.platform_permissions == ["organizations:read"]

    status, _, content = token_by_client_secret_basic(server_url, answer["clientId"], answer["clientSecret"])
    assert status == 200, content
    its_token = json_of(content)["access_token"]
    me = as_bearer(its_token).get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["permissions"] == ["organizations:read"]

    status, _, content = delete_service_account(server_url, access_token, answer["clientId"])
    assert status == 204, content
    assert not ServiceCredential.objects.filter(pk=created.pk).exists()
    assert as_bearer(its_token).get("/api/v1/me/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_the_documented_private_key_jwt_account_signs_in_with_its_key_and_uses_the_api(server_url):
    access_token = managing_account(server_url)
    private_key = jwk.JWK.generate(kty="RSA", size=2048)
    public_pem = private_key.export_to_pem().decode()
    body = (
        "{\n"
        '        "name": "Signing Service Account",\n'
        '        "permissions": ["root_service_credentials:read"],\n'
        '        "tokenEndpointAuthMethod": "private_key_jwt",\n'
        f'        "publicKey": {json.dumps(public_pem)}\n'
        "    }"
    )

    status, _, content = create_service_account(server_url, access_token, body)

    assert status == 201, content
    answer = json_of(content)
    assert sorted(answer) == ["clientId", "clientIdIssuedAt"]  # no secret: it signs with its own key
    client_id = answer["clientId"]

    # The page's assertion: RS256, typ JWT, kid; iss = sub = client id, aud, jti, iat, exp. Our aud
    # is this token endpoint's URL (RFC 7523); the kid is the key's RFC 7638 thumbprint.
    now = int(time.time())
    assertion = jwt.JWT(
        header={"alg": "RS256", "typ": "JWT", "kid": private_key.thumbprint()},
        claims={
            "iss": client_id, "sub": client_id, "aud": f"{server_url}/api/m2m/oauth/token",
            "jti": uuid.uuid4().hex, "iat": now, "exp": now + 300,
        },
    )
    assertion.make_signed_token(private_key)
    status, _, content = token_by_private_key_jwt(server_url, client_id, assertion.serialize())
    assert status == 200, content
    its_token = json_of(content)["access_token"]

    listed = as_bearer(its_token).get("/api/v1/root/service-credentials/")
    assert listed.status_code == 200
    assert "Signing Service Account" in [row["name"] for row in listed.json()["results"]]
    assert as_bearer(its_token).delete(f"/api/v1/root/service-credentials/{client_id}/").status_code == 403

    status, _, content = delete_service_account(server_url, access_token, client_id)
    assert status == 204, content
    assert not ServiceCredential.objects.filter(application__client_id=client_id).exists()


@pytest.mark.django_db(transaction=True)
def test_the_pages_own_permission_names_are_a_400_naming_permissions(server_url):
    access_token = managing_account(server_url)

    status, _, content = create_service_account(server_url, access_token, CREATE_BODY)

    assert status == 400
    answer = json_of(content)
    assert "console.root.user.bind" in answer["permissions"][0] and answer["detail"]
    assert not ServiceCredential.objects.filter(name="Example Service Account").exists()


# Bad input through Django's test client: the same view, without a socket per case.


@pytest.fixture
def pipeline():
    credential, secret = root_credential_create(
        actor=SYSTEM_PRINCIPAL, name="pipeline", permissions=["root_service_credentials:write"]
    )
    return as_bearer(bearer_token(credential, secret))


def post_raw(client, body, **headers):
    return client.generic("POST", "/api/service-accounts", body, content_type="application/json", **headers)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field, status",
    [
        ('{"name": "x", "permissions": ["nope:read"], "tokenEndpointAuthMethod": "client_secret_basic"}', "permissions", 400),
        ('{"name": "x", "permissions": [], "tokenEndpointAuthMethod": "client_secret_jwt"}', "tokenEndpointAuthMethod", 400),
        ('{"name": "x", "permissions": [], "tokenEndpointAuthMethod": "private_key_jwt"}', "publicKey", 400),
        ('{"name": "x", "permissions": [], "tokenEndpointAuthMethod": "private_key_jwt", "publicKey": "-----BEGIN x"}',
         "publicKey", 400),
        ('{"name": "x", "permissions": [], "tokenEndpointAuthMethod": "private_key_jwt", "publicKey": 7}', "publicKey", 400),
        ('{"permissions": []}', "name", 400),
        ('{"name": "x\\u0000y", "permissions": []}', "name", 400),
        ('{"name": "x", "permissions": "organizations:write"}', "permissions", 403),
        ('{"name": "pipeline", "permissions": []}', "name", 409),
    ],
)
def test_bad_input_names_mia_platforms_field_and_saves_nothing(pipeline, body, field, status):
    before = ServiceCredential.objects.count()

    response = post_raw(pipeline, body, HTTP_CLIENT_KEY=CLIENT_KEY)

    assert response.status_code == status, response.content
    assert field in response.json()
    assert ServiceCredential.objects.count() == before


@pytest.mark.django_db
def test_a_comma_separated_permissions_string_is_read_as_the_list(pipeline):
    response = post_raw(pipeline, '{"name": "x", "permissions": "root_service_credentials:write"}')
    assert response.status_code == 201, response.content
    assert ServiceCredential.objects.get(name="x").platform_permissions == ["root_service_credentials:write"]


@pytest.mark.django_db
def test_deleting_an_unknown_client_id_is_a_404_in_the_apis_shape(pipeline):
    response = pipeline.delete("/api/service-accounts/no-such-client", HTTP_CLIENT_KEY=CLIENT_KEY)
    assert response.status_code == 404 and "detail" in response.json()


@pytest.mark.django_db
def test_a_token_without_root_service_credentials_write_is_refused():
    credential, secret = root_credential_create(actor=SYSTEM_PRINCIPAL, name="reader", permissions=["organizations:read"])
    reader = as_bearer(bearer_token(credential, secret))
    assert post_raw(reader, '{"name": "x", "permissions": []}').status_code == 403
    assert reader.delete(f"/api/service-accounts/{credential.client_id}").status_code == 403


@pytest.mark.django_db
def test_an_account_holder_and_an_anonymous_caller_get_nothing(holder_client):
    target, _ = root_credential_create(actor=SYSTEM_PRINCIPAL, name="hidden", permissions=[])
    assert post_raw(holder_client, '{"name": "x", "permissions": []}').status_code == 404
    assert holder_client.delete(f"/api/service-accounts/{target.client_id}").status_code == 404
    anonymous = APIClient().delete(f"/api/service-accounts/{target.client_id}")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"]
    assert ServiceCredential.objects.filter(pk=target.pk).exists()
