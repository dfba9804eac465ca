"""Keeping catalogs current: change events with deadlines (C7) and the annual census (C8)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models.deadlines import DeadlineMarkers
from portal.workflow import Transition, TransitionTable

# NAT-8, HN-8: the catalog is updated within 15 working days of the change.


class ChangeEvent(DeadlineMarkers):
    """A law revision or a change of a department's functions (C7): opens a deadline."""

    class Kind(models.TextChoices):
        LAW_REVISED = "law_revised", _("法律法规修订")
        FUNCTIONS_CHANGED = "functions_changed", _("部门职能调整")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待更新")
        DONE = "done", _("已更新")
        CANCELLED = "cancelled", _("已撤销")

    department = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                   related_name="catalog_change_events",
                                   verbose_name=_("部门"))
    kind = models.CharField(_("变更类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("事由"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    occurred_on = models.DateField(_("发生日期"))
    due_on = models.DateField(_("更新期限"), editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.OPEN)
    resources = models.ManyToManyField("catalog.Resource", blank=True,
                                       related_name="change_events",
                                       verbose_name=_("涉及的信息资源"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completion_note = models.TextField(_("更新说明"), blank=True)
    overdue_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True,
                                      help_text=_("逾期后由定时任务标记，用于考核和整改"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目录变更事项")
        verbose_name_plural = _("目录变更事项")
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="catalog_change_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        if self.status == self.Status.OPEN:
            return timezone.localdate() > self.due_on
        return self.status == self.Status.DONE and self.completed_on > self.due_on

    @property
    def completed_on(self):
        return timezone.localdate(self.completed_at) if self.completed_at else None


CHANGE_TRANSITIONS = TransitionTable(
    Transition("complete", source=ChangeEvent.Status.OPEN, target=ChangeEvent.Status.DONE,
               label=_("确认已更新")),
    Transition("cancel", source=ChangeEvent.Status.OPEN, target=ChangeEvent.Status.CANCELLED,
               label=_("撤销")),
    model=ChangeEvent,
)


class Census(models.Model):
    """The annual catalog census (YS-13, C8) opened by the center for one year."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    year = models.PositiveIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=100)
    due_on = models.DateField(_("截止日期"))
    remind_on = models.DateField(_("提醒日期"), null=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("发起人"))
    opened_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度目录普查")
        verbose_name_plural = _("年度目录普查")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


CENSUS_TRANSITIONS = TransitionTable(
    Transition("close", source=Census.Status.OPEN, target=Census.Status.CLOSED,
               label=_("结束普查")),
    model=Census,
)


class CensusEntry(models.Model):
    """One registered entry to be confirmed (or updated) by its department in a census."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认无变化")
        UPDATED = "updated", _("已提交修订")
        RETIRED = "retired", _("已撤销")

    census = models.ForeignKey(Census, on_delete=models.CASCADE, related_name="entries",
                               verbose_name=_("普查"))
    resource = models.ForeignKey("catalog.Resource", on_delete=models.CASCADE,
                                 related_name="census_entries", verbose_name=_("信息资源"))
    department = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("部门"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("确认人"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    comment = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("普查条目")
        verbose_name_plural = _("普查条目")
        ordering = ["census", "department", "resource"]
        constraints = [
            models.UniqueConstraint(fields=["census", "resource"], name="catalog_census_entry"),
        ]
        indexes = [
            models.Index(fields=["census", "department", "status"], name="catalog_census_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.census} · {self.resource}"


CENSUS_ENTRY_TRANSITIONS = TransitionTable(
    Transition("confirm", source=CensusEntry.Status.PENDING, target=CensusEntry.Status.CONFIRMED,
               label=_("确认无变化")),
    Transition("update", source=CensusEntry.Status.PENDING, target=CensusEntry.Status.UPDATED,
               label=_("提交修订")),
    Transition("retire", source=CensusEntry.Status.PENDING, target=CensusEntry.Status.RETIRED,
               label=_("撤销资源")),
    model=CensusEntry,
)
