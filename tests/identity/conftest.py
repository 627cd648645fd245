import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_shared_cache(request):
    """Throttle counters live in the shared cache (Redis in CI): database tests start from zero."""
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
    cache.clear()
    yield
    cache.clear()
