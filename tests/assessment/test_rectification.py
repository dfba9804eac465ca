"""A5: rectification notices — issued by the authority or proposed from the computed
indicators, answered with a report, escalated once when overdue with the consequence."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment.models import RectificationNotice, Violation
from assessment.selectors import departments_under_consequence, notices_visible
from assessment.services import rectification
from portal.deadlines import deadlines_sweep
from portal.errors import IllegalTransition, NotPermitted, ValidationFailed
from portal.models import Notification, WorkflowEvent
from tests.assessment import builders
from tests.assessment.helpers import computed

pytestmark = pytest.mark.django_db


def issue(authority, department, **kw):
    return rectification.notice_create(
        actor=authority, department=department, violation=Violation.CATALOG_NOT_UPDATED,
        facts="目录未按期更新", **kw)


def test_a5_rectification_proposed_for_an_overdue_catalog(plan, department, other_department,
                                                          authority):
    builders.change_event(department, due_on=date(2025, 5, 6), status="open")
    builders.change_event(other_department, due_on=date(2025, 5, 6), status="done",
                          completed_on=date(2025, 5, 1))
    run = computed(plan)
    notice = RectificationNotice.objects.get()
    assert run.proposals == 1
    assert (notice.department, notice.violation, notice.status, notice.source) == (
        department, Violation.CATALOG_NOT_UPDATED, RectificationNotice.Status.PROPOSED,
        RectificationNotice.Source.COMPUTED)
    assert notice.indicator_code == "catalog_update_timeliness"
    assert notice.figures["open_overdue"] == 1 and "15 个工作日" in notice.facts
    assert authority.notifications.filter(key__contains=":proposals:").exists()
    computed(plan)  # proposed once per plan, department and indicator
    assert RectificationNotice.objects.count() == 1


def test_a5_rectification_proposed_for_unanswered_requests(plan, department, other_department):
    builders.share_request(department, other_department, due_on=date(2025, 6, 13))
    computed(plan)
    notice = RectificationNotice.objects.get()
    assert notice.violation == Violation.SHARING_DELAYED and notice.department == department


def test_a5_proposals_are_visible_to_the_authority_only_until_issued(plan, department, authority,
                                                                    admin_a):
    builders.change_event(department, due_on=date(2025, 5, 6), status="open")
    computed(plan)
    notice = RectificationNotice.objects.get()
    assert notice in notices_visible(authority)
    assert notice not in notices_visible(admin_a)
    rectification.notice_issue(actor=authority, notice=notice)
    notice.refresh_from_db()
    assert notice in notices_visible(admin_a)
    assert notice.status == RectificationNotice.Status.ISSUED and notice.number
    assert admin_a.inbox_items.filter(key=f"assessment:notice:{notice.pk}:rectify").exists()


def test_a5_issue_report_accept(authority, department, admin_a, head_a, clerk_a):
    notice = issue(authority, department, due_on=timezone.localdate() + timedelta(days=10))
    assert notice.basis.startswith("《政务信息资源共享管理暂行办法》第二十四条")
    assert head_a.notifications.filter(key=f"assessment:notice:{notice.pk}:issued").exists()
    with pytest.raises(NotPermitted):
        rectification.notice_report(actor=clerk_a, notice=notice, body="已整改")
    pdf = SimpleUploadedFile("整改.pdf", b"%PDF-1.4")
    report = rectification.notice_report(actor=admin_a, notice=notice, body="已更新目录",
                                         files=[pdf])
    assert not admin_a.inbox_items.filter(done_at__isnull=True).exists()
    assert authority.inbox_items.filter(key__contains=f":review:{report.pk}").exists()
    rectification.notice_accept(actor=authority, notice=notice, comment="整改到位")
    notice.refresh_from_db()
    report.refresh_from_db()
    assert notice.status == RectificationNotice.Status.ACCEPTED and notice.closed_at
    assert report.review_comment == "整改到位"


def test_a5_returned_report_reopens_the_task(authority, department, admin_a):
    notice = issue(authority, department)
    rectification.notice_report(actor=admin_a, notice=notice, body="已整改")
    rectification.notice_return(actor=authority, notice=notice, comment="仍有 3 条未更新",
                                due_on=timezone.localdate() + timedelta(days=5))
    notice.refresh_from_db()
    assert notice.status == RectificationNotice.Status.RETURNED
    assert admin_a.inbox_items.filter(done_at__isnull=True, key__contains=":again:").exists()
    rectification.notice_report(actor=admin_a, notice=notice, body="已全部更新")
    assert not admin_a.inbox_items.filter(done_at__isnull=True).exists()


def escalated(today):
    return deadlines_sweep(today=today)["assessment.notice"].escalated


def test_a5_overdue_notice_is_escalated_once_with_consequence(authority, department, head_a):
    notice = issue(authority, department, due_on=timezone.localdate() + timedelta(days=1))
    later = timezone.localdate() + timedelta(days=3)
    assert escalated(later) == 1
    assert escalated(later) == 0
    notice.refresh_from_db()
    assert notice.status == RectificationNotice.Status.ESCALATED and notice.escalated_at
    assert notice.project_hold and notice.funding_hold and "运维经费" in notice.consequence
    assert department in departments_under_consequence()
    notes = Notification.objects.filter(key=f"assessment:notice:{notice.pk}:s1:escalation")
    assert {n.user for n in notes} == {head_a, authority}
    assert notes.first().level == Notification.Level.ESCALATION
    assert WorkflowEvent.objects.filter(action="escalate", target_id=str(notice.pk)).count() == 1


def test_a5_escalated_notice_can_still_be_rectified(authority, department, admin_a):
    notice = issue(authority, department, due_on=timezone.localdate() + timedelta(days=1))
    escalated(timezone.localdate() + timedelta(days=3))
    rectification.notice_report(actor=admin_a, notice=notice, body="已整改")
    rectification.notice_accept(actor=authority, notice=notice)
    assert department not in departments_under_consequence()


def test_a5_notices_not_yet_due_or_reported_are_not_escalated(authority, department, admin_a):
    issue(authority, department, due_on=timezone.localdate() + timedelta(days=30))
    reported = issue(authority, department, due_on=timezone.localdate() + timedelta(days=1))
    rectification.notice_report(actor=admin_a, notice=reported, body="已整改")
    assert escalated(timezone.localdate() + timedelta(days=5)) == 0


def test_a5_reminder_before_the_deadline_is_sent_once(authority, department, admin_a):
    notice = issue(authority, department, due_on=timezone.localdate() + timedelta(days=1))
    assert deadlines_sweep()["assessment.notice"].reminded == 1
    assert deadlines_sweep()["assessment.notice"].reminded == 0
    assert admin_a.notifications.filter(key__startswith=f"assessment:notice:{notice.pk}:s1:reminder")\
        .count() == 1


def test_a5_violation_types_cover_the_regulations():
    assert {Violation.PROJECT_CATALOG_MISSING, Violation.PROJECT_NOT_REGISTERED,
            Violation.CATALOG_NOT_UPDATED, Violation.SHARING_DELAYED, Violation.DATA_INCONSISTENT,
            Violation.MISUSE, Violation.SHARING_NOT_SUSTAINED, Violation.OTHER} <= set(Violation)


def test_a5_only_the_authority_issues_and_deadline_is_future(authority, department, admin_b,
                                                             city_authority):
    with pytest.raises(NotPermitted):
        issue(admin_b, department)
    with pytest.raises(NotPermitted):
        issue(city_authority, department)  # a lower authority does not supervise the province
    with pytest.raises(ValidationFailed):
        issue(authority, department, due_on=date(2020, 1, 1))


def test_a5_dismissed_proposal_cannot_be_issued(plan, department, authority):
    builders.change_event(department, due_on=date(2025, 5, 6), status="open")
    computed(plan)
    notice = RectificationNotice.objects.get()
    with pytest.raises(ValidationFailed):
        rectification.notice_dismiss(actor=authority, notice=notice, reason="")
    rectification.notice_dismiss(actor=authority, notice=notice, reason="职能调整已撤销")
    with pytest.raises(IllegalTransition):
        rectification.notice_issue(actor=authority, notice=notice)
