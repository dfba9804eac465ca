"""Harvest sources, jobs with their per-record report, and the harvested datasets."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Theme
from portal.search import SearchableModel


class HarvestSource(models.Model):
    """A remote catalog the center harvests, and the department that publishes its data."""

    class Kind(models.TextChoices):
        CKAN = "ckan", _("CKAN 站点（Action API）")
        DCAT = "dcat", _("DCAT-AP 目录（Turtle / JSON-LD / RDF/XML）")
        PORTAL = "portal", _("本平台的其他实例")

    class Frequency(models.TextChoices):
        MANUAL = "manual", _("仅手动")
        HOURLY = "hourly", _("每小时")
        DAILY = "daily", _("每天")
        WEEKLY = "weekly", _("每周")

    INTERVALS = {Frequency.HOURLY: timedelta(hours=1), Frequency.DAILY: timedelta(days=1),
                 Frequency.WEEKLY: timedelta(weeks=1)}

    name = models.CharField(_("来源名称"), max_length=100, unique=True)
    kind = models.CharField(_("来源类型"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("地址"), max_length=500,
                          help_text=_("CKAN 站点或本平台实例的根地址；DCAT 目录文件的地址。"))
    department = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("发布部门"))
    frequency = models.CharField(_("采集频率"), max_length=10, choices=Frequency.choices,
                                 default=Frequency.DAILY)
    fq = models.CharField(_("过滤条件（CKAN fq）"), max_length=300, blank=True,
                          help_text=_("只采集符合条件的数据集，如 organization:health。"))
    is_active = models.BooleanField(_("启用"), default=True)
    next_run_at = models.DateTimeField(_("下次采集时间"), null=True, blank=True)
    watermark = models.DateTimeField(
        _("增量起点"), null=True, blank=True, editable=False,
        help_text=_("上次无错误采集的开始时间；下次只取此后变更的记录。"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("采集来源")
        verbose_name_plural = _("采集来源")
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active", "next_run_at"], name="od_hs_due")]

    def __str__(self) -> str:
        return self.name


class HarvestJob(models.Model):
    """One harvest run of a source: its progress while it runs, then its report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("采集中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="jobs",
                               verbose_name=_("采集来源"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    incremental_since = models.DateTimeField(_("增量起点"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    total = models.PositiveIntegerField(_("待处理记录"), default=0)
    processed = models.PositiveIntegerField(_("已处理记录"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    withdrawn = models.PositiveIntegerField(_("下线"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    errors = models.PositiveIntegerField(_("错误"), default=0)
    requests = models.PositiveIntegerField(_("请求次数"), default=0)
    reason = models.TextField(_("失败原因"), blank=True)

    class Meta:
        verbose_name = _("采集任务")
        verbose_name_plural = _("采集任务")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(
            fields=["source"], condition=models.Q(status__in=["queued", "running"]),
            name="od_hj_one_open_per_source")]

    def __str__(self) -> str:
        return f"{self.source} #{self.pk}"

    @property
    def progress(self) -> int:
        """Per cent of the records processed (100 once finished)."""
        if self.status in (self.Status.DONE, self.Status.FAILED):
            return 100
        return int(100 * self.processed / self.total) if self.total else 0


class HarvestRecord(models.Model):
    """What one run did to one remote record (the job report's lines)."""

    class Action(models.TextChoices):
        CREATED = "created", _("新增")
        UPDATED = "updated", _("更新")
        WITHDRAWN = "withdrawn", _("下线")
        ERROR = "error", _("错误")

    job = models.ForeignKey(HarvestJob, on_delete=models.CASCADE, related_name="records")
    remote_id = models.CharField(_("来源标识"), max_length=300)
    title = models.CharField(_("名称"), max_length=300, blank=True)
    action = models.CharField(_("处理结果"), max_length=10, choices=Action.choices)
    message = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("采集记录")
        verbose_name_plural = _("采集记录")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.remote_id}"


class HarvestedDataset(SearchableModel):
    """An open dataset taken from a remote catalog, kept as its origin describes it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("已采集")
        WITHDRAWN = "withdrawn", _("已下线")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(HarvestSource, on_delete=models.PROTECT, related_name="datasets",
                               verbose_name=_("采集来源"))
    remote_id = models.CharField(_("来源标识"), max_length=300)
    remote_name = models.CharField(_("来源中的名称"), max_length=300, blank=True)
    publisher = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("发布部门"))
    title = models.CharField(_("数据集名称"), max_length=300)
    description = models.TextField(_("简介"), blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    theme = models.CharField(_("主题"), max_length=32, choices=Theme.choices, blank=True)
    licence = models.CharField(_("开放许可"), max_length=300, blank=True)
    origin_publisher = models.CharField(_("来源发布者"), max_length=300, blank=True)
    origin_url = models.URLField(_("来源页面"), max_length=500)
    resources = models.JSONField(_("数据资源"), default=list, blank=True,
                                 help_text=_("[{title, format, url}]"))
    remote_modified = models.DateTimeField(_("来源更新时间"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE)
    withdraw_reason = models.TextField(_("下线原因"), blank=True)
    harvested_at = models.DateTimeField(_("采集时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("下线时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("采集的数据集")
        verbose_name_plural = _("采集的数据集")
        ordering = ["-harvested_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["source", "remote_id"],
                                               name="od_hd_one_per_remote")]
        indexes = [models.Index(fields=["status", "-harvested_at"], name="od_hd_status")]

    def __str__(self) -> str:
        return self.title

    def search_document(self):
        return [self.title, self.description, " ".join(self.keywords or []),
                self.origin_publisher, self.source.name]
