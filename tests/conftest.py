"""Fixtures shared by every test package."""

import os

import pytest
from django.db import connection

from tests.factories import DepartmentFactory, RegionFactory, UserFactory

PASSWORD = "Str0ng!Passw0rd"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the holiday calendar the package knows (P4)."""
    from portal.services.calendar import calendar_seed_from_package

    with django_db_blocker.unblock():
        calendar_seed_from_package(years=list(range(2024, 2027)))


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SECURE_SSL_REDIRECT = False
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


def requires_postgres():
    return pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")),
        reason="needs PostgreSQL: set DATABASE_URL",
    )


def is_postgres() -> bool:
    return connection.vendor == "postgresql"
