"""Serializers of the assessment API: shapes only; the services check every rule."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessment.models import (
    AnnualReport,
    Complaint,
    ComputationRun,
    Plan,
    PlanIndicator,
    RectificationNotice,
    RectificationReport,
    Score,
    ScoreObjection,
    SelfAssessment,
    Unit,
    Violation,
)
from portal.models import Department, Region


class AssessmentPlanSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "region", "region_name", "year", "title", "description", "period_start",
                  "period_end", "self_assessment_due", "review_due", "publish_due",
                  "grade_excellent", "grade_good", "grade_pass", "status", "status_display",
                  "created_at", "activated_at", "published_at", "computed_at"]
        read_only_fields = ["region", "year", "status", "created_at", "activated_at",
                            "published_at", "computed_at"]


class AssessmentPlanCreateSerializer(serializers.Serializer):
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    indicator_codes = serializers.ListField(child=serializers.CharField(), required=False,
                                            help_text="自动计算指标代码；省略则包含全部")
    include_manual = serializers.BooleanField(default=True)
    self_assessment_due = serializers.DateField(required=False)
    review_due = serializers.DateField(required=False)
    publish_due = serializers.DateField(required=False)


class PlanScopeSerializer(serializers.Serializer):
    departments = serializers.ListField(child=serializers.IntegerField(), default=list,
                                        help_text="本级部门 id")
    regions = serializers.ListField(child=serializers.IntegerField(), default=list,
                                    help_text="下一级政府（行政区划）id")


class AssessmentReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class AssessmentCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PlanIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanIndicator
        fields = ["id", "plan", "code", "kind", "name", "category", "description", "weight",
                  "rule", "best", "worst", "no_data", "position"]
        read_only_fields = ["plan", "code", "kind", "category", "position"]


class IndicatorRegistrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    unit = serializers.CharField()
    source = serializers.CharField()
    description = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    rule = serializers.CharField()
    best = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    worst = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)


class AssessmentUnitSerializer(serializers.ModelSerializer):
    grade_display = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "plan", "kind", "department", "region", "name", "total", "rank", "grade",
                  "grade_display"]


class IndicatorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanIndicator
        fields = ["id", "code", "name", "kind", "weight"]


class AssessmentScoreSerializer(serializers.ModelSerializer):
    indicator = IndicatorBriefSerializer(read_only=True)

    class Meta:
        model = Score
        fields = ["id", "plan", "unit", "indicator", "value", "inputs", "base_score",
                  "adjusted_score", "adjustment_reason", "score", "computed_at", "run",
                  "review_comment", "reviewed_at"]


class ScoreReviewSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    comment = serializers.CharField()


class ComputationRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComputationRun
        fields = ["id", "plan", "status", "requested_at", "started_at", "finished_at",
                  "query_count", "duration_ms", "sources", "proposals", "error"]


class SelfAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = SelfAssessment
        fields = ["id", "unit", "indicator", "claimed_score", "statement", "status",
                  "submitted_by", "submitted_at", "return_comment"]
        read_only_fields = ["status", "submitted_by", "submitted_at", "return_comment"]


class SelfAssessmentWriteSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    indicator = serializers.PrimaryKeyRelatedField(queryset=PlanIndicator.objects.all())
    claimed_score = serializers.DecimalField(max_digits=6, decimal_places=2, required=False,
                                             allow_null=True)
    statement = serializers.CharField(required=False, allow_blank=True, default="")
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                  help_text="佐证材料（multipart）")


class ScoreObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoreObjection
        fields = ["id", "score", "reason", "status", "raised_by", "raised_at", "due_on", "answer",
                  "answered_by", "answered_at", "score_before", "score_after"]
        read_only_fields = fields


class ScoreObjectionRaiseSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ScoreObjectionAnswerSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    answer = serializers.CharField()
    new_score = serializers.DecimalField(max_digits=6, decimal_places=2, required=False,
                                         allow_null=True)


class RectificationReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationReport
        fields = ["id", "body", "submitted_by", "submitted_at", "review_comment", "reviewed_at"]


class RectificationNoticeSerializer(serializers.ModelSerializer):
    violation_display = serializers.CharField(source="get_violation_display", read_only=True)
    reports = RectificationReportSerializer(many=True, read_only=True)

    class Meta:
        model = RectificationNotice
        fields = ["id", "number", "department", "plan", "violation", "violation_display", "facts",
                  "basis", "requirement", "source", "indicator_code", "figures", "status",
                  "due_on", "issued_at", "escalated_at", "consequence", "project_hold",
                  "funding_hold", "closed_at", "created_at", "reports"]
        read_only_fields = fields


class RectificationNoticeCreateSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    violation = serializers.ChoiceField(choices=Violation.choices)
    facts = serializers.CharField()
    requirement = serializers.CharField(required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True)


class RectificationNoticeIssueSerializer(serializers.Serializer):
    due_on = serializers.DateField(required=False, allow_null=True)
    requirement = serializers.CharField(required=False, allow_blank=True, default="")


class RectificationNoticeReportSerializer(serializers.Serializer):
    body = serializers.CharField()
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class RectificationNoticeReturnSerializer(serializers.Serializer):
    comment = serializers.CharField()
    due_on = serializers.DateField(required=False, allow_null=True)


class AnnualReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualReport
        fields = ["id", "department", "year", "status", "due_on", "figures", "figures_at",
                  "overview", "achievements", "problems", "next_steps", "submitted_by",
                  "submitted_at", "review_comment"]
        read_only_fields = ["department", "year", "status", "due_on", "figures", "figures_at",
                            "submitted_by", "submitted_at", "review_comment"]


class ComplaintSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = ["id", "number", "complainant", "respondent", "violation", "subject",
                  "description", "status", "submitted_at", "due_on", "respondent_statement",
                  "answer", "answered_at", "notice"]
        read_only_fields = ["number", "complainant", "status", "submitted_at", "due_on",
                            "respondent_statement", "answer", "answered_at", "notice"]


class ComplaintCreateSerializer(serializers.Serializer):
    respondent = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    violation = serializers.ChoiceField(choices=Violation.choices)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField()
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ComplaintAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    issue_notice = serializers.BooleanField(default=False)
    notice_due_on = serializers.DateField(required=False, allow_null=True)


class ComplaintStatementSerializer(serializers.Serializer):
    statement = serializers.CharField()


class PublicAssessmentResultSerializer(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    year = serializers.IntegerField(source="plan.year", read_only=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ["id", "plan", "plan_title", "year", "kind", "name", "total", "rank", "grade",
                  "scores"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_scores(self, unit) -> list[dict]:
        return [{"indicator": s.indicator.name, "code": s.indicator.code,
                 "weight": str(s.indicator.weight),
                 "value": None if s.value is None else str(s.value),
                 "score": None if s.score is None else str(s.score)}
                for s in unit.scores.all()]
