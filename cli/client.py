"""A small client for the Portcullis REST API: token or client-credentials auth, clear one-line errors."""

import requests

from cli.errors import ApiError

STATUS_TEXT = {
    400: "bad request",
    401: "not authenticated (check --token / PORTCULLIS_TOKEN)",
    403: "permission denied",
    404: "not found",
    409: "conflict",
    429: "too many requests",
}


def _flatten(messages):
    """Field messages as text, whatever DRF nested them in (lists, dicts for nested fields)."""
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in messages.items())
    if isinstance(messages, list):
        return " ".join(_flatten(item) for item in messages if item not in ({}, [], None, ""))
    return str(messages)


def _describe(response):
    """One line for an error response: its status, its `detail` and every field error."""
    try:
        body = response.json()
    except ValueError:
        body = None
    parts = []
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("error_description") or body.get("error")
        if detail:
            parts.append(_flatten(detail))
        parts += [f"{field}: {_flatten(messages)}" for field, messages in body.items()
                  if field not in {"detail", "error", "error_description"}]
    elif isinstance(body, list):
        parts.append(_flatten(body))
    text = "; ".join(part for part in parts if part) or STATUS_TEXT.get(response.status_code) or response.reason or "request failed"
    if response.status_code == 429 and response.headers.get("Retry-After"):
        text += f" (retry after {response.headers['Retry-After']} s)"
    return text


# Service tokens carry this prefix (identity.apikeys); anything else is an OAuth2 access token.
SERVICE_TOKEN_PREFIX = "pct_"


class ApiClient:
    """Authenticates with a service token (``ApiKey``), an access token (``Bearer``), or a client id
    and secret exchanged for an access token at the token endpoint (root credentials use these)."""

    def __init__(self, url, token, timeout=30, client_id=None, client_secret=None):
        if not url:
            raise ApiError("No server: pass --url or set PORTCULLIS_URL.")
        if not token and not (client_id and client_secret):
            raise ApiError("No token: pass --token or set PORTCULLIS_TOKEN (or --client-id and --client-secret).")
        self.url = url.rstrip("/")
        self.base = self.url + "/api/v1/"
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json"})
        self.timeout = timeout
        if not token:
            token = self._access_token(client_id, client_secret)
        scheme = "ApiKey" if token.startswith(SERVICE_TOKEN_PREFIX) else "Bearer"
        self.session.headers["Authorization"] = f"{scheme} {token}"

    def _access_token(self, client_id, client_secret):
        """The client-credentials grant: one access token for this run."""
        answer = self.request(
            "POST", self.url + "/o/token/", data={"grant_type": "client_credentials"}, auth=(client_id, client_secret)
        )
        token = (answer or {}).get("access_token")
        if not token:
            raise ApiError(f"{self.url}/o/token/ gave no access token.")
        return token

    def request(self, method, path, **kwargs):
        url = path if path.startswith(("http://", "https://")) else self.base + path.lstrip("/")
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as error:
            raise ApiError(f"{self.url} did not answer within {self.timeout} s") from error
        except requests.ConnectionError as error:
            raise ApiError(f"cannot reach {self.url}") from error
        except requests.RequestException as error:
            raise ApiError(f"cannot reach {self.url}: {error.__class__.__name__}") from error
        if response.status_code >= 400:
            raise ApiError(f"{response.status_code}: {_describe(response)}", status=response.status_code)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise ApiError(f"{url} did not answer with JSON (is --url the Portcullis server?)") from error

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def get_all(self, path, params=None):
        """Every item of a paginated list, following `next`."""
        page = self.get(path, params)
        if isinstance(page, list):
            return page
        items = list(page.get("results", []))
        while page.get("next"):
            page = self.get(page["next"])
            items.extend(page.get("results", []))
        return items

    def post(self, path, body=None):
        return self.request("POST", path, json=body or {})

    def patch(self, path, body):
        return self.request("PATCH", path, json=body)

    def delete(self, path, body=None):
        return self.request("DELETE", path, json=body) if body is not None else self.request("DELETE", path)

    def organization(self):
        me = self.get("me/") or {}
        organization = me.get("organization")
        if isinstance(organization, dict):
            return organization.get("slug")
        return organization
