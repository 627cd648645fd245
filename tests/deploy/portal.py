"""What a person does in the portal through a browser: log in with the form, CSRF token and cookies."""

import re

from tests.deploy.backends import ISSUER

LOGIN_URL = f"{ISSUER}/login/"


def log_in(browser, server, site):
    """Log ``site``'s Account Holder in; the page the login redirects to."""
    login = browser.get(LOGIN_URL)
    assert login.status_code == 200, server.explain(login)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
    assert csrf, f"no CSRF token in the login form:\n{login.text[:2000]}"
    # A browser sends Origin and Referer with the form; Django checks them on HTTPS.
    return browser.post(
        LOGIN_URL,
        data={"csrfmiddlewaretoken": csrf.group(1), "username": site.username, "password": site.password, "next": ""},
        headers={"Origin": ISSUER, "Referer": LOGIN_URL},
    )


def signed_in_as(page, username):
    return f"Signed in as </span>{username}" in page.text
