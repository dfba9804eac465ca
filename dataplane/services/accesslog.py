"""Appending to, checkpointing and verifying the keyed hash chain of the access log (S10).

``accesslog_append`` / ``accesslog_append_many`` are the only writers (every face that
reads shared data, and the gateway, call them). ``accesslog_checkpoint`` (beat, every
``PORTAL_ACCESSLOG_CHECKPOINT_MINUTES``) writes a signed checkpoint outside the database
after checking the entries since the last one; ``accesslog_verify`` checks every entry's
keyed hash and link, the head, and every checkpoint — so a database administrator who
edits, inserts, deletes or cuts off entries and rebuilds the chain is caught, unless the
cut lies after the last checkpoint (at most one interval of entries).
"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.checks import startup_requirement
from portal.metrics import data_access_count

from ..conf import ACCESSLOG_KEY_MISSING, accesslog_keys
from ..models import GENESIS_HASH, AccessLogEntry, AccessLogHead
from .checkpoints import Checkpoint, checkpoint_store

logger = logging.getLogger(__name__)


@startup_requirement("dataplane.E001")
def accesslog_key_problem() -> str:
    from django.core.exceptions import ImproperlyConfigured

    try:
        accesslog_keys()
    except ImproperlyConfigured as exc:
        return str(exc) or ACCESSLOG_KEY_MISSING
    return ""


def _head_locked() -> AccessLogHead:
    """The chain head, locked until the end of the transaction (appends queue here)."""
    head = AccessLogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AccessLogHead.objects.get_or_create(pk=1)
        head = AccessLogHead.objects.select_for_update().get(pk=1)
    return head


@transaction.atomic
def accesslog_append(*, user, department, resource, action: str, channel: str, allowed: bool,
                     version=None, grant=None, token=None, purpose: str = "",
                     parameters: dict[str, Any] | None = None, items: Iterable[str] = (),
                     masked_items: Iterable[str] = (), rows_returned: int = 0,
                     reason: str = "", ip_address: str | None = None,
                     upstream_status: int | None = None,
                     latency_ms: int | None = None) -> AccessLogEntry:
    """Append one entry, linked to the previous one. Entries are never changed."""
    return accesslog_append_many([dict(
        user=user, department=department, resource=resource, action=action, channel=channel,
        allowed=allowed, version=version, grant=grant, token=token, purpose=purpose,
        parameters=parameters, items=items, masked_items=masked_items,
        rows_returned=rows_returned, reason=reason, ip_address=ip_address,
        upstream_status=upstream_status, latency_ms=latency_ms)])[0]


@transaction.atomic
def accesslog_append_many(entries: list[dict[str, Any]]) -> list[AccessLogEntry]:
    """Append several entries (each the keyword arguments of :func:`accesslog_append`)
    in one transaction under one lock of the head: one commit for many reads, as the
    gateway's log writer does under load. The chain is the same as one by one."""
    key_id, keys = accesslog_keys()
    head = _head_locked()
    rows = []
    seq, prev = head.seq, head.hash
    now = timezone.now()
    for fields in entries:
        user, resource = fields["user"], fields["resource"]
        seq += 1
        entry = AccessLogEntry(
            seq=seq, at=now,
            user=user if getattr(user, "pk", None) else None,
            username=user.get_username() if getattr(user, "pk", None) else "",
            department=fields["department"], resource=resource,
            provider_id=resource.provider_id, version=fields.get("version"),
            grant=fields.get("grant"), token=fields.get("token"), action=fields["action"],
            channel=fields["channel"], allowed=fields["allowed"],
            purpose=fields.get("purpose") or "", parameters=fields.get("parameters") or {},
            items=list(fields.get("items") or ()),
            masked_items=list(fields.get("masked_items") or ()),
            rows_returned=fields.get("rows_returned") or 0,
            reason=str(fields.get("reason") or "")[:300],
            ip_address=fields.get("ip_address"),
            upstream_status=fields.get("upstream_status"), latency_ms=fields.get("latency_ms"),
            prev_hash=prev, key_id=key_id,
        )
        entry.hash = prev = entry.compute_hash(keys)
        rows.append(entry)
    if len(rows) == 1:
        rows[0].save(force_insert=True)
    else:
        AccessLogEntry.objects.bulk_create(rows)
    head.seq, head.hash = seq, prev
    head.save(update_fields=["seq", "hash", "updated_at"])
    for entry in rows:
        data_access_count(action=entry.action, channel=entry.channel, allowed=entry.allowed)
    return rows


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    problem: str = ""
    checkpoints: int = 0
    last_checkpoint: Checkpoint | None = None
    store: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.problem


