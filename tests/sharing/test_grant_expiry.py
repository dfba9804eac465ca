"""Grants expire (S5): holders are reminded before (once), and the permissions of an expired
grant are taken away by the daily task (once)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.deadlines import deadlines_sweep
from portal.models import Notification
from portal.services.organisation import department_group
from portal.tasks import deadlines_sweep as deadlines_sweep_task
from sharing.models import DataItemGrantPermission, ResourceGrantPermission
from tests.sharing.factories import grant_for

pytestmark = pytest.mark.django_db


def grants_swept(today=None) -> dict:
    report = deadlines_sweep(today=today)["sharing.grant"]
    return {"reminded": report.reminded, "expired": report.escalated}


def test_s5_expiry_reminder_is_sent_once(people, filed, conditional_resource):
    grant_for(filed, conditional_resource, days=5, actor=people.provider_admin)
    assert deadlines_sweep_task.delay().get()["sharing.grant"]["reminded"] == 1
    assert grants_swept() == {"reminded": 0, "expired": 0}
    reminders = Notification.objects.filter(user=people.applicant_admin,
                                            level=Notification.Level.REMINDER)
    assert reminders.count() == 1 and "即将到期" in reminders.get().title


def test_s5_expired_grant_loses_its_permissions(people, filed, conditional_resource):
    grant = grant_for(filed, conditional_resource, days=5, actor=people.provider_admin)
    group = department_group(filed)
    later = grant.valid_until + timedelta(days=1)
    assert grants_swept(later)["expired"] == 1
    assert not ResourceGrantPermission.objects.filter(group=group).exists()
    assert not DataItemGrantPermission.objects.filter(group=group).exists()
    assert grants_swept(later)["expired"] == 0
    assert Notification.objects.filter(user=people.applicant_admin,
                                       title__contains="已到期").count() == 1


def test_s5_a_later_grant_keeps_the_permissions_an_expired_one_shared(people, filed,
                                                                      conditional_resource):
    today = timezone.localdate()
    old = grant_for(filed, conditional_resource, days=5, actor=people.provider_admin)
    grant_for(filed, conditional_resource, days=100, start=today + timedelta(days=3),
              actor=people.provider_admin)
    grants_swept(old.valid_until + timedelta(days=1))
    assert ResourceGrantPermission.objects.filter(group=department_group(filed)).exists()
