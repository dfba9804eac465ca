"""The access log of shared data (S10): append-only, hash-chained with a key the database
does not hold, and checkpointed outside the database.

Every query, download and refused attempt appends one entry. Each entry stores the hash
of the previous one and its own HMAC-SHA256 over its content and that link, keyed with
``PORTAL_ACCESSLOG_KEYS`` (the entry names its key's id), so changing, inserting or
deleting any entry breaks the chain from there on — and whoever holds only the database
cannot compute a replacement chain. The chain head (:class:`AccessLogHead`) holds the
last hash; signed checkpoints of (sequence, hash, time) written to the storage backend or
an append-only file (``dataplane.services.accesslog``) catch an administrator who cuts
entries off the end and rewinds the head. ``python manage.py accesslog verify`` checks
all of it. Entries written before the key existed carry an unkeyed SHA-256 (``key_id``
empty) and are accepted only before the first keyed entry.
"""

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


# Accesses to open datasets share the log; their purpose starts with this (the rest says
# how: unconditional, or the approved application).
OPEN_DATA_PURPOSE_PREFIX = "open:"


class AccessLogEntry(models.Model):
    class Action(models.TextChoices):
        QUERY = "query", _("联机查询")
        DOWNLOAD = "download", _("批量下载")
        PREVIEW = "preview", _("脱敏预览")
        SERVICE = "service", _("接口调用")

    class Channel(models.TextChoices):
        WEB = "web", _("网页")
        API = "api", _("接口")

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("用户"))
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    department = models.ForeignKey("portal.Department", null=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("使用部门"))
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("信息资源"))
    provider = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("提供部门"))
    version = models.ForeignKey("dataplane.DataVersion", null=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("数据版本"))
    grant = models.ForeignKey("sharing.Grant", null=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("共享授权"))
    token = models.ForeignKey("portal.ApiToken", null=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("令牌"))
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    allowed = models.BooleanField(_("是否放行"))
    purpose = models.CharField(_("用途"), max_length=32, blank=True)
    parameters = models.JSONField(_("查询参数"), default=dict, blank=True)
    items = models.JSONField(_("返回的信息项"), default=list, blank=True)
    masked_items = models.JSONField(_("脱敏的信息项"), default=list, blank=True)
    rows_returned = models.BigIntegerField(_("返回记录数"), default=0)
    reason = models.CharField(_("拒绝原因"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # Gateway calls (action SERVICE): the upstream's HTTP status and the call's latency.
    upstream_status = models.PositiveSmallIntegerField(_("上游状态码"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("耗时（毫秒）"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)
    key_id = models.CharField(max_length=16, blank=True, default="", db_default="", editable=False,
                              help_text="Id of the HMAC key of the hash; empty: unkeyed SHA-256 "
                                        "of an entry from before the key.")

    class Meta:
        verbose_name = _("共享数据访问日志")
        verbose_name_plural = _("共享数据访问日志")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["provider", "-at"], name="dataplane_log_provider"),
            models.Index(fields=["department", "-at"], name="dataplane_log_department"),
            models.Index(fields=["resource", "-at"], name="dataplane_log_resource"),
            models.Index(fields=["grant", "at"], name="dataplane_log_grant"),
            models.Index(fields=["at"], name="dataplane_log_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.username} {self.get_action_display()} {self.resource_id}"

    def content(self) -> dict:
        """What the hash covers: every recorded fact and the link to the previous entry."""
        content = {
            "seq": self.seq,
            "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "user": self.user_id, "username": self.username,
            "department": self.department_id, "resource": self.resource_id,
            "provider": self.provider_id, "version": self.version_id,
            "grant": self.grant_id, "token": self.token_id,
            "action": self.action, "channel": self.channel, "allowed": bool(self.allowed),
            "purpose": self.purpose, "parameters": self.parameters, "items": self.items,
            "masked_items": self.masked_items, "rows_returned": int(self.rows_returned),
            "reason": self.reason, "ip_address": self.ip_address or "",
            "prev_hash": self.prev_hash,
        }
        # Gateway facts join the hashed content only when present, so entries written
        # before these fields existed keep their hashes.
        if self.upstream_status is not None:
            content["upstream_status"] = int(self.upstream_status)
        if self.latency_ms is not None:
            content["latency_ms"] = int(self.latency_ms)
        if self.key_id:
            content["key_id"] = self.key_id
        return content

    def compute_hash(self, keys: dict[str, bytes] | None = None) -> str:
        """The entry's hash: HMAC-SHA256 with its key (from ``keys``, else the configured
        ones), or plain SHA-256 for an entry from before the key. Raises ``KeyError`` for
        a key id that is not configured."""
        canonical = json.dumps(self.content(), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"), default=str).encode()
        if not self.key_id:
            return hashlib.sha256(canonical).hexdigest()
        if keys is None:
            from ..conf import accesslog_keys

            keys = accesslog_keys()[1]
        return hmac.new(keys[self.key_id], canonical, hashlib.sha256).hexdigest()


class AccessLogHead(models.Model):
    """The end of the chain: the last sequence number and hash (one row, pk 1).

    Appends lock this row, so entries are numbered and linked one at a time.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("访问日志链头")
        verbose_name_plural = _("访问日志链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
