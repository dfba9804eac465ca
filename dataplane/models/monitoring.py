"""Monitoring of exchanges (S13): anomalies flagged, monthly usage reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.workflow import Transition, TransitionTable


class Anomaly(models.Model):
    """An unusual pattern in the access log, flagged to the provider and the center."""

    class Kind(models.TextChoices):
        SURGE = "surge", _("访问量突增")
        DENIED = "denied", _("多次越权尝试")
        OFF_HOURS = "off_hours", _("非工作时间访问")

    class Status(models.TextChoices):
        OPEN = "open", _("待核查")
        CLOSED = "closed", _("已核查")

    key = models.CharField(max_length=160, unique=True,
                           help_text="Identifies the finding, so a rerun never flags twice.")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices,
                              default=Status.OPEN)
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("信息资源"))
    provider = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("提供部门"))
    department = models.ForeignKey("portal.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("使用部门"))
    grant = models.ForeignKey("sharing.Grant", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("共享授权"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", verbose_name=_("用户"))
    window_start = models.DateTimeField(_("时段开始"))
    window_end = models.DateTimeField(_("时段结束"))
    observed = models.PositiveIntegerField(_("观测次数"))
    baseline = models.FloatField(_("基线（每小时）"), default=0)
    detail = models.CharField(_("说明"), max_length=300)
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("核查人"))
    conclusion = models.TextField(_("核查结论"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("异常访问")
        verbose_name_plural = _("异常访问")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["provider", "status", "-created_at"], name="dataplane_anom_prov"),
            models.Index(fields=["status", "-created_at"], name="dataplane_anom_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.resource_id} · {self.window_start:%Y-%m-%d %H:%M}"


ANOMALY_TRANSITIONS = TransitionTable(
    Transition("close", source=Anomaly.Status.OPEN, target=Anomaly.Status.CLOSED,
               label=_("核查完毕")),
    model=Anomaly,
)


class UsageReport(models.Model):
    """One department's use of shared data in one month (as consumer and as provider)."""

    department = models.ForeignKey("portal.Department", on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("部门"))
    month = models.DateField(_("月份"), help_text="The first day of the month.")
    data = models.JSONField(_("统计"), default=dict)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("月度使用报告")
        verbose_name_plural = _("月度使用报告")
        ordering = ["-month", "department"]
        constraints = [models.UniqueConstraint(fields=["department", "month"],
                                               name="dataplane_report_month")]

    def __str__(self) -> str:
        return f"{self.department} {self.month:%Y-%m}"
