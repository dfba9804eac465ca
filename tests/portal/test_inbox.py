"""P3: inbox items and notifications, each sent once."""

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import InboxItem, Notification, Role
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.tasks import notification_email_send

pytestmark = pytest.mark.django_db


def test_p3_inbox_add_is_idempotent_and_notifies_once(make_user, department,
                                                      django_capture_on_commit_callbacks):
    user = make_user(department=department, roles=[Role.DATA_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        inbox_add(users=[user, user], key="resource:1:submit", title="请提交目录", url="/x/",
                  due_on=None)
        inbox_add(users=[user], key="resource:1:submit", title="请提交目录")
    assert InboxItem.objects.filter(user=user).count() == 1
    assert Notification.objects.filter(user=user, level=Notification.Level.TASK).count() == 1
    assert len(mail.outbox) == 1 and "请提交目录" in mail.outbox[0].subject
    assert inbox_close(key="resource:1:submit") == 1
    assert inbox_close(key="resource:1:submit") == 0


def test_p3_reminder_task_retried_sends_one_email(make_user, department,
                                                  django_capture_on_commit_callbacks):
    user = make_user(department=department)
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(users=[user], key="reminder:req:7:3", title="距期限还有 3 个工作日",
                         level=Notification.Level.REMINDER)
        again = notify(users=[user], key="reminder:req:7:3", title="距期限还有 3 个工作日",
                       level=Notification.Level.REMINDER)
    assert len(created) == 1 and again == []
    # A redelivered email task does not send again.
    assert notification_email_send(created[0].pk) is False
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=created[0].pk).emailed_at is not None


def test_p3_inbox_page_in_chinese_shows_due_dates(client, make_user, department):
    from datetime import date

    user = make_user(department=department, roles=[Role.CLERK])
    inbox_add(users=[user], key="k1", title="答复共享申请：不动产登记信息", due_on=date(2020, 1, 2))
    client.force_login(user)
    page = client.get(reverse("portal:inbox")).content.decode()
    assert "我的待办" in page and "答复共享申请：不动产登记信息" in page
    assert "2020-01-02" in page and "已超期" in page
    other = make_user(department=department, roles=[Role.CLERK])
    client.force_login(other)
    assert "不动产登记信息" not in client.get(reverse("portal:inbox")).content.decode()
