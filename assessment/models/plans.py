"""Yearly assessment plans (A1), their scope and indicators, and the scores (A2–A4).

A plan belongs to the authority of one region and assesses that region's own
departments and the next-lower governments (HN-38). Each assessed party is a
``Unit``: a department, or a lower government whose figures are the sum over the
departments of its region. Every indicator of a plan gets one ``Score`` row per unit,
computed from platform data (A2) or scored by a reviewer (A3); a unit's total and rank
are stored on the unit so a published plan is a frozen, citable record.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models.deadlines import DeadlineMarkers
from portal.workflow import Transition, TransitionTable


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("考核中")
        PUBLISHED = "published", _("已公布")

    region = models.ForeignKey("portal.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("考核层级（行政区划）"))
    year = models.PositiveIntegerField(_("考核年度"))
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("考核说明"), blank=True)
    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"))
    # Timetable (A1).
    self_assessment_due = models.DateField(_("自评截止"))
    review_due = models.DateField(_("评审截止"))
    publish_due = models.DateField(_("计划公布日期"))
    # Grade thresholds on the total (points out of the weights' sum).
    grade_excellent = models.DecimalField(_("优秀线"), max_digits=6, decimal_places=2,
                                          default=Decimal("90"))
    grade_good = models.DecimalField(_("良好线"), max_digits=6, decimal_places=2,
                                     default=Decimal("75"))
    grade_pass = models.DecimalField(_("合格线"), max_digits=6, decimal_places=2,
                                     default=Decimal("60"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    activated_at = models.DateTimeField(_("启动时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    computed_at = models.DateTimeField(_("最近计算时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="assessment_plan_region_year"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="assessment_plan_period"),
        ]

    def __str__(self) -> str:
        return self.title

    def grade_for(self, total: Decimal | None) -> str:
        if total is None:
            return ""
        for threshold, grade in ((self.grade_excellent, Grade.EXCELLENT),
                                 (self.grade_good, Grade.GOOD), (self.grade_pass, Grade.PASS)):
            if total >= threshold:
                return grade
        return Grade.FAIL


PLAN_TRANSITIONS = TransitionTable(
    Transition("activate", source=Plan.Status.DRAFT, target=Plan.Status.ACTIVE,
               label=_("启动考核")),
    Transition("publish", source=Plan.Status.ACTIVE, target=Plan.Status.PUBLISHED,
               label=_("公布结果")),
    Transition("unpublish", source=Plan.Status.PUBLISHED, target=Plan.Status.ACTIVE,
               label=_("撤回公布")),
    model=Plan,
)


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class Unit(models.Model):
    """One assessed party of a plan: a department, or a next-lower government (HN-38)."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("本级部门")
        GOVERNMENT = "government", _("下一级政府")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="units",
                             verbose_name=_("考核方案"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    department = models.ForeignKey("portal.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="assessment_units",
                                   verbose_name=_("部门"))
    region = models.ForeignKey("portal.Region", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="assessment_units", verbose_name=_("下级政府（区划）"))
    name = models.CharField(_("考核对象"), max_length=128)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, null=True, blank=True)
    weight_applied = models.DecimalField(
        _("计分分值"), max_digits=7, decimal_places=2, null=True, blank=True,
        help_text=_("适用于该考核对象的指标分值之和；总分按它折算为方案满分"))
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, blank=True)

    class Meta:
        verbose_name = _("考核对象")
        verbose_name_plural = _("考核对象")
        ordering = ["plan", "rank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "department"], name="assessment_unit_dept"),
            models.UniqueConstraint(fields=["plan", "region"], name="assessment_unit_region"),
            models.CheckConstraint(
                condition=(Q(kind="department", department__isnull=False, region__isnull=True)
                           | Q(kind="government", department__isnull=True, region__isnull=False)),
                name="assessment_unit_kind_target",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    """Groups of indicators (A2: quantity, quality, timeliness, service, application)."""

    QUANTITY = "quantity", _("资源数量")
    QUALITY = "quality", _("数据质量")
    TIMELINESS = "timeliness", _("更新时效")
    SERVICE = "service", _("共享服务")
    APPLICATION = "application", _("应用成效")
    PROJECTS = "projects", _("项目目录")
    MANAGEMENT = "management", _("组织管理")


class ScoringRule(models.TextChoices):
    LINEAR = "linear", _("线性插值")
    THRESHOLD = "threshold", _("达标得分")
    RELATIVE = "relative", _("相对最优值")
    MANUAL = "manual", _("评审打分")


class NoData(models.TextChoices):
    """How to score a ratio without a denominator (e.g. no requests were received).

    ``exclude``: the indicator does not apply to the unit this year — shown as 不适用, its
    weight leaves the unit's total, which is scaled back to the plan's full marks. That
    is the default for ratios over something due; quantity and coverage indicators score
    zero for nothing (see docs/assessment.md for the choice per indicator)."""

    EXCLUDE = "exclude", _("不适用，不计入总分")
    ZERO = "zero", _("不得分")
    FULL = "full", _("得满分")


class PlanIndicator(models.Model):
    """An indicator of a plan with its weight and scoring rule.

    ``kind=computed`` indicators name an entry of the indicator registry
    (``assessment.indicators``) by ``code``; manual ones are scored by reviewers (A3).
    """

    class Kind(models.TextChoices):
        COMPUTED = "computed", _("自动计算")
        MANUAL = "manual", _("人工评审")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators",
                             verbose_name=_("考核方案"))
    code = models.SlugField(_("指标代码"), max_length=50)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("指标名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    description = models.TextField(_("计算方法与评分标准"), blank=True)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    rule = models.CharField(_("评分规则"), max_length=10, choices=ScoringRule.choices)
    best = models.DecimalField(_("满分值"), max_digits=14, decimal_places=4, null=True,
                               blank=True, help_text=_("达到此值得满分（线性、达标规则）"))
    worst = models.DecimalField(_("零分值"), max_digits=14, decimal_places=4, null=True,
                                blank=True, help_text=_("低于（或劣于）此值不得分（线性规则）"))
    no_data = models.CharField(_("无数据时"), max_length=8, choices=NoData.choices,
                               default=NoData.EXCLUDE)
    position = models.PositiveIntegerField(_("序号"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="assessment_indicator_code"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="assessment_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ComputationRun(models.Model):
    """One computation of a plan's indicators: when, by whom, how many queries, any error."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="runs",
                             verbose_name=_("考核方案"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("发起人"))
    requested_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    query_count = models.PositiveIntegerField(_("查询次数"), default=0)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    sources = models.JSONField(_("数据来源状态"), default=dict, blank=True)
    proposals = models.PositiveIntegerField(_("生成整改建议数"), default=0)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("指标计算记录")
        verbose_name_plural = _("指标计算记录")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["plan", "-requested_at"], name="assessment_run_plan")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.requested_at:%Y-%m-%d %H:%M}"


class Score(models.Model):
    """The score of one unit on one indicator, with the figures it came from.

    ``base_score`` comes from the scoring rule (computed) or the reviewer (manual);
    ``adjusted_score`` is set when the authority upholds an objection; ``score`` is the
    effective one, stored so totals are one ``SUM``.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="scores",
                             verbose_name=_("考核方案"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="scores",
                             verbose_name=_("考核对象"))
    indicator = models.ForeignKey(PlanIndicator, on_delete=models.CASCADE, related_name="scores",
                                  verbose_name=_("指标"))
    value = models.DecimalField(_("指标值"), max_digits=16, decimal_places=4, null=True,
                                blank=True)
    inputs = models.JSONField(_("计算依据"), default=dict, blank=True)
    base_score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True,
                                     blank=True)
    adjusted_score = models.DecimalField(_("复核后得分"), max_digits=6, decimal_places=2,
                                         null=True, blank=True)
    adjustment_reason = models.TextField(_("调整理由"), blank=True)
    score = models.DecimalField(_("最终得分"), max_digits=6, decimal_places=2, null=True,
                                blank=True)
    applicable = models.BooleanField(
        _("计入总分"), default=True,
        help_text=_("否：该指标对该考核对象不适用（如统计期内没有应答复的申请），分值不计入总分"))
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    run = models.ForeignKey(ComputationRun, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+", verbose_name=_("计算记录"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("评审人"))
    review_comment = models.TextField(_("评审意见"), blank=True)
    reviewed_at = models.DateTimeField(_("评审时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["unit", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator"], name="assessment_score_unique"),
        ]
        indexes = [models.Index(fields=["plan", "indicator"], name="assessment_score_plan_ind")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator}"

    def effective(self) -> Decimal | None:
        return self.adjusted_score if self.adjusted_score is not None else self.base_score


class SelfAssessment(models.Model):
    """A unit's self-assessment on a manual indicator, with evidence (A3)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("填报中")
        SUBMITTED = "submitted", _("待评审")
        RETURNED = "returned", _("退回补充")
        REVIEWED = "reviewed", _("已评审")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="self_assessments",
                             verbose_name=_("考核对象"))
    indicator = models.ForeignKey(PlanIndicator, on_delete=models.CASCADE,
                                  related_name="self_assessments", verbose_name=_("指标"))
    claimed_score = models.DecimalField(_("自评分"), max_digits=6, decimal_places=2, null=True,
                                        blank=True)
    statement = models.TextField(_("自评说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("提交人"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    return_comment = models.TextField(_("退回意见"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("自评")
        verbose_name_plural = _("自评")
        ordering = ["unit", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator"], name="assessment_self_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator}"


SELF_ASSESSMENT_TRANSITIONS = TransitionTable(
    Transition("submit", source=[SelfAssessment.Status.DRAFT, SelfAssessment.Status.RETURNED],
               target=SelfAssessment.Status.SUBMITTED, label=_("提交自评")),
    Transition("return", source=SelfAssessment.Status.SUBMITTED,
               target=SelfAssessment.Status.RETURNED, label=_("退回补充")),
    Transition("review", source=[SelfAssessment.Status.SUBMITTED, SelfAssessment.Status.REVIEWED],
               target=SelfAssessment.Status.REVIEWED, label=_("评审打分")),
    model=SelfAssessment,
)


class ScoreObjection(DeadlineMarkers):
    """A unit's objection to one of its scores and the authority's written answer (A3)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        UPHELD = "upheld", _("异议成立")
        REJECTED = "rejected", _("维持原分")

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="objections",
                              verbose_name=_("指标得分"))
    reason = models.TextField(_("异议理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("提出人"))
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    due_on = models.DateField(_("答复期限"))
    answer = models.TextField(_("答复意见"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("答复人"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    score_before = models.DecimalField(_("原得分"), max_digits=6, decimal_places=2, null=True,
                                       blank=True)
    score_after = models.DecimalField(_("调整后得分"), max_digits=6, decimal_places=2,
                                      null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("得分异议")
        verbose_name_plural = _("得分异议")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["score"], condition=Q(status="open"),
                                    name="assessment_one_open_objection"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="assessment_objection_due")]

    def __str__(self) -> str:
        return f"{self.score} · {self.get_status_display()}"


OBJECTION_TRANSITIONS = TransitionTable(
    Transition("uphold", source=ScoreObjection.Status.OPEN, target=ScoreObjection.Status.UPHELD,
               label=_("异议成立")),
    Transition("reject", source=ScoreObjection.Status.OPEN,
               target=ScoreObjection.Status.REJECTED, label=_("维持原分")),
    model=ScoreObjection,
)
