import django_filters

from assessment.models import (
    AnnualReport,
    Complaint,
    PlanIndicator,
    RectificationNotice,
    Score,
    ScoreObjection,
    SelfAssessment,
    Unit,
)


class UnitFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="plan__year")

    class Meta:
        model = Unit
        fields = ["plan", "kind", "department", "region"]


class ScoreFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(field_name="indicator__code")

    class Meta:
        model = Score
        fields = ["plan", "unit", "indicator"]


class IndicatorFilter(django_filters.FilterSet):
    class Meta:
        model = PlanIndicator
        fields = ["plan", "kind", "category"]


class SelfAssessmentFilter(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="unit__plan")

    class Meta:
        model = SelfAssessment
        fields = ["unit", "indicator", "status"]


class ObjectionFilter(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="score__plan")

    class Meta:
        model = ScoreObjection
        fields = ["score", "status"]


class NoticeFilter(django_filters.FilterSet):
    class Meta:
        model = RectificationNotice
        fields = ["department", "plan", "violation", "status", "source"]


class AnnualReportFilter(django_filters.FilterSet):
    class Meta:
        model = AnnualReport
        fields = ["department", "year", "status"]


class ComplaintFilter(django_filters.FilterSet):
    class Meta:
        model = Complaint
        fields = ["complainant", "respondent", "violation", "status"]
