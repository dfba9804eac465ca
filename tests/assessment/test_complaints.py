"""A7: a department complains about another's violation; the authority handles it and
answers in writing by a deadline."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment.models import Complaint, RectificationNotice, Violation
from assessment.selectors import complaints_visible
from assessment.services import complaints
from portal.deadlines import deadlines_sweep
from portal.errors import Conflict, IllegalTransition, NotPermitted, ValidationFailed
from portal.workdays import add_working_days

pytestmark = pytest.mark.django_db


def file(actor, respondent, **kw):
    return complaints.complaint_submit(
        actor=actor, respondent=respondent, violation=Violation.SHARING_DELAYED,
        subject="共享申请长期不答复", description="3 月提交的申请至今未答复", **kw)


def test_a7_complaint_handled_and_answered_in_writing(admin_a, admin_b, other_department,
                                                      department, authority):
    evidence = SimpleUploadedFile("截图.png", b"\x89PNG\r\n\x1a\n")
    complaint = file(admin_a, other_department, files=[evidence])
    assert complaint.due_on == add_working_days(timezone.localdate(), 15)
    assert complaint.number and complaint.complainant == department
    assert authority.inbox_items.filter(key=f"assessment:complaint:{complaint.pk}:handle").exists()
    assert complaint not in complaints_visible(admin_b)  # not yet accepted

    complaints.complaint_accept(actor=authority, complaint=complaint)
    assert complaint in complaints_visible(admin_b)
    complaints.complaint_state(actor=admin_b, complaint=complaint, statement="系统故障，已修复")
    complaints.complaint_answer(actor=authority, complaint=complaint,
                                answer="经核查属实，责令整改", issue_notice=True)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED and complaint.answered_at
    assert complaint.notice.department == other_department
    assert complaint.notice.source == RectificationNotice.Source.COMPLAINT
    assert admin_a.notifications.filter(key=f"assessment:complaint:{complaint.pk}:answered").exists()
    assert not authority.inbox_items.filter(done_at__isnull=True).exists()


def test_a7_rejection_is_a_written_answer(admin_a, other_department, authority):
    complaint = file(admin_a, other_department)
    with pytest.raises(ValidationFailed):
        complaints.complaint_reject(actor=authority, complaint=complaint, answer="")
    complaints.complaint_reject(actor=authority, complaint=complaint, answer="不属于本办法调整范围")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.REJECTED and complaint.answer


def test_a7_rules(admin_a, clerk_a, department, other_department, authority, admin_b):
    with pytest.raises(NotPermitted):
        file(clerk_a, other_department)
    with pytest.raises(ValidationFailed):
        file(admin_a, department)
    complaint = file(admin_a, other_department)
    with pytest.raises(NotPermitted):
        complaints.complaint_accept(actor=admin_b, complaint=complaint)
    with pytest.raises(IllegalTransition):
        complaints.complaint_answer(actor=authority, complaint=complaint, answer="x")
    with pytest.raises(Conflict):
        complaints.complaint_state(actor=admin_b, complaint=complaint, statement="x")


def test_a7_overdue_complaint_is_flagged_once(admin_a, other_department, authority):
    complaint = file(admin_a, other_department)
    later = complaint.due_on + timedelta(days=1)
    assert deadlines_sweep(today=later)["assessment.complaint"].escalated == 1
    assert deadlines_sweep(today=later)["assessment.complaint"].escalated == 0
    assert authority.notifications.filter(
        key=f"assessment:complaint:{complaint.pk}:s1:escalation").exists()
