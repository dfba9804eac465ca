"""Load the demo assessment (idempotent): last year's plan computed, reviewed and
published, this year's plan in progress, and last year's annual sharing reports drafted.

Run after ``seed_demo`` and the other apps' demo loaders, so the computed indicators have
platform data to read. Last year's record of the departments is written first
(``assessment.demo``: the other loaders act today), so last year's ranking shows a spread
from diligent to idle. The plans go through the services, as in production: computed,
every manual indicator scored by the authority, one score objection upheld with a new
score and its reason, then published; a plan that exists is left in the state it reached.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessment import demo
from assessment.models import ComputationRun, Plan, PlanIndicator, Score
from assessment.services import annual_reports, compute, plans, review
from portal.models import Department, Role, User

# Points the demo reviewer gives the next-lower governments (organisation, security, cases).
# Last year the access log and the open-data portal were not running yet, so last year's
# plan leaves their four indicators out and gives their 16 points to the catalog and
# answer indicators (an authority's choice, made while the plan is a draft).
LAST_YEAR_LEFT_OUT = ["data_accesses", "data_consumers", "open_datasets", "open_downloads"]
LAST_YEAR_WEIGHTS = {"catalog_registered": 12, "catalog_shared": 10, "catalog_update_timeliness": 12,
                     "share_answer_timeliness": 14}
MANUAL_ORDER = {"organisation": 0, "security": 1, "application_cases": 2}
GOVERNMENT_POINTS = {"海口市": ("3", "2.5", "2"), "三亚市": ("2", "1.5", "1.5")}


class Command(BaseCommand):
    help = "Load the demo assessment plans and annual reports (safe to run again)."

    def handle(self, *args, **options):
        authority = (User.objects.filter(username="authority").first()
                     or User.objects.filter(role_assignments__role=Role.AUTHORITY,
                                            department__isnull=False).first())
        if authority is None or authority.department is None:
            raise CommandError("No authority user with a department: run seed_demo first.")
        region = authority.department.region
        year = timezone.localdate().year
        demo.previous_year_record(
            departments=list(Department.objects.filter(is_active=True).exclude(
                kind__in=[Department.Kind.AUTHORITY, Department.Kind.INFORMATION_CENTER])
                .select_related("region").order_by("pk")),
            year=year - 1)
        previous = self._plan(authority, region, year - 1, last_year=True)
        current = self._plan(authority, region, year)
        if previous.status == Plan.Status.ACTIVE:
            self._review(authority, previous)
            previous = plans.plan_publish(actor=authority, plan=previous,
                                          comment="演示数据：上一年度考核结果")
        drafted = annual_reports.annual_reports_prepare(year=year - 1)
        self.stdout.write(self.style.SUCCESS(
            f"Demo assessment ready: {previous.title} ({previous.get_status_display()}), "
            f"{current.title} ({current.get_status_display()}), "
            f"{drafted} annual report drafts."))

    def _review(self, authority: User, plan: Plan) -> None:
        """Score every manual indicator, and uphold one objection with a new score."""
        manual = Score.objects.filter(plan=plan, indicator__kind=PlanIndicator.Kind.MANUAL,
                                      base_score__isnull=True).select_related("unit", "indicator")
        for score in manual.order_by("unit_id", "indicator__position"):
            unit = score.unit
            points = (demo.manual_points(unit.department) if unit.department_id
                      else GOVERNMENT_POINTS.get(unit.name)) or ("2", "1.5", "1")
            index = MANUAL_ORDER.get(score.indicator.code, 0)
            with transaction.atomic():
                review.score_review(actor=authority, score=score, points_given=points[index],
                                    comment="演示评分：依据自评材料和平台记录评定。")
        head = User.objects.filter(username="wjw_head").first()
        contested = Score.objects.filter(plan=plan, unit__department=head.department,
                                         indicator__code="application_cases").first() if head else None
        if contested is not None and not contested.objections.exists():
            with transaction.atomic():
                objection = review.objection_raise(
                    actor=head, score=contested,
                    reason="本委“健康码与电子健康卡互认”案例已在全省推广，材料附后，请复核。")
                review.objection_answer(
                    actor=authority, objection=objection, upheld=True,
                    answer="经复核，案例材料属实，应用成效突出，异议成立。", new_score="3")

    def _plan(self, authority: User, region, year: int, last_year: bool = False) -> Plan:
        plan = Plan.objects.filter(region=region, year=year).first()
        if plan is None:
            with transaction.atomic():
                plan = plans.plan_create(actor=authority, region=region, year=year)
                if last_year:
                    for indicator in plan.indicators.filter(code__in=LAST_YEAR_LEFT_OUT):
                        plans.plan_indicator_delete(actor=authority, indicator=indicator)
                    for indicator in plan.indicators.filter(code__in=LAST_YEAR_WEIGHTS):
                        indicator.weight = LAST_YEAR_WEIGHTS[indicator.code]
                        plans.plan_indicator_save(actor=authority, plan=plan, indicator=indicator)
        if plan.status == Plan.Status.DRAFT:
            with transaction.atomic():
                plan = plans.plan_activate(actor=authority, plan=plan)
        if plan.status == Plan.Status.ACTIVE and plan.computed_at is None:
            run = ComputationRun.objects.create(plan=plan, requested_by=authority)
            compute.plan_compute(run_id=run.pk)
            plan.refresh_from_db()
        return plan
