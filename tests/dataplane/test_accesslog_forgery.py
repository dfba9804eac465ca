"""S10, 等保 L3 audit integrity: the database administrator cannot forge the access log.

Each test plays a superuser who holds the database — triggers bypassed, rows edited,
deleted, the chain rebuilt and the head rewritten — but not the application's
environment (``PORTAL_ACCESSLOG_KEYS``) nor the checkpoint store. ``accesslog verify``
catches every attempt. On PostgreSQL (CI) the attacker bypasses the triggers the way a
superuser does, with ``session_replication_role``.
"""

import hashlib
import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dataplane.models import AccessLogEntry, AccessLogHead
from dataplane.services.accesslog import (
    accesslog_append,
    accesslog_checkpoint,
    accesslog_verify,
)
from dataplane.services.checkpoints import Checkpoint, checkpoint_store
from tests.dataplane.test_accesslog import allow_tampering

pytestmark = pytest.mark.django_db

TABLE = "dataplane_accesslogentry"


@pytest.fixture
def append(resource, consumer):
    def run(n: int = 1):
        for i in range(n):
            accesslog_append(user=consumer, department=consumer.department, resource=resource,
                             action=AccessLogEntry.Action.QUERY,
                             channel=AccessLogEntry.Channel.API, allowed=True,
                             parameters={"n": i}, items=["姓名"], rows_returned=i)
    return run


def sha256_rebuild(from_seq: int, *, unkey: bool = False, **changes) -> None:
    """The attacker's best effort: change rows, then recompute every hash from
    ``from_seq`` with the algorithm he can run (plain SHA-256 — he has no key), and
    rewrite the head to match."""
    allow_tampering()
    entries = list(AccessLogEntry.objects.order_by("seq"))
    prev = entries[from_seq - 2].hash if from_seq > 1 else "0" * 64
    for entry in entries[from_seq - 1:]:
        for field, value in changes.items():
            setattr(entry, field, value)
        if unkey:
            entry.key_id = ""
        entry.prev_hash = prev
        canonical = json.dumps(entry.content(), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"), default=str)
        entry.hash = prev = hashlib.sha256(canonical.encode()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET reason = %s, rows_returned = %s, key_id = %s, "
                "prev_hash = %s, hash = %s WHERE seq = %s",
                [entry.reason, entry.rows_returned, entry.key_id, entry.prev_hash, entry.hash,
                 entry.seq])
    AccessLogHead.objects.filter(pk=1).update(hash=prev)


def cut_tail(keep: int) -> None:
    """Delete every entry after ``keep`` and rewind the head to it."""
    allow_tampering()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq > %s", [keep])
    last = AccessLogEntry.objects.get(seq=keep)
    AccessLogHead.objects.filter(pk=1).update(seq=keep, hash=last.hash)


def test_s10_editing_and_rebuilding_the_chain_without_the_key_is_detected(append):
    append(6)
    assert accesslog_verify().ok
    sha256_rebuild(3, reason="已核实", rows_returned=0)
    report = accesslog_verify()
    assert not report.ok and report.broken_seq == 3 and "被修改" in report.problem


def test_s10_passing_entries_off_as_unkeyed_legacy_is_detected(append):
    append(6)
    sha256_rebuild(4, unkey=True, reason="")
    report = accesslog_verify()
    assert report.broken_seq == 4 and "没有密钥签名" in report.problem


def test_s10_cutting_entries_off_the_end_is_caught_by_the_checkpoint(append):
    append(5)
    checkpoint = accesslog_checkpoint()
    assert (checkpoint.seq, checkpoint.hash) == (5, AccessLogEntry.objects.get(seq=5).hash)
    append(2)
    cut_tail(3)  # head rewound: the database alone is consistent again
    report = accesslog_verify()
    assert not report.ok and "检查点记录到第 5 条" in report.problem and report.checked == 3
    with pytest.raises(CommandError, match="末尾的记录被删除"):
        call_command("accesslog", "verify")


def test_s10_replacing_the_whole_log_is_caught_by_the_checkpoint(append, resource, consumer):
    append(4)
    accesslog_checkpoint()
    allow_tampering()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    AccessLogHead.objects.filter(pk=1).update(seq=0, hash="0" * 64)
    assert not accesslog_verify().ok


def test_s10_a_forged_or_edited_checkpoint_is_detected(append, settings, tmp_path):
    settings.DATAPLANE = {**settings.DATAPLANE,
                          "ACCESSLOG_CHECKPOINTS": str(tmp_path / "outside" / "checkpoints.log")}
    append(5)
    accesslog_checkpoint()
    append(2)
    accesslog_checkpoint()
    assert accesslog_verify().checkpoints == 2
    cut_tail(5)
    # To hide the cut the attacker replaces the newer checkpoint with one at seq 5 that he
    # cannot sign.
    path = tmp_path / "outside" / "checkpoints.log"
    first, _second = path.read_text().splitlines()
    fake = Checkpoint(seq=5, hash=AccessLogEntry.objects.get(seq=5).hash, at="2030-01-01T00:00:00",
                      key_id="test", signature="0" * 64)
    path.write_text(first + "\n" + fake.line() + "\n")
    report = accesslog_verify()
    assert not report.ok and "签名无效" in report.problem


def test_s10_checkpoint_refuses_to_certify_a_tampered_stretch(append, caplog):
    append(3)
    accesslog_checkpoint()
    append(3)
    sha256_rebuild(5, reason="改写")
    with caplog.at_level(logging.ERROR):
        assert accesslog_checkpoint() is None
    assert any("checkpoint refused" in r.getMessage() for r in caplog.records)
    assert len(checkpoint_store().read()) == 1


def test_s10_checkpoints_are_written_once_and_verify_reports_them(append, capsys):
    assert accesslog_checkpoint() is None  # nothing to certify yet
    append(2)
    assert accesslog_checkpoint().seq == 2
    assert accesslog_checkpoint() is None  # no new entries: no second checkpoint
    call_command("accesslog", "verify")
    out = capsys.readouterr().out
    assert "共 2 条" in out and "1 个检查点，最近一个在第 2 条" in out


def test_s10_key_rotation_keeps_old_entries_verifiable(append, settings):
    settings.DATAPLANE = {**settings.DATAPLANE, "ACCESSLOG_KEYS": "old:first-secret-key-aaaa"}
    append(2)
    settings.DATAPLANE = {**settings.DATAPLANE,
                          "ACCESSLOG_KEYS": "new:second-secret-key-bbbb,old:first-secret-key-aaaa"}
    append(2)
    assert list(AccessLogEntry.objects.order_by("seq").values_list("key_id", flat=True)) == [
        "old", "old", "new", "new"]
    assert accesslog_verify().ok
    settings.DATAPLANE = {**settings.DATAPLANE, "ACCESSLOG_KEYS": "new:second-secret-key-bbbb"}
    report = accesslog_verify()
    assert report.broken_seq == 1 and "未配置" in report.problem
