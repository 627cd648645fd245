"""Real-browser tests: Playwright driving Debian's Chromium against Django's live server.

Never `playwright install`: it downloads a browser and fails offline. Every test here is
marked `e2e` (run them alone with `-m e2e`), and stays in the default run.
"""

import os
import pathlib

import pytest

# Playwright runs an event loop in this thread; Django's ORM calls from the test are still safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
HERE = pathlib.Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def plain_http_live_server(settings):
    """The live server speaks plain HTTP: no HTTPS redirect, and cookies the browser will send back."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def log_in(live_server, page):
    """Log a user in through the real login form; returns the page."""
    from tests.factories import DEFAULT_PASSWORD

    def _log_in(user):
        page.goto(live_server.url + "/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        return page

    return _log_in
