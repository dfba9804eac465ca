"""Spreadsheet imports (C10): one upload, parsed and validated in a Celery task."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("处理中")
        FAILED = "failed", _("校验未通过")
        SUCCEEDED = "succeeded", _("已导入")
        ERROR = "error", _("处理出错")

    class Phase(models.TextChoices):
        READING = "reading", _("读取文件")
        CHECKING = "checking", _("逐行校验")
        SAVING = "saving", _("写入目录")

    department = models.ForeignKey("portal.Department", on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("部门"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("上传人"))
    file = models.FileField(_("文件"), upload_to="catalog/imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    phase = models.CharField(_("处理阶段"), max_length=10, choices=Phase.choices, blank=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("导入资源数"), default=0)
    report = models.JSONField(_("校验报告"), default=list, blank=True)
    header_row = models.PositiveIntegerField(_("表头所在行"), null=True, blank=True)
    columns = models.JSONField(_("识别的列"), default=list, blank=True,
                               help_text=_("上传表格的每一列及其对应的目录字段"))
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("目录导入")
        verbose_name_plural = _("目录导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def recognised_columns(self) -> list[dict]:
        return [c for c in self.columns if c.get("column")]

    @property
    def ignored_columns(self) -> list[dict]:
        return [c for c in self.columns if not c.get("column")]

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0 if self.status in (self.Status.PENDING, self.Status.RUNNING) else 100
        return min(100, int(self.processed_rows * 100 / self.total_rows))
