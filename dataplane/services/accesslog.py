"""Appending to and verifying the hash-chained access log (S10)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.metrics import data_access_count

from ..models import GENESIS_HASH, AccessLogEntry, AccessLogHead


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
            prev_hash=prev,
        )
        entry.hash = prev = entry.compute_hash()
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

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.problem


def accesslog_verify(*, chunk_size: int = 5000) -> ChainReport:
    """Recompute the chain from the first entry; report the first broken link."""
    expected_seq, expected_prev, checked = 1, GENESIS_HASH, 0
    for entry in AccessLogEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return ChainReport(checked, expected_seq, _(
                "第 %(seq)d 条记录缺失（日志直接从第 %(found)d 条开始），记录被删除或插入。")
                % {"seq": expected_seq, "found": entry.seq})
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, entry.seq, _(
                "第 %(seq)d 条记录与上一条的链接断开（前序哈希不符）。") % {"seq": entry.seq})
        if entry.compute_hash() != entry.hash:
            return ChainReport(checked, entry.seq, _(
                "第 %(seq)d 条记录的内容被修改（哈希不符）。") % {"seq": entry.seq})
        checked += 1
        expected_seq, expected_prev = entry.seq + 1, entry.hash
    head = AccessLogHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != expected_prev:
        return ChainReport(checked, checked + 1 if head_seq > checked else None, _(
            "链头记录到第 %(head)d 条，而日志只有 %(found)d 条：末尾的记录被删除或链头被改动。")
            % {"head": head_seq, "found": checked})
    return ChainReport(checked)
