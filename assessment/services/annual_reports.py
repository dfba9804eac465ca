"""Annual sharing reports (A6, NAT-18, HY-25).

In January the platform drafts every department's report on the previous year from its
own data and asks the department to complete and submit it by the end of February;
reminders and the overdue notice are keyed so each is sent once.
"""

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessment.indicators import INDICATORS, Period, collect
from assessment.models import ANNUAL_REPORT_TRANSITIONS, AnnualReport
from assessment.policies import (
    can_edit_annual_report,
    can_review_annual_report,
    can_submit_annual_report,
)
from assessment.services.common import (
    authority_users,
    department_heads,
    department_signers,
    required_text,
)
from portal.errors import Conflict, NotPermitted
from portal.models import Department, Notification, User
from portal.rules import Rule, region_rules, rule_of
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workdays import working_days_between
from portal.workflow import transition_apply

REPORTING_KINDS = (Department.Kind.GOVERNMENT, Department.Kind.PUBLIC_INSTITUTION,
                   Department.Kind.PUBLIC_ENTERPRISE)
# The drafts (with their new-task notice) come on 1 January, the reminder mid-month.
JANUARY_REMINDER_DAY = 15


def report_due(year: int, region_id: int | None) -> tuple[date, Rule]:
    """The due date of the report on ``year`` in the region's rule pack (NAT-18: the end
    of February of the following year), and the rule (shown beside the date)."""
    rule = rule_of(region_rules(region_id), "assessment.annual_report_due")
    value = rule.value
    if value.get("day"):
        return date(year + 1, value["month"], value["day"]), rule
    first_of_next = date(year + 1 + value["month"] // 12, value["month"] % 12 + 1, 1)
    return first_of_next - timedelta(days=1), rule


def annual_figures(department_ids: list[int], year: int) -> dict[int, dict]:
    """The platform's figures for each department's report on ``year`` (bounded queries)."""
    figures, status = collect(INDICATORS, department_ids, Period.year(year))
    result = {}
    for pk in department_ids:
        rows = []
        for definition in INDICATORS.values():
            source = figures.get(definition.source)
            if source is None:
                continue
            value = definition.measure(source[pk])
            rows.append({"code": definition.code, "name": definition.name,
                         "unit": definition.unit, "value": None if value is None else str(value)})
        result[pk] = {
            "period": [f"{year}-01-01", f"{year}-12-31"],
            "indicators": rows,
            "sources": {key: source[pk] for key, source in figures.items()},
            "unavailable": sorted(k for k, v in status.items() if v != "ok"),
        }
    return result


def draft_overview(year: int, figures: dict) -> str:
    lines = [_("根据平台记录，%(year)d 年度本单位公共信息资源共享开放主要数据如下：") % {"year": year}]
    for row in figures.get("indicators", []):
        value = _("不适用") if row["value"] is None else f"{row['value']}{row['unit']}"
        lines.append(f"· {row['name']}：{value}")
    return "\n".join(lines)


def _url(report: AnnualReport) -> str:
    return reverse("assessment:annual_report_detail", args=[report.pk])


def _task_key(report: AnnualReport) -> str:
    return f"assessment:annual:{report.year}:{report.department_id}"


def annual_reports_prepare(*, year: int, department_ids: list[int] | None = None) -> int:
    """Draft the missing reports on ``year`` and give each department its task. Idempotent."""
    departments = Department.objects.filter(is_active=True, kind__in=REPORTING_KINDS)
    if department_ids is not None:
        departments = departments.filter(pk__in=department_ids)
    regions = dict(departments.values_list("pk", "region_id"))
    wanted = list(regions)
    have = set(AnnualReport.objects.filter(year=year, department_id__in=wanted)
               .values_list("department_id", flat=True))
    missing = [pk for pk in wanted if pk not in have]
    if missing:
        figures = annual_figures(missing, year)
        now = timezone.now()
        due = {region: report_due(year, region) for region in {regions[pk] for pk in missing}}
        bulk_create_with_history([
            AnnualReport(department_id=pk, year=year, due_on=due[regions[pk]][0],
                         rule_version_id=due[regions[pk]][1].version_id,
                         due_rule=due[regions[pk]][1].ref, figures=figures[pk],
                         figures_at=now, overview=draft_overview(year, figures[pk]))
            for pk in missing
        ], AnnualReport, batch_size=500)
    for report in (AnnualReport.objects.filter(year=year, department_id__in=missing)
                   .select_related("rule_version")):
        inbox_add(users=department_signers([report.department_id]), key=_task_key(report),
                  title=_("报送 %(year)d 年度共享情况报告") % {"year": year}, url=_url(report),
                  due_on=report.due_on, target=report,
                  rule=rule_of(report.rule_version, report.due_rule)
                  if report.rule_version_id else None)
    return len(missing)


def _locked(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update().select_related("department").get(pk=report.pk)


@transaction.atomic
def annual_report_refresh(*, actor: User, report: AnnualReport) -> AnnualReport:
    """Re-draft the platform figures (the department's text is kept)."""
    report = _locked(report)
    if not can_edit_annual_report(actor, report):
        raise NotPermitted(_("您不能编辑该报告。"), target=report)
    if not report.is_editable:
        raise Conflict(_("报告已报送，不能再更新数据。"), target=report)
    report.figures = annual_figures([report.department_id], report.year)[report.department_id]
    report.figures_at = timezone.now()
    report.save()
    return report


@transaction.atomic
def annual_report_update(*, actor: User, report: AnnualReport, overview: str,
                         achievements: str = "", problems: str = "", next_steps: str = ""
                         ) -> AnnualReport:
    report = _locked(report)
    if not can_edit_annual_report(actor, report):
        raise NotPermitted(_("您不能编辑该报告。"), target=report)
    if not report.is_editable:
        raise Conflict(_("报告已报送，不能再修改。"), target=report)
    report.overview = overview.strip()
    report.achievements, report.problems = achievements.strip(), problems.strip()
    report.next_steps = next_steps.strip()
    report.save()
    return report


@transaction.atomic
def annual_report_submit(*, actor: User, report: AnnualReport) -> AnnualReport:
    report = _locked(report)
    if not can_submit_annual_report(actor, report):
        raise NotPermitted(_("只有数据管理员或第一责任人可以报送年度报告。"), target=report)
    required_text(report.overview, "overview", _("请填写总体情况后再报送。"))
    transition_apply(obj=report, table=ANNUAL_REPORT_TRANSITIONS, action="submit", actor=actor,
                     save=False)
    report.submitted_by, report.submitted_at = actor, timezone.now()
    report.save()
    inbox_close(key=_task_key(report))
    notify(users=authority_users(report.department.region_id),
           key=f"assessment:annual:{report.pk}:submitted:{report.submitted_at:%Y%m%d%H%M%S}",
           title=_("%(dept)s 已报送 %(year)d 年度共享情况报告") % {
               "dept": report.department.name, "year": report.year}, url=_url(report))
    return report


@transaction.atomic
def annual_report_return(*, actor: User, report: AnnualReport, comment: str) -> AnnualReport:
    report = _locked(report)
    if not can_review_annual_report(actor, report):
        raise NotPermitted(_("您不能审阅该报告。"), target=report)
    comment = required_text(comment, "comment", _("请写明需要修改的内容。"))
    event = transition_apply(obj=report, table=ANNUAL_REPORT_TRANSITIONS, action="return",
                             actor=actor, comment=comment, save=False)
    report.review_comment = comment
    report.save()
    inbox_add(users=department_signers([report.department_id]),
              key=f"{_task_key(report)}:returned:{event.pk}",
              title=_("年度共享情况报告被退回修改"), url=_url(report), due_on=report.due_on,
              target=report)
    return report


@transaction.atomic
def annual_report_accept(*, actor: User, report: AnnualReport, comment: str = "") -> AnnualReport:
    report = _locked(report)
    if not can_review_annual_report(actor, report):
        raise NotPermitted(_("您不能审阅该报告。"), target=report)
    transition_apply(obj=report, table=ANNUAL_REPORT_TRANSITIONS, action="accept", actor=actor,
                     comment=comment, save=False)
    report.review_comment = comment
    report.save()
    return report


def _reminder_level(report: AnnualReport, today: date,
                    reminder_days: dict[int | None, list[int]]) -> int | None:
    """The reminder due today for ``report``: the smallest of its region's reminder days
    (``assessment.annual_report_reminder_days``, working days before the due date) that
    the days left have reached, or None. Each level is sent once (keyed by it).
    ``reminder_days`` caches the levels per region for one sweep."""
    region_id = report.department.region_id
    if region_id not in reminder_days:
        reminder_days[region_id] = rule_of(
            region_rules(region_id), "assessment.annual_report_reminder_days").value
    left = working_days_between(today, report.due_on)
    return min((days for days in reminder_days[region_id] if left <= days), default=None)


def annual_reports_sweep(*, today: date | None = None) -> dict[str, int]:
    """The daily job: draft in January, remind mid-January and on the reminder days of
    the region's pack before the due date, flag overdue reports after it. Every message
    is keyed."""
    today = today or timezone.localdate()
    year = today.year - 1
    done = {"drafted": 0, "reminded": 0, "overdue": 0}
    if today.month not in (1, 2, 3):
        return done
    if today.month in (1, 2):
        done["drafted"] = annual_reports_prepare(year=year)
    pending = AnnualReport.objects.filter(
        year=year, status__in=[AnnualReport.Status.DRAFT, AnnualReport.Status.RETURNED],
    ).select_related("department")
    reminder_days: dict[int | None, list[int]] = {}
    for report in pending:
        recipients = department_signers([report.department_id])
        args = {"year": year, "due": f"{report.due_on:%Y-%m-%d}"}
        if today.month == 1:
            if today.day < JANUARY_REMINDER_DAY:
                continue
            done["reminded"] += bool(notify(
                users=recipients, key=f"{_task_key(report)}:january",
                title=_("请于 %(due)s 前报送 %(year)d 年度共享情况报告") % args, url=_url(report),
                level=Notification.Level.REMINDER))
        elif today <= report.due_on:
            level = _reminder_level(report, today, reminder_days)
            if level is None:
                continue
            done["reminded"] += bool(notify(
                users=recipients, key=f"{_task_key(report)}:final:{level}",
                title=_("%(year)d 年度共享情况报告将于 %(due)s 截止报送") % args, url=_url(report),
                level=Notification.Level.REMINDER))
        elif today > report.due_on:
            users = list(recipients) + list(department_heads(report.department_id)) + list(
                authority_users(report.department.region_id))
            done["overdue"] += bool(notify(
                users=users, key=f"{_task_key(report)}:overdue",
                title=_("%(dept)s %(year)d 年度共享情况报告逾期未报送") % {
                    **args, "dept": report.department.name},
                url=_url(report), level=Notification.Level.ESCALATION))
    return done