class ChainBroken(Exception):
    def __init__(self, seq: int | None, problem: str) -> None:
        super().__init__(problem)
        self.seq, self.problem = seq, problem


def _walk(entries: Iterable[AccessLogEntry], *, seq: int, prev: str, keyed: bool,
          keys: dict[str, bytes], checkpoints: dict[int, Checkpoint]) -> Iterator[AccessLogEntry]:
    """Check each entry's number, link and keyed hash (and any checkpoint at it), from
    entry ``seq`` whose predecessor's hash is ``prev``; raise ``ChainBroken`` at the first
    problem. ``keyed``: an entry signed with a key came before (no unkeyed one may follow)."""
    for entry in entries:
        if entry.seq != seq:
            raise ChainBroken(seq, _(
                "第 %(seq)d 条记录缺失（日志直接从第 %(found)d 条开始），记录被删除或插入。")
                % {"seq": seq, "found": entry.seq})
        if entry.prev_hash != prev:
            raise ChainBroken(entry.seq, _(
                "第 %(seq)d 条记录与上一条的链接断开（前序哈希不符）。") % {"seq": entry.seq})
        if entry.key_id:
            keyed = True
            if entry.key_id not in keys:
                raise ChainBroken(entry.seq, _(
                    "第 %(seq)d 条记录的密钥“%(key)s”未配置，无法核对：请把该密钥留在 "
                    "PORTAL_ACCESSLOG_KEYS 中。") % {"seq": entry.seq, "key": entry.key_id})
        elif keyed:
            raise ChainBroken(entry.seq, _(
                "第 %(seq)d 条记录没有密钥签名，却在已签名的记录之后：记录被伪造。")
                % {"seq": entry.seq})
        if entry.compute_hash(keys) != entry.hash:
            raise ChainBroken(entry.seq, _(
                "第 %(seq)d 条记录的内容被修改（哈希不符）。") % {"seq": entry.seq})
        checkpoint = checkpoints.get(entry.seq)
        if checkpoint is not None and checkpoint.hash != entry.hash:
            raise ChainBroken(entry.seq, _(
                "第 %(seq)d 条记录与 %(at)s 的检查点不符：该处以前的记录被改写。")
                % {"seq": entry.seq, "at": checkpoint.at})
        yield entry
        seq, prev = entry.seq + 1, entry.hash


def _checkpoints(keys: dict[str, bytes]) -> tuple[dict[int, Checkpoint], str]:
    """The stored checkpoints by sequence number, and the first problem with them."""
    found: dict[int, Checkpoint] = {}
    for text in checkpoint_store().read():
        checkpoint = Checkpoint.parse(text)
        if checkpoint is None or not checkpoint.signature_valid(keys):
            return found, _("检查点“%(text)s”的签名无效：检查点被伪造或改动（或其密钥已不在 "
                            "PORTAL_ACCESSLOG_KEYS 中）。") % {"text": text.strip()[:80]}
        earlier = found.get(checkpoint.seq)
        if earlier is not None and earlier.hash != checkpoint.hash:
            return found, _("第 %(seq)d 条记录有两个不同的检查点。") % {"seq": checkpoint.seq}
        found[checkpoint.seq] = checkpoint
    return found, ""


