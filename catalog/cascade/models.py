"""Lower platforms an instance pulls, the entries it holds from them, and each pull."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CascadeSource(models.Model):
    """A lower-level instance of the platform whose registered catalog joins this one."""

    name = models.CharField(_("下级平台名称"), max_length=100, unique=True)
    url = models.URLField(_("平台地址"), max_length=300)
    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("所属行政区划"),
                               help_text=_("来源部门记在此区划下。"))
    # The read-only token the lower platform issued to us, encrypted (portal.secrets);
    # the plain token is never stored.
    token = models.CharField(_("访问令牌（密文）"), max_length=500, editable=False)
    interval_hours = models.PositiveIntegerField(_("同步间隔（小时）"), default=24)
    is_active = models.BooleanField(_("启用"), default=True)
    next_run_at = models.DateTimeField(_("下次同步时间"), null=True, blank=True)
    watermark = models.DateTimeField(_("增量起点"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        verbose_name = _("下级平台")
        verbose_name_plural = _("下级平台")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def interval(self) -> timedelta:
        return timedelta(hours=self.interval_hours)


class CascadedEntry(models.Model):
    """Marks a catalog entry as held from a lower platform: read-only here."""

    resource = models.OneToOneField("catalog.Resource", on_delete=models.CASCADE,
                                    related_name="cascade_origin")
    source = models.ForeignKey(CascadeSource, on_delete=models.PROTECT, related_name="entries",
                               verbose_name=_("下级平台"))
    remote_id = models.CharField(_("来源标识"), max_length=64)
    origin_url = models.URLField(_("来源页面"), max_length=500)
    remote_updated_at = models.DateTimeField(_("来源更新时间"))
    pulled_at = models.DateTimeField(_("同步时间"), default=timezone.now)

    class Meta:
        verbose_name = _("级联目录")
        verbose_name_plural = _("级联目录")
        constraints = [models.UniqueConstraint(fields=["source", "remote_id"],
                                               name="cat_cascade_one_per_remote")]

    def __str__(self) -> str:
        return f"{self.source}: {self.remote_id}"


class CascadeRun(models.Model):
    """One pull of a lower platform, with what it changed or why it failed."""

    class Status(models.TextChoices):
        RUNNING = "running", _("同步中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    source = models.ForeignKey(CascadeSource, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.RUNNING)
    since = models.DateTimeField(_("增量起点"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    retired = models.PositiveIntegerField(_("撤销"), default=0)
    requests = models.PositiveIntegerField(_("请求次数"), default=0)
    reason = models.TextField(_("失败原因"), blank=True)

    class Meta:
        verbose_name = _("级联同步")
        verbose_name_plural = _("级联同步")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"
