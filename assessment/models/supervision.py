"""Supervision: rectification notices (A5), annual sharing reports (A6), complaints (A7)
and the evidence files attached to them and to self-assessments."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models.deadlines import DeadlineMarkers
from portal.workflow import Transition, TransitionTable


class Violation(models.TextChoices):
    """The violations a notice or complaint may cite (HN-39, NAT-24, HY-26)."""

    PROJECT_CATALOG_MISSING = "project_catalog_missing", _(
        "信息化项目立项前未预编项目信息资源目录")
    PROJECT_NOT_REGISTERED = "project_not_registered", _(
        "项目建成后未登记项目信息资源目录并提供共享")
    CATALOG_NOT_UPDATED = "catalog_not_updated", _("未按要求编制或更新信息资源目录")
    SHARING_DELAYED = "sharing_delayed", _("无故拒绝、拖延提供共享信息或不更新数据")
    DATA_INCONSISTENT = "data_inconsistent", _("提供的数据与所掌握信息不一致或不符合规范无法使用")
    MISUSE = "misuse", _("违规使用、泄露共享信息或擅自扩大使用范围")
    SHARING_NOT_SUSTAINED = "sharing_not_sustained", _("信息系统投入使用后未持续保障共享")
    ILLEGAL_COLLECTION = "illegal_collection", _("违反规定采集数据")
    SECRECY_REVIEW = "secrecy_review", _("未按规定履行保密审查")
    OTHER = "other", _("其他违反规定的行为")


# The article each violation rests on, quoted on notices.
VIOLATION_BASIS = {
    Violation.PROJECT_CATALOG_MISSING: "《海南省公共信息资源管理办法》第三十九条第（一）项",
    Violation.PROJECT_NOT_REGISTERED: "《海南省公共信息资源管理办法》第三十九条第（二）项",
    Violation.CATALOG_NOT_UPDATED: "《政务信息资源共享管理暂行办法》第二十四条第（一）项；"
                                   "《海南省公共信息资源管理办法》第三十九条第（二）项",
    Violation.SHARING_DELAYED: "《政务信息资源共享管理暂行办法》第二十四条第（二）项；"
                               "《海南省公共信息资源管理办法》第三十九条第（三）项",
    Violation.DATA_INCONSISTENT: "《政务信息资源共享管理暂行办法》第二十四条第（三）项；"
                                 "《海南省公共信息资源管理办法》第三十九条第（四）项",
    Violation.MISUSE: "《政务信息资源共享管理暂行办法》第二十四条第（四）项；"
                      "《海南省公共信息资源管理办法》第三十九条第（五）项",
    Violation.SHARING_NOT_SUSTAINED: "《海南省公共信息资源管理办法》第三十九条第（六）项",
    Violation.ILLEGAL_COLLECTION: "《衡阳市政务数据共享开放管理办法》第二十六条第（一）项",
    Violation.SECRECY_REVIEW: "《衡阳市政务数据共享开放管理办法》第二十六条第（六）项",
    Violation.OTHER: "《海南省公共信息资源管理办法》第三十九条第（七）项",
}

# What an unrectified notice costs the department (HN-39, NAT-24).
ESCALATION_CONSEQUENCE = _(
    "逾期未完成整改：依据《海南省公共信息资源管理办法》第三十九条，暂停审批、验收该部门"
    "信息化项目，不予安排运维经费，并报送同级人民政府办公厅（室）、抄送同级监察机关。"
)


class Evidence(models.Model):
    """An uploaded file supporting a self-assessment, report, notice or complaint.

    Served only through a view that checks the parent object's visibility.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    parent = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("文件"), upload_to="assessment/evidence/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="assessment_evidence_obj")]

    def __str__(self) -> str:
        return self.name