def accesslog_verify(*, chunk_size: int = 5000) -> ChainReport:
    """Check the whole chain and every checkpoint; report the first problem."""
    _key_id, keys = accesslog_keys()
    store = checkpoint_store()
    checkpoints, problem = _checkpoints(keys)
    last = checkpoints[max(checkpoints)] if checkpoints else None
    info = {"checkpoints": len(checkpoints), "last_checkpoint": last, "store": store.describe()}
    if problem:
        return ChainReport(0, None, problem, **info)
    checked, prev = 0, GENESIS_HASH
    entries = AccessLogEntry.objects.order_by("seq").iterator(chunk_size=chunk_size)
    try:
        for entry in _walk(entries, seq=1, prev=GENESIS_HASH, keyed=False, keys=keys,
                           checkpoints=checkpoints):
            checked, prev = checked + 1, entry.hash
    except ChainBroken as broken:
        return ChainReport(checked, broken.seq, broken.problem, **info)
    if last is not None and last.seq > checked:
        return ChainReport(checked, checked + 1, _(
            "%(at)s 的检查点记录到第 %(cp)d 条，而日志只有 %(found)d 条：末尾的记录被删除。")
            % {"at": last.at, "cp": last.seq, "found": checked}, **info)
    head = AccessLogHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != prev:
        return ChainReport(checked, checked + 1 if head_seq > checked else None, _(
            "链头记录到第 %(head)d 条，而日志只有 %(found)d 条：末尾的记录被删除或链头被改动。")
            % {"head": head_seq, "found": checked}, **info)
    return ChainReport(checked, **info)


def accesslog_checkpoint() -> Checkpoint | None:
    """Write a signed checkpoint of the chain's current end, after checking the entries
    written since the last checkpoint (so a tampered stretch is never certified). Returns
    the checkpoint, or None when there is nothing new."""
    key_id, keys = accesslog_keys()
    checkpoints, problem = _checkpoints(keys)
    if problem:
        logger.error("Access log checkpoint refused: %s", problem)
        return None
    head = AccessLogHead.objects.filter(pk=1).first()
    last = checkpoints[max(checkpoints)] if checkpoints else None
    if head is None or head.seq == 0 or (last is not None and last.seq >= head.seq):
        return None
    start = AccessLogEntry.objects.filter(seq=last.seq).first() if last else None
    if last is not None and start is None:
        logger.error("Access log checkpoint refused: entry %s of the last checkpoint is "
                     "missing", last.seq)
        return None
    entries = AccessLogEntry.objects.filter(seq__gt=last.seq if last else 0,
                                            seq__lte=head.seq).order_by("seq")
    end = start
    walk = _walk(entries.iterator(chunk_size=5000), seq=(last.seq + 1) if last else 1,
                 prev=start.hash if start else GENESIS_HASH,
                 keyed=bool(start and start.key_id), keys=keys, checkpoints=checkpoints)
    try:
        for entry in walk:
            end = entry
    except ChainBroken as broken:
        logger.error("Access log checkpoint refused: %s", broken.problem)
        return None
    if end is None or end.seq != head.seq or end.hash != head.hash:
        logger.error("Access log checkpoint refused: the head does not match entry %s",
                     head.seq)
        return None
    checkpoint = Checkpoint(seq=end.seq, hash=end.hash,
                            at=timezone.now().isoformat(timespec="seconds"), key_id=key_id)
    checkpoint = checkpoint.signed()
    checkpoint_store().append(checkpoint)
    return checkpoint


_maintenance = {"on": False}


def accesslog_maintenance_on() -> bool:
    return _maintenance["on"]


@contextmanager
def accesslog_maintenance():
    """Let DELETE and TRUNCATE through the access log's append-only triggers, for the
    test database's flush only. (Whoever can drop the triggers can do this too; the keyed
    chain and the checkpoints are what catch them.)"""
    _maintenance["on"] = True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET portal.accesslog_maintenance = 'on'")
    try:
        yield
    finally:
        _maintenance["on"] = False
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET portal.accesslog_maintenance")
