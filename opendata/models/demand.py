"""Public data requests (需求征集, HN-31) and yearly open plans (HN-25)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import Theme
from portal.models.deadlines import DeadlineMarkers
from portal.workflow import Transition, TransitionTable


class DataRequest(DeadlineMarkers):
    """Anyone asks for a dataset; the center routes it to a department, which answers.

    Everything but the contact details is public, including the status and the answer.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待受理")
        ROUTED = "routed", _("办理中")
        ANSWERED = "answered", _("已答复")
        REJECTED = "rejected", _("不予受理")

    class Outcome(models.TextChoices):
        PLANNED = "planned", _("已列入开放计划")
        PUBLISHED = "published", _("已开放")
        ALREADY_OPEN = "already_open", _("已有数据可满足")
        NOT_POSSIBLE = "not_possible", _("暂不能开放")

    title = models.CharField(_("需求名称"), max_length=150)
    description = models.TextField(_("需求描述"), max_length=3000)
    scenario = models.TextField(_("应用场景"), max_length=2000, blank=True)
    theme = models.CharField(_("主题"), max_length=32, choices=Theme.choices, blank=True)
    suggested_department = models.ForeignKey(
        "portal.Department", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("建议提供部门"))
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="open_data_requests",
                                  verbose_name=_("提出人账户"))
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_email = models.EmailField(_("联系邮箱"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    department = models.ForeignKey("portal.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="open_data_requests",
                                   verbose_name=_("承办部门"))
    routed_at = models.DateTimeField(_("转办时间"), null=True, blank=True)
    due_on = models.DateField(_("答复期限"), null=True, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    outcome = models.CharField(_("办理结果"), max_length=16, choices=Outcome.choices, blank=True)
    dataset = models.ForeignKey("opendata.Dataset", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("相关数据集"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("答复人"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("数据需求")
        verbose_name_plural = _("数据需求")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="od_req_status_due"),
            models.Index(fields=["department", "status"], name="od_req_dept_status"),
        ]

    def __str__(self) -> str:
        return self.title


REQUEST_TRANSITIONS = TransitionTable(
    Transition("route", source=[DataRequest.Status.SUBMITTED, DataRequest.Status.ROUTED],
               target=DataRequest.Status.ROUTED, label=_("转办")),
    Transition("reject", source=DataRequest.Status.SUBMITTED,
               target=DataRequest.Status.REJECTED, label=_("不予受理")),
    Transition("answer", source=DataRequest.Status.ROUTED,
               target=DataRequest.Status.ANSWERED, label=_("答复")),
    model=DataRequest, created_label=_("提交需求"),
)


class OpenPlan(models.Model):
    """A department's open plan for one year (HN-25): which entries it will open, when."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        SUBMITTED = "submitted", _("已报送")

    department = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                   related_name="open_plans", verbose_name=_("部门"))
    year = models.PositiveSmallIntegerField(_("年度"))
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度开放计划")
        verbose_name_plural = _("年度开放计划")
        ordering = ["-year", "department"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="od_plan_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year}"


PLAN_TRANSITIONS = TransitionTable(
    Transition("submit", source=OpenPlan.Status.DRAFT, target=OpenPlan.Status.SUBMITTED,
               label=_("报送")),
    Transition("reopen", source=OpenPlan.Status.SUBMITTED, target=OpenPlan.Status.DRAFT,
               label=_("重新编制")),
    model=OpenPlan,
)


class OpenPlanItem(models.Model):
    plan = models.ForeignKey(OpenPlan, on_delete=models.CASCADE, related_name="items",
                             verbose_name=_("开放计划"))
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("目录资源"))
    planned_on = models.DateField(_("计划开放日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("计划开放资源")
        verbose_name_plural = _("计划开放资源")
        ordering = ["plan", "planned_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "resource"], name="od_plan_item_once"),
        ]

    def __str__(self) -> str:
        return str(self.resource)
