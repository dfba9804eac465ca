"""Load the demo assessment (idempotent): last year's plan computed and published, this
year's plan in progress, and last year's annual sharing reports drafted.

Run after ``seed_demo`` and the other apps' demo loaders, so the computed indicators have
platform data to read. Everything goes through the services, as in production; a plan
that exists is left in the state it reached.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessment.models import ComputationRun, Plan
from assessment.services import annual_reports, compute, plans
from portal.models import Role, User


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
        previous = self._plan(authority, region, year - 1)
        current = self._plan(authority, region, year)
        if previous.status == Plan.Status.ACTIVE:
            previous = plans.plan_publish(actor=authority, plan=previous,
                               comment="演示数据：上一年度考核结果")
        drafted = annual_reports.annual_reports_prepare(year=year - 1)
        self.stdout.write(self.style.SUCCESS(
            f"Demo assessment ready: {previous.title} ({previous.get_status_display()}), "
            f"{current.title} ({current.get_status_display()}), "
            f"{drafted} annual report drafts."))

    def _plan(self, authority: User, region, year: int) -> Plan:
        plan = Plan.objects.filter(region=region, year=year).first()
        if plan is None:
            with transaction.atomic():
                plan = plans.plan_create(actor=authority, region=region, year=year)
        if plan.status == Plan.Status.DRAFT:
            with transaction.atomic():
                plan = plans.plan_activate(actor=authority, plan=plan)
        if plan.status == Plan.Status.ACTIVE and plan.computed_at is None:
            run = ComputationRun.objects.create(plan=plan, requested_by=authority)
            compute.plan_compute(run_id=run.pk)
            plan.refresh_from_db()
        return plan
