"""Critical paths on a real PostgreSQL: concurrent duplicate notifications and workflow locks."""

import threading

import pytest
from django.db import close_old_connections, connection

from portal.models import Notification
from portal.services.inbox import notify
from tests.integration.conftest import needs_postgres

pytestmark = [pytest.mark.integration, needs_postgres]


@pytest.mark.django_db(transaction=True)
def test_concurrent_reminders_with_one_key_create_one_notification(make_user, department):
    assert connection.vendor == "postgresql"
    user = make_user(department=department)
    barrier = threading.Barrier(4)
    errors = []

    def send():
        try:
            barrier.wait()
            notify(users=[user], key="escalation:req:42", title="超期督办")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Notification.objects.filter(user=user, key="escalation:req:42").count() == 1


@pytest.mark.django_db(transaction=True)
def test_working_days_on_postgres():
    from datetime import date

    from portal.services.calendar import calendar_seed_from_package
    from portal.workdays import add_working_days

    calendar_seed_from_package(years=[2025])
    assert add_working_days(date(2025, 9, 26), 10) == date(2025, 10, 16)
