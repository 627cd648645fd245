"""What the summary page, the CSV and the API show once after a credential gets a key."""

import csv
import io
import shlex

from identity.oauth.issuer import token_endpoint_url


def token_url_for(request):
    """The token endpoint's public URL: the one a private_key_jwt assertion names as its `aud`."""
    return token_endpoint_url(request)


def usage_example(*, credential, token_url, client_secret=None, client_id=None):
    """A curl call of the token endpoint for this credential's authentication method (with
    ``client_id``: a client key pair of its that is not the newest, or not saved yet)."""
    method = credential.auth_method
    client_id = client_id or credential.client_id
    if method == "private_key_jwt":
        return (
            f"curl -s {shlex.quote(token_url)} \\\n"
            "  -d grant_type=client_credentials \\\n"
            "  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \\\n"
            f"  -d client_assertion=\"$(your-jwt-signer --iss {client_id} --sub {client_id} --aud {token_url})\""
        )
    secret = client_secret or "<client key>"
    if method == "client_secret_post":
        return (
            f"curl -s {shlex.quote(token_url)} \\\n"
            "  -d grant_type=client_credentials \\\n"
            f"  -d client_id={shlex.quote(client_id)} \\\n"
            f"  -d client_secret={shlex.quote(secret)}"
        )
    return (
        f"curl -s -u {shlex.quote(f'{client_id}:{secret}')} \\\n"
        f"  -d grant_type=client_credentials {shlex.quote(token_url)}"
    )


def client_keys_csv(*, credential, client_secret, token_url, client_id=None):
    """The "Download Client Keys" file: one header row, one data row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "client_id", "client_key", "realm", "token_url", "auth_method"])
    row = [credential.name, client_id or credential.client_id, client_secret or "", credential.realm, token_url, credential.auth_method]
    writer.writerow([_inert_in_spreadsheets(cell) for cell in row])
    return buffer.getvalue()


def _inert_in_spreadsheets(cell):
    """A name like ``=HYPERLINK(…)`` must not become a formula when the file is opened (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
