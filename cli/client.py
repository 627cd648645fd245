"""A small client for the Portcullis REST API: service-token auth, clear one-line errors."""

import requests

from cli.errors import ApiError


def _describe(response):
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        detail = body.get("detail")
        fields = [
            f"{field}: {' '.join(map(str, messages)) if isinstance(messages, list) else messages}"
            for field, messages in body.items()
            if field != "detail"
        ]
        parts = ([str(detail)] if detail else []) + fields
        if parts:
            return "; ".join(parts)
    return response.reason or "request failed"


class ApiClient:
    def __init__(self, url, token, timeout=30):
        if not url:
            raise ApiError("No server: pass --url or set PORTCULLIS_URL.")
        if not token:
            raise ApiError("No token: pass --token or set PORTCULLIS_TOKEN.")
        self.base = url.rstrip("/") + "/api/v1/"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"ApiKey {token}", "Accept": "application/json"})
        self.timeout = timeout

    def request(self, method, path, **kwargs):
        url = path if path.startswith("http") else self.base + path.lstrip("/")
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.ConnectionError as error:
            raise ApiError(f"cannot reach {self.base}: {error.__class__.__name__}") from error
        except requests.Timeout as error:
            raise ApiError(f"{self.base} did not answer within {self.timeout} s") from error
        if response.status_code >= 400:
            raise ApiError(f"{response.status_code}: {_describe(response)}")
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
        items = list(page.get("results", []))
        while page.get("next"):
            page = self.get(page["next"])
            items.extend(page.get("results", []))
        return items

    def post(self, path, body=None):
        return self.request("POST", path, json=body or {})

    def patch(self, path, body):
        return self.request("PATCH", path, json=body)

    def delete(self, path):
        return self.request("DELETE", path)

    def organization(self):
        return self.get("me/")["organization"]
