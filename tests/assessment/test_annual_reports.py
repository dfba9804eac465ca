"""A6: the annual sharing report — drafted from platform data in January, edited, submitted
by the end of February, reminders and the overdue notice sent once."""

from datetime import date

import pytest

from assessment.models import AnnualReport
from assessment.services import annual_reports
from portal.errors import Conflict, NotPermitted, ValidationFailed
from portal.models import Department, Notification, RulePack
from portal.rules import rule_pack_copy, rule_pack_save
from tests.assessment import builders

pytestmark = pytest.mark.django_db


def test_a6_january_sweep_drafts_from_platform_data(department, other_department, authority_department,
                                                    admin_a, clerk_a):
    builders.resource(department)
    builders.resource(department, sharing_type="conditional", legal_basis="《条例》")
    done = annual_reports.annual_reports_sweep(today=date(2026, 1, 2))
    report = AnnualReport.objects.get(department=department, year=2025)
    assert done["drafted"] == 2  # the authority itself does not report
    assert not AnnualReport.objects.filter(department__kind=Department.Kind.AUTHORITY).exists()
    assert report.due_on == date(2026, 2, 28)
    registered = next(r for r in report.figures["indicators"] if r["code"] == "catalog_registered")
    assert registered["value"] == "2"
    assert "已注册目录数量：2条" in report.overview
    assert admin_a.inbox_items.filter(key=f"assessment:annual:2025:{department.pk}").exists()
    assert not clerk_a.inbox_items.exists()
    again = annual_reports.annual_reports_sweep(today=date(2026, 1, 3))
    assert again["drafted"] == 0 and AnnualReport.objects.count() == 2


def test_a6_r8_final_reminders_follow_the_regions_pack(department, admin_a):
    """A6/R8: the reminders before the due date are the region's pack rule
    (``assessment.annual_report_reminder_days``, working days before), each sent once."""
    pack = department.region.rule_pack or RulePack.objects.get(is_default=True)
    copy = rule_pack_copy(actor=None, pack=pack, code="local-reports", name="本地规则")
    copy.rules["assessment.annual_report_reminder_days"]["value"] = [10, 2]
    rule_pack_save(actor=None, pack=copy)
    department.region.rule_pack = copy
    department.region.save()
    annual_reports.annual_reports_sweep(today=date(2026, 1, 2))
    key = f"assessment:annual:2025:{department.pk}"
    # Due Saturday 28 February 2026, a make-up working day, as is Saturday 14 February;
    # the Spring Festival holiday runs 15–23 February: 10 working days before is Monday 9 February.
    for day, sent in [(date(2026, 2, 6), 0), (date(2026, 2, 9), 1), (date(2026, 2, 14), 0),
                      (date(2026, 2, 25), 0), (date(2026, 2, 26), 1), (date(2026, 2, 27), 0)]:
        assert annual_reports.annual_reports_sweep(today=day)["reminded"] == sent, day
    assert sorted(admin_a.notifications.filter(key__startswith=f"{key}:final")
                  .values_list("key", flat=True)) == [f"{key}:final:10", f"{key}:final:2"]


def test_a6_january_reminder_then_final_reminder_then_overdue_each_once(department, admin_a, head_a,
                                                                         authority):
    annual_reports.annual_reports_sweep(today=date(2026, 1, 2))
    assert annual_reports.annual_reports_sweep(today=date(2026, 1, 5))["reminded"] == 0
    assert annual_reports.annual_reports_sweep(today=date(2026, 1, 15))["reminded"] >= 1
    assert annual_reports.annual_reports_sweep(today=date(2026, 1, 16))["reminded"] == 0
    assert annual_reports.annual_reports_sweep(today=date(2026, 2, 24))["reminded"] >= 1
    assert annual_reports.annual_reports_sweep(today=date(2026, 2, 25))["reminded"] == 0
    assert annual_reports.annual_reports_sweep(today=date(2026, 3, 2))["overdue"] >= 1
    assert annual_reports.annual_reports_sweep(today=date(2026, 3, 3))["overdue"] == 0
    key = f"assessment:annual:2025:{department.pk}"
    assert admin_a.notifications.filter(key=f"{key}:january").count() == 1
    assert admin_a.notifications.filter(key=f"{key}:final:5").count() == 1
    overdue = Notification.objects.filter(key=f"{key}:overdue")
    assert {head_a, authority} <= {n.user for n in overdue}


def test_a6_edit_submit_review(department, clerk_a, admin_a, authority):
    annual_reports.annual_reports_prepare(year=2025)
    report = AnnualReport.objects.get(department=department)
    annual_reports.annual_report_update(actor=clerk_a, report=report, overview="总体良好",
                                        achievements="新增共享资源 10 条")
    with pytest.raises(NotPermitted):
        annual_reports.annual_report_submit(actor=clerk_a, report=report)
    annual_reports.annual_report_submit(actor=admin_a, report=report)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED and report.submitted_by == admin_a
    with pytest.raises(Conflict):
        annual_reports.annual_report_update(actor=clerk_a, report=report, overview="改")
    annual_reports.annual_report_return(actor=authority, report=report, comment="请补充问题分析")
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.RETURNED
    annual_reports.annual_report_submit(actor=admin_a, report=report)
    annual_reports.annual_report_accept(actor=authority, report=report)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.ACCEPTED


def test_a6_submission_needs_an_overview(department, admin_a):
    annual_reports.annual_reports_prepare(year=2025)
    report = AnnualReport.objects.get(department=department)
    annual_reports.annual_report_update(actor=admin_a, report=report, overview="")
    with pytest.raises(ValidationFailed):
        annual_reports.annual_report_submit(actor=admin_a, report=report)


def test_a6_other_departments_cannot_edit(department, admin_b):
    annual_reports.annual_reports_prepare(year=2025)
    report = AnnualReport.objects.get(department=department)
    with pytest.raises(NotPermitted):
        annual_reports.annual_report_update(actor=admin_b, report=report, overview="x")


def test_a6_refresh_redrafts_figures_keeps_text(department, admin_a):
    annual_reports.annual_reports_prepare(year=2025)
    report = AnnualReport.objects.get(department=department)
    annual_reports.annual_report_update(actor=admin_a, report=report, overview="我们的总结")
    builders.resource(department)
    report = annual_reports.annual_report_refresh(actor=admin_a, report=report)
    registered = next(r for r in report.figures["indicators"] if r["code"] == "catalog_registered")
    assert registered["value"] == "1" and report.overview == "我们的总结"


def test_a6_no_sweep_outside_the_reporting_season(department):
    assert annual_reports.annual_reports_sweep(today=date(2026, 6, 1)) == {
        "drafted": 0, "reminded": 0, "overdue": 0}
    assert not AnnualReport.objects.exists()
