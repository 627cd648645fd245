"""The SQLite backend queues writers on ``<database>-writers.lock``: a transaction holds the lock
from ``BEGIN IMMEDIATE`` until it commits or rolls back, and a writer that cannot get it within the
database timeout fails as SQLite itself does."""

import fcntl
import os

import pytest
from django.db import OperationalError, connection, transaction

from identity.models import Organization
from tests.factories import OrganizationFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's writers queue"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def other_process_lock():
    """The writers' lock file as another process sees it: ``try_take()`` says whether it was free."""
    fd = os.open(f"{connection.settings_dict['NAME']}-writers.lock", os.O_RDONLY | os.O_CREAT, 0o644)

    class Lock:
        def try_take(self):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        def release(self):
            fcntl.flock(fd, fcntl.LOCK_UN)

    yield Lock()
    os.close(fd)


@pytest.fixture
def short_timeout():
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("timeout")
    options["timeout"] = 0.2
    yield
    options["timeout"] = saved


def test_a_transaction_holds_the_writers_lock_until_it_commits(other_process_lock):
    with transaction.atomic():
        OrganizationFactory(slug="queued")
        assert not other_process_lock.try_take()

    assert other_process_lock.try_take()
    other_process_lock.release()
    assert Organization.objects.filter(slug="queued").exists()


def test_a_rolled_back_transaction_releases_the_writers_lock(other_process_lock):
    with pytest.raises(RuntimeError), transaction.atomic():
        OrganizationFactory(slug="rolled-back")
        raise RuntimeError("roll back")

    assert other_process_lock.try_take()
    other_process_lock.release()
    assert not Organization.objects.filter(slug="rolled-back").exists()


def test_a_writer_kept_waiting_past_the_timeout_fails_as_sqlite_does(other_process_lock, short_timeout):
    assert other_process_lock.try_take()
    try:
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            OrganizationFactory(slug="never-written")
    finally:
        other_process_lock.release()

    with transaction.atomic():  # the failed attempt left nothing held
        OrganizationFactory(slug="written-after")
    assert list(Organization.objects.filter(slug__in=["never-written", "written-after"]).values_list("slug", flat=True)) == [
        "written-after"
    ]