class RectificationNotice(DeadlineMarkers):
    """A notice to rectify a violation, with a deadline (A5, HN-39, NAT-24, HY-26).

    Notices are issued by the authority, or proposed by the indicator computation and
    confirmed (issued) or dismissed by the authority. A notice still open after its
    deadline is escalated once: the consequence is recorded on the row.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待确认（系统建议）")
        ISSUED = "issued", _("整改中")
        REPORTED = "reported", _("已报送整改报告")
        RETURNED = "returned", _("整改报告退回")
        ESCALATED = "escalated", _("逾期已督办")
        ACCEPTED = "accepted", _("整改完成")
        DISMISSED = "dismissed", _("不予下发")

    class Source(models.TextChoices):
        MANUAL = "manual", _("主管部门下发")
        COMPUTED = "computed", _("考核指标生成")
        COMPLAINT = "complaint", _("投诉处理")

    number = models.CharField(_("文号"), max_length=40, blank=True)
    department = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                   related_name="rectification_notices", verbose_name=_("整改部门"))
    plan = models.ForeignKey("assessment.Plan", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="notices", verbose_name=_("考核方案"))
    violation = models.CharField(_("违规类型"), max_length=32, choices=Violation.choices)
    facts = models.TextField(_("违规事实"))
    basis = models.TextField(_("依据"), blank=True)
    requirement = models.TextField(_("整改要求"), blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices,
                              default=Source.MANUAL)
    proposal_key = models.CharField(max_length=120, null=True, blank=True, unique=True,
                                    help_text="Identifies an automatic proposal so it is made once.")
    indicator_code = models.CharField(_("来源指标"), max_length=50, blank=True)
    figures = models.JSONField(_("相关数据"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.PROPOSED)
    due_on = models.DateField(_("整改期限"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("下发人"))
    issued_at = models.DateTimeField(_("下发时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    consequence = models.TextField(_("逾期后果"), blank=True)
    project_hold = models.BooleanField(_("暂停信息化项目审批验收"), default=False)
    funding_hold = models.BooleanField(_("暂停安排运维经费"), default=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="assessment_notice_due"),
            models.Index(fields=["department", "status"], name="assessment_notice_dept"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.get_violation_display()}（{self.department}）"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_NOTICE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on is not None and timezone.localdate() > self.due_on


# A notice the department still has to act on.
OPEN_NOTICE_STATUSES = (
    RectificationNotice.Status.ISSUED,
    RectificationNotice.Status.RETURNED,
    RectificationNotice.Status.ESCALATED,
)

NOTICE_TRANSITIONS = TransitionTable(
    Transition("issue", source=RectificationNotice.Status.PROPOSED,
               target=RectificationNotice.Status.ISSUED, label=_("下发整改通知")),
    Transition("dismiss", source=RectificationNotice.Status.PROPOSED,
               target=RectificationNotice.Status.DISMISSED, label=_("不予下发")),
    Transition("report", source=OPEN_NOTICE_STATUSES,
               target=RectificationNotice.Status.REPORTED, label=_("报送整改报告")),
    Transition("accept", source=RectificationNotice.Status.REPORTED,
               target=RectificationNotice.Status.ACCEPTED, label=_("确认整改完成")),
    Transition("return", source=RectificationNotice.Status.REPORTED,
               target=RectificationNotice.Status.RETURNED, label=_("退回整改报告")),
    Transition("escalate", source=[RectificationNotice.Status.ISSUED,
                                   RectificationNotice.Status.RETURNED],
               target=RectificationNotice.Status.ESCALATED, label=_("逾期督办")),
    model=RectificationNotice,
)


class RectificationReport(models.Model):
    """The department's rectification report on a notice; one per submission."""

    notice = models.ForeignKey(RectificationNotice, on_delete=models.CASCADE,
                               related_name="reports", verbose_name=_("整改通知"))
    body = models.TextField(_("整改情况"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("报送人"))
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改报告")
        verbose_name_plural = _("整改报告")
        ordering = ["notice", "submitted_at"]

    def __str__(self) -> str:
        return f"{self.notice} · {self.submitted_at:%Y-%m-%d}"


class AnnualReport(models.Model):
    """A department's report on its sharing in the previous year (A6, NAT-18, HY-25).

    Drafted from platform data; the department edits the text and submits by the end of
    February of the following year.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("编写中")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("退回修改")
        ACCEPTED = "accepted", _("已审阅")

    department = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                    related_name="annual_sharing_reports",
                                    verbose_name=_("部门"))
    year = models.PositiveIntegerField(_("报告年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    due_on = models.DateField(_("报送期限"))
    # The rule pack version and rule that set ``due_on`` (A6), shown beside it.
    rule_version = models.ForeignKey("portal.RulePackVersion", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     editable=False, verbose_name=_("规则包版本"))
    due_rule = models.CharField(_("期限规则"), max_length=40, blank=True, editable=False)
    figures = models.JSONField(_("平台数据"), default=dict, blank=True)
    figures_at = models.DateTimeField(_("数据生成时间"), null=True, blank=True)
    overview = models.TextField(_("总体情况"), blank=True)
    achievements = models.TextField(_("主要成效"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一年度工作计划"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("报送人"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    review_comment = models.TextField(_("审阅意见"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度共享情况报告")
        verbose_name_plural = _("年度共享情况报告")
        ordering = ["-year", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year"],
                                    name="assessment_annual_report_unique"),
        ]
        indexes = [models.Index(fields=["year", "status"], name="assessment_report_year")]

    def __str__(self) -> str:
        return f"{self.department} {self.year} 年度共享情况报告"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


ANNUAL_REPORT_TRANSITIONS = TransitionTable(
    Transition("submit", source=[AnnualReport.Status.DRAFT, AnnualReport.Status.RETURNED],
               target=AnnualReport.Status.SUBMITTED, label=_("报送")),
    Transition("return", source=AnnualReport.Status.SUBMITTED,
               target=AnnualReport.Status.RETURNED, label=_("退回修改")),
    Transition("accept", source=AnnualReport.Status.SUBMITTED,
               target=AnnualReport.Status.ACCEPTED, label=_("审阅通过")),
    model=AnnualReport,
)


class Complaint(DeadlineMarkers):
    """A department's written complaint about another's violation (A7, HN-41, YS-29)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待受理")
        HANDLING = "handling", _("处理中")
        ANSWERED = "answered", _("已书面答复")
        REJECTED = "rejected", _("不予受理")

    number = models.CharField(_("编号"), max_length=40, blank=True)
    complainant = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                    related_name="complaints_made", verbose_name=_("投诉单位"))
    respondent = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                   related_name="complaints_received",
                                   verbose_name=_("被投诉单位"))
    violation = models.CharField(_("违规类型"), max_length=32, choices=Violation.choices)
    subject = models.CharField(_("事由"), max_length=200)
    description = models.TextField(_("投诉内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("投诉人"))
    submitted_at = models.DateTimeField(_("投诉时间"), default=timezone.now)
    due_on = models.DateField(_("答复期限"))
    respondent_statement = models.TextField(_("被投诉单位说明"), blank=True)
    answer = models.TextField(_("书面答复"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("答复人"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    notice = models.ForeignKey(RectificationNotice, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="complaints",
                               verbose_name=_("据此下发的整改通知"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="assessment_complaint_due")]

    def __str__(self) -> str:
        return self.number or self.subject

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.HANDLING)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.localdate() > self.due_on


COMPLAINT_TRANSITIONS = TransitionTable(
    Transition("accept", source=Complaint.Status.SUBMITTED, target=Complaint.Status.HANDLING,
               label=_("受理")),
    Transition("reject", source=Complaint.Status.SUBMITTED, target=Complaint.Status.REJECTED,
               label=_("不予受理")),
    Transition("answer", source=Complaint.Status.HANDLING, target=Complaint.Status.ANSWERED,
               label=_("书面答复")),
    model=Complaint,
)
