"""Shared fixtures: API clients that authenticate as a person or a service token."""

import pytest
from rest_framework.test import APIClient

from tests.factories import OrganizationFactory, make_member, make_service_token


def pytest_configure(config):
    """Production settings redirect to HTTPS; the test client and live server speak plain HTTP.

    Set before any live server starts: SecurityMiddleware reads these when it is built.
    """
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def no_remembered_throttle_counts():
    """Each test starts with this process's throttle memo empty, as its shared cache is."""
    from identity.oauth import throttle

    throttle.forget_remembered_counts()


@pytest.fixture
def organization(db):
    return OrganizationFactory()


@pytest.fixture
def other_organization(db):
    return OrganizationFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def token_client(organization):
    """An API client holding a sys_admin service token of ``organization``."""
    _, plaintext = make_service_token(organization, roles=("sys_admin",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"ApiKey {plaintext}")
    return client


@pytest.fixture
def account_holder(organization):
    return make_member(organization, role="account_holder")


@pytest.fixture
def holder_client(account_holder):
    """An API client logged in as the organization's Account Holder (session auth)."""
    client = APIClient()
    client.force_authenticate(user=account_holder)
    return client
