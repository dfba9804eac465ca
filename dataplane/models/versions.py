"""Data versions of a registered resource (S9) and the pointer to the current one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.workflow import Transition, TransitionTable


class DataVersion(models.Model):
    """One uploaded version of a resource's data, converted once into Parquet.

    The upload is validated as a whole in a Celery task; only a clean file becomes the
    current version, so a bad upload never replaces good data.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("等待处理")
        PROCESSING = "processing", _("正在校验")
        CURRENT = "current", _("当前版本")
        SUPERSEDED = "superseded", _("历史版本")
        FAILED = "failed", _("校验未通过")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        JSON = "json", "JSON"

    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT,
                                 related_name="data_versions", verbose_name=_("信息资源"))
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.PENDING)
    note = models.CharField(_("版本说明"), max_length=200, blank=True)
    # The upload as received.
    source_name = models.CharField(_("原始文件名"), max_length=255)
    source_format = models.CharField(_("文件格式"), max_length=8, choices=Format.choices)
    source_encoding = models.CharField(_("指定编码"), max_length=16, default="auto")
    source_size = models.BigIntegerField(_("文件大小（字节）"), default=0)
    source_file = models.CharField(max_length=300, blank=True, editable=False,
                                   help_text="Storage name of the raw upload until processed.")
    detected_encoding = models.CharField(_("识别的编码"), max_length=16, blank=True)
    # The converted data.
    parquet_file = models.CharField(max_length=300, blank=True, editable=False)
    parquet_size = models.BigIntegerField(_("列式文件大小（字节）"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    row_count = models.BigIntegerField(_("记录数"), default=0)
    schema = models.JSONField(_("列定义"), default=list, blank=True,
                              help_text="[{item_id, name, type, storage}] in file order.")
    # Processing.
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    stage = models.CharField(_("处理阶段"), max_length=100, blank=True)
    # The lease of the worker processing it: refreshed every few seconds while it runs,
    # so a worker that died is noticed within minutes (versions_recover) and another
    # takes over; a live worker's version is never taken from it.
    heartbeat_at = models.DateTimeField(_("处理心跳"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("处理次数"), default=0, editable=False)
    report = models.JSONField(_("校验报告"), default=dict, blank=True)
    # Timeliness against the update cycle (S9, HN-39(4)).
    due_on = models.DateField(_("应更新日期"), null=True, blank=True)
    days_late = models.PositiveIntegerField(_("逾期天数"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    processed_at = models.DateTimeField(_("处理完成时间"), null=True, blank=True)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")
        ordering = ["resource", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="dataplane_version_number"),
            models.UniqueConstraint(fields=["resource"], condition=Q(status="current"),
                                    name="dataplane_one_current_version"),
        ]
        indexes = [
            models.Index(fields=["status", "uploaded_at"], name="dataplane_version_status"),
            models.Index(fields=["heartbeat_at"], name="dataplane_version_unfinished",
                         condition=Q(status__in=["pending", "processing"])),
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"

    @property
    def is_late(self) -> bool:
        return self.days_late > 0

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.PENDING, self.Status.PROCESSING)


VERSION_TRANSITIONS = TransitionTable(
    Transition("start", source=DataVersion.Status.PENDING, target=DataVersion.Status.PROCESSING,
               label=_("开始校验")),
    # A retried task starts a version that a lost worker left in processing.
    Transition("restart", source=DataVersion.Status.PROCESSING,
               target=DataVersion.Status.PROCESSING, label=_("重新校验")),
    Transition("activate", source=DataVersion.Status.PROCESSING,
               target=DataVersion.Status.CURRENT, label=_("校验通过并启用")),
    Transition("fail", source=[DataVersion.Status.PENDING, DataVersion.Status.PROCESSING],
               target=DataVersion.Status.FAILED, label=_("校验未通过")),
    Transition("supersede", source=DataVersion.Status.CURRENT,
               target=DataVersion.Status.SUPERSEDED, label=_("被新版本替代")),
    Transition("restore", source=DataVersion.Status.SUPERSEDED,
               target=DataVersion.Status.CURRENT, label=_("恢复为当前版本")),
    model=DataVersion,
)


class ResourceData(models.Model):
    """Per resource: which version is current and when the next one is due.

    The row is also the lock that serialises numbering and switching versions.
    """

    resource = models.OneToOneField("catalog.Resource", on_delete=models.PROTECT,
                                    related_name="data_state", verbose_name=_("信息资源"))
    current_version = models.ForeignKey(DataVersion, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("当前版本"))
    last_number = models.PositiveIntegerField(_("最大版本号"), default=0)
    next_due_on = models.DateField(_("下次应更新日期"), null=True, blank=True)
    overdue_notified_for = models.DateField(null=True, blank=True, editable=False,
                                            help_text="The due date an overdue notice was sent for.")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("资源数据状态")
        verbose_name_plural = _("资源数据状态")
        indexes = [models.Index(fields=["next_due_on"], name="dataplane_data_due")]

    def __str__(self) -> str:
        return str(self.resource)
