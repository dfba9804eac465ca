"""Fixtures shared by every test package."""

import os
import uuid

import pytest
from django.db import connection

from tests.browser import browser, chromium_available, login, page, sign_in  # noqa: F401 (fixtures)
from tests.factories import DepartmentFactory, RegionFactory, UserFactory

PASSWORD = "Str0ng!Passw0rd"


def pytest_collection_modifyitems(config, items):
    """Browser tests are skipped, and say why, where Chromium is not installed."""
    if chromium_available():
        return
    skip = pytest.mark.skip(reason="needs Chromium at /usr/bin/chromium (or PLAYWRIGHT_CHROMIUM)")
    for item in items:
        if item.get_closest_marker("e2e") or "page" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


CALENDAR_YEARS = [2024, 2025, 2026]


def _uses_database(request) -> str | None:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        transactional = marker.kwargs.get("transaction") or (marker.args and marker.args[0])
        return "transactional_db" if transactional else "db"
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            return name
    return None


@pytest.fixture(autouse=True)
def _working_calendar(request):
    """Every test database holds the holiday calendar (P4) and the shipped rule packs, also
    after a transactional test has flushed the tables."""
    fixture = _uses_database(request)
    if fixture is None:
        return
    request.getfixturevalue(fixture)
    from portal.models import CalendarYear, RulePack
    from portal.rule_packs import shipped_packs_seed
    from portal.services.calendar import calendar_seed_from_package

    if CalendarYear.objects.filter(year__in=CALENDAR_YEARS).count() < len(CALENDAR_YEARS):
        calendar_seed_from_package(years=CALENDAR_YEARS)
    if not RulePack.objects.exists():
        shipped_packs_seed()


@pytest.fixture(autouse=True, scope="session")
def _flush_in_accesslog_maintenance():
    """A transactional test ends by flushing every table; the access log's triggers
    refuse DELETE and TRUNCATE except in maintenance, so the flush runs in it."""
    from django.core.management.commands import flush

    from dataplane.services.accesslog import accesslog_maintenance

    original = flush.Command.handle

    def handle(self, *args, **options):
        with accesslog_maintenance():
            return original(self, *args, **options)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _isolate_object_store(settings)
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _isolate_object_store(settings) -> None:
    """On an S3 store (``PORTAL_STORAGE_URL``) every test writes under a prefix of its own,
    as MEDIA_ROOT does on disk: what one test stored (a version, a signed access-log
    checkpoint) is never seen by the next."""
    default = settings.STORAGES["default"]
    location = default.get("OPTIONS", {}).get("location")
    if location is None:
        return
    prefix = "/".join(part for part in (location, "t", uuid.uuid4().hex) if part)
    settings.STORAGES = {**settings.STORAGES, "default": {
        **default, "OPTIONS": {**default["OPTIONS"], "location": prefix}}}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache, so throttle counters and cached pages of an
    earlier test (kept in Redis or the process-wide local-memory cache) never leak in."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Messages built outside a request use the default language (a request for English
    in an earlier test must not leak into this one)."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _celery_eager():
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture
def region(db):
    return RegionFactory()


@pytest.fixture
def department(db, region):
    return DepartmentFactory(region=region)


@pytest.fixture
def other_department(db, region):
    return DepartmentFactory(region=region)


@pytest.fixture
def make_user(db):
    """``make_user(roles=[...], department=...)``: a user with a known password."""

    def make(**kwargs):
        return UserFactory(password=PASSWORD, **kwargs)

    return make


@pytest.fixture
def web(client, settings):
    """``web(user)``: the test client signed in as ``user`` (two-factor waived: it is
    tested with the sign-in pages, not here)."""
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True

    def signed_in(user):
        user.two_factor_exempt = True
        user.save(update_fields=["two_factor_exempt"])
        client.force_login(user)
        return client

    return signed_in


def requires_postgres():
    return pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")),
        reason="needs PostgreSQL: set DATABASE_URL",
    )


def is_postgres() -> bool:
    return connection.vendor == "postgresql"
