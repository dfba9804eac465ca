"""The access log (S10): append-only, hash-chained, verified by ``manage.py accesslog
verify``; providers see who used their data, the authority sees all."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from dataplane.models import GENESIS_HASH, AccessLogEntry, AccessLogHead
from dataplane.services.accesslog import accesslog_append, accesslog_verify
from portal.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(resource, consumer):
    """Five entries, as reads would write them."""
    for n in range(5):
        accesslog_append(user=consumer, department=consumer.department, resource=resource,
                         action=AccessLogEntry.Action.QUERY, channel=AccessLogEntry.Channel.API,
                         allowed=n != 3, parameters={"身份证号码": f"46010019900101{n:04d}"},
                         items=["姓名"], rows_returned=n, reason="" if n != 3 else "未授权")
    return list(AccessLogEntry.objects.order_by("seq"))


def allow_tampering():
    """What an attacker with database rights does first: get past the append-only
    triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS dataplane_accesslog_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS dataplane_accesslog_no_delete")


def test_entries_are_chained_s10(chain):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(chain, chain[1:], strict=False))
    assert all(e.hash == e.compute_hash() for e in chain)
    head = AccessLogHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (5, chain[-1].hash)
    assert accesslog_verify().ok and accesslog_verify().checked == 5


def test_database_refuses_updates_and_deletes_s10(chain):
    """The log is append-only in the database itself, on SQLite as on PostgreSQL."""
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=chain[0].pk).update(rows_returned=999)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=chain[-1].pk).delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM dataplane_accesslogentry")
    if connection.vendor == "postgresql":
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
                cursor.execute("TRUNCATE dataplane_accesslogentry CASCADE")
    assert AccessLogEntry.objects.count() == 5
    with pytest.raises(IntegrityError):  # the sequence is unique
        with transaction.atomic():
            AccessLogEntry.objects.create(**{
                f.attname: getattr(chain[0], f.attname) for f in AccessLogEntry._meta.fields
                if f.attname != "id"})


def test_tampering_with_a_row_is_detected_by_verify_s10(chain, capsys):
    """S10: a changed row breaks the chain; ``accesslog verify`` names the first broken link."""
    call_command("accesslog", "verify")
    assert "共 5 条" in capsys.readouterr().out
    allow_tampering()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dataplane_accesslogentry SET rows_returned = 0 WHERE seq = 3")
    report = accesslog_verify()
    assert not report.ok and report.broken_seq == 3 and "被修改" in report.problem
    with pytest.raises(CommandError, match="第 3 条记录的内容被修改"):
        call_command("accesslog", "verify")


def test_rewriting_a_row_with_a_fresh_hash_breaks_the_next_link_s10(chain):
    """Even with the key (an insider on the application host), rewriting one row alone
    breaks its successor's link."""
    allow_tampering()
    forged = AccessLogEntry.objects.get(seq=2)
    forged.reason = "改写"
    forged.hash = forged.compute_hash()  # consistent on its own...
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dataplane_accesslogentry SET reason = %s, hash = %s WHERE seq = 2",
                       [forged.reason, forged.hash])
    report = accesslog_verify()
    assert report.broken_seq == 3 and "链接断开" in report.problem  # ...but not to its successor


def test_deleting_rows_is_detected_s10(chain):
    allow_tampering()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dataplane_accesslogentry WHERE seq = 2")
    assert accesslog_verify().broken_seq == 2


def test_cutting_off_the_end_is_detected_by_the_head_s10(chain):
    allow_tampering()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dataplane_accesslogentry WHERE seq >= 4")
    report = accesslog_verify()
    assert not report.ok and "链头" in report.problem


def test_empty_log_verifies(db):
    assert accesslog_verify().ok


VISIBILITY = [
    # (who, sees the consumer's entries about the provider's resource)
    ("consumer_clerk_self", True),      # own entries
    ("consumer_clerk_other", False),    # a colleague's entries: clerks see only their own
    ("consumer_security", True),        # the consumer department's overseers
    ("provider_admin", True),           # the provider sees who used its data
    ("provider_clerk", False),
    ("third_admin", False),
    ("authority", True),
    ("center", True),
]


@pytest.mark.parametrize(("who", "sees"), VISIBILITY)
def test_who_sees_the_log_matrix_s10(chain, who, sees, make_user, consumer, provider,
                                     provider_admin, api):
    """S10: providers see who used their data; the authority sees all."""
    from tests.factories import DepartmentFactory

    users = {
        "consumer_clerk_self": lambda: consumer,
        "consumer_clerk_other": lambda: make_user(department=consumer.department,
                                                  roles=[Role.CLERK]),
        "consumer_security": lambda: make_user(department=consumer.department,
                                               roles=[Role.SECURITY_OFFICER]),
        "provider_admin": lambda: provider_admin,
        "provider_clerk": lambda: make_user(department=provider, roles=[Role.CLERK]),
        "third_admin": lambda: make_user(department=DepartmentFactory(), roles=[Role.DATA_ADMIN]),
        "authority": lambda: make_user(roles=[Role.AUTHORITY]),
        "center": lambda: make_user(roles=[Role.CENTER_REVIEWER]),
    }
    response = api(users[who]()).get("/api/v1/sharing/access-log/")
    assert response.status_code == 200
    assert response.json()["count"] == (5 if sees else 0)
    detail = api(users[who]()).get(f"/api/v1/sharing/access-log/{chain[0].pk}/")
    assert detail.status_code == (200 if sees else 404)


def test_access_log_filters_and_page(chain, provider_admin, api, web, resource):
    client = api(provider_admin)
    assert client.get("/api/v1/sharing/access-log/", {"allowed": "false"}).json()["count"] == 1
    assert client.get("/api/v1/sharing/access-log/",
                      {"resource": resource.code}).json()["count"] == 5
    page = web(provider_admin).get("/data/log/", {"allowed": "0"})
    assert page.status_code == 200 and "未授权" in page.content.decode()
    assert len(page.context["page"].object_list) == 1
