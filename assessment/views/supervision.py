"""Rectification notices (A5), annual sharing reports (A6), complaints (A7), evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment.forms import (
    AnnualReportForm,
    CommentForm,
    ComplaintAnswerForm,
    ComplaintForm,
    NoticeCreateForm,
    NoticeIssueForm,
    NoticeReportForm,
    NoticeReturnForm,
    ReasonForm,
    StatementForm,
)
from assessment.models import AnnualReport, Complaint, RectificationNotice
from assessment.policies import (
    can_edit_annual_report,
    can_file_complaint,
    can_handle_complaint,
    can_manage_assessments,
    can_manage_notice,
    can_report_notice,
    can_review_annual_report,
    can_state_on_complaint,
    can_submit_annual_report,
    managed_region_ids,
)
from assessment.selectors import (
    annual_reports_visible,
    complaint_targets,
    complaints_visible,
    evidence_by_parent,
    evidence_for,
    evidence_visible_or_404,
    notices_visible,
)
from assessment.services import annual_reports, complaints, rectification
from assessment.views.plans import form_error_message
from portal.access import get_visible_or_404
from portal.models import Department
from portal.params import object_id
from portal.refusals import perform
from portal.workflow import workflow_events


def _paginate(request, queryset):
    return Paginator(queryset, 20).get_page(request.GET.get("page"))


# -- rectification notices ----------------------------------------------------------------

@login_required
def notice_list(request):
    notices = notices_visible(request.user)
    status = request.GET.get("status", "")
    if status in RectificationNotice.Status.values:
        notices = notices.filter(status=status)
    return render(request, "assessment/notice_list.html", {
        "page": _paginate(request, notices), "status": status,
        "statuses": RectificationNotice.Status.choices, "today": timezone.localdate(),
        "can_create": can_manage_assessments(request.user)})


@login_required
def notice_create(request):
    if not can_manage_assessments(request.user):
        raise PermissionDenied
    regions = managed_region_ids(request.user)
    departments = Department.objects.filter(is_active=True).exclude(
        kind__in=[Department.Kind.AUTHORITY, Department.Kind.INFORMATION_CENTER])
    if regions is not None:
        departments = departments.filter(region_id__in=regions)
    form = NoticeCreateForm(request.POST or None, request.FILES or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        notice = perform(request, lambda: rectification.notice_create(
            actor=request.user, department=data["department"], violation=data["violation"],
            facts=data["facts"], requirement=data["requirement"], due_on=data["due_on"],
            files=data["files"]), form=form, success=_("整改通知已下发。"))
        if notice:
            return redirect("assessment:notice_detail", notice.pk)
    return render(request, "assessment/notice_form.html", {"form": form})


@login_required
def notice_detail(request, pk: int):
    notice = get_visible_or_404(request, notices_visible(request.user), pk=pk)
    reports = list(notice.reports.select_related("submitted_by", "reviewed_by"))
    manager = can_manage_notice(request.user, notice)
    return render(request, "assessment/notice_detail.html", {
        "notice": notice, "reports": reports, "manager": manager,
        "evidence": evidence_for(notice), "report_evidence": evidence_by_parent(reports),
        "events": workflow_events(notice),
        "can_report": can_report_notice(request.user, notice) and notice.is_open,
        "issue_form": NoticeIssueForm(), "dismiss_form": ReasonForm(),
        "report_form": NoticeReportForm(), "return_form": NoticeReturnForm(),
        "accept_form": CommentForm(),
    })


@login_required
@require_POST
def notice_action(request, pk: int, action: str):
    notice = get_visible_or_404(request, notices_visible(request.user), pk=pk)
    user, post = request.user, request.POST
    if action == "issue":
        form = NoticeIssueForm(post)
        call = form.is_valid() and (lambda: rectification.notice_issue(
            actor=user, notice=notice, due_on=form.cleaned_data["due_on"],
            requirement=form.cleaned_data["requirement"]))
        success = _("整改通知已下发。")
    elif action == "dismiss":
        form = ReasonForm(post)
        call = lambda: rectification.notice_dismiss(  # noqa: E731
            actor=user, notice=notice, reason=post.get("reason", ""))
        success = _("已不予下发。")
    elif action == "report":
        form = NoticeReportForm(post, request.FILES)
        call = form.is_valid() and (lambda: rectification.notice_report(
            actor=user, notice=notice, body=form.cleaned_data["body"],
            files=form.cleaned_data["files"]))
        success = _("整改报告已报送。")
    elif action == "accept":
        form = CommentForm(post)
        call = lambda: rectification.notice_accept(  # noqa: E731
            actor=user, notice=notice, comment=post.get("comment", ""))
        success = _("已确认整改完成。")
    elif action == "return":
        form = NoticeReturnForm(post)
        call = form.is_valid() and (lambda: rectification.notice_return(
            actor=user, notice=notice, comment=form.cleaned_data["comment"],
            due_on=form.cleaned_data["due_on"]))
        success = _("整改报告已退回。")
    else:
        raise PermissionDenied
    if call:
        perform(request, call, success=success)
    else:
        messages.error(request, form_error_message(form))
    return redirect("assessment:notice_detail", notice.pk)


# -- annual sharing reports ---------------------------------------------------------------

@login_required
def annual_report_list(request):
    reports = annual_reports_visible(request.user)
    year = request.GET.get("year", "")
    if (chosen := object_id(year)) is not None:
        reports = reports.filter(year=chosen)
    return render(request, "assessment/annual_report_list.html", {
        "page": _paginate(request, reports), "year": year, "today": timezone.localdate(),
        "can_prepare": can_manage_assessments(request.user),
        "last_year": timezone.localdate().year - 1})


@login_required
@require_POST
def annual_reports_prepare(request):
    if not can_manage_assessments(request.user):
        raise PermissionDenied
    regions = managed_region_ids(request.user)
    departments = None
    if regions is not None:
        departments = list(Department.objects.filter(region_id__in=regions)
                           .values_list("pk", flat=True))
    year = timezone.localdate().year - 1
    made = annual_reports.annual_reports_prepare(year=year, department_ids=departments)
    messages.success(request, _("已生成 %(n)d 份 %(year)d 年度共享情况报告初稿。")
                     % {"n": made, "year": year})
    return redirect("assessment:annual_report_list")


@login_required
def annual_report_detail(request, pk: int):
    report = get_visible_or_404(request, annual_reports_visible(request.user), pk=pk)
    editable = report.is_editable and can_edit_annual_report(request.user, report)
    form = AnnualReportForm(request.POST or None, instance=report)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            saved = perform(request, lambda: annual_reports.annual_report_update(
                actor=request.user, report=report, **data), form=form,
                success="" if "submit" in request.POST else _("报告已保存。"))
            if saved and "submit" in request.POST:
                perform(request, lambda: annual_reports.annual_report_submit(
                    actor=request.user, report=report), success=_("报告已报送。"))
            if saved:
                return redirect("assessment:annual_report_detail", report.pk)
    return render(request, "assessment/annual_report_detail.html", {
        "report": report, "form": form, "editable": editable,
        "can_submit": can_submit_annual_report(request.user, report),
        "can_review": can_review_annual_report(request.user, report)
        and report.status == AnnualReport.Status.SUBMITTED,
        "review_form": CommentForm(), "events": workflow_events(report)})


@login_required
@require_POST
def annual_report_action(request, pk: int, action: str):
    report = get_visible_or_404(request, annual_reports_visible(request.user), pk=pk)
    user, comment = request.user, request.POST.get("comment", "")
    actions = {
        "refresh": (lambda: annual_reports.annual_report_refresh(actor=user, report=report),
                    _("平台数据已更新。")),
        "return": (lambda: annual_reports.annual_report_return(actor=user, report=report,
                                                               comment=comment),
                   _("报告已退回修改。")),
        "accept": (lambda: annual_reports.annual_report_accept(actor=user, report=report,
                                                               comment=comment),
                   _("报告已审阅。")),
    }
    if action not in actions:
        raise PermissionDenied
    call, success = actions[action]
    perform(request, call, success=success)
    return redirect("assessment:annual_report_detail", report.pk)


# -- complaints ------------------------------------------------------------------------------

@login_required
def complaint_list(request):
    return render(request, "assessment/complaint_list.html", {
        "page": _paginate(request, complaints_visible(request.user)),
        "today": timezone.localdate(), "can_file": can_file_complaint(request.user)})


@login_required
def complaint_create(request):
    if not can_file_complaint(request.user):
        raise PermissionDenied
    form = ComplaintForm(request.POST or None, request.FILES or None,
                         respondents=complaint_targets(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        complaint = perform(request, lambda: complaints.complaint_submit(
            actor=request.user, respondent=data["respondent"], violation=data["violation"],
            subject=data["subject"], description=data["description"], files=data["files"]),
            form=form, success=_("投诉已提交，主管部门将在期限内书面答复。"))
        if complaint:
            return redirect("assessment:complaint_detail", complaint.pk)
    return render(request, "assessment/complaint_form.html", {"form": form})


@login_required
def complaint_detail(request, pk: int):
    complaint = get_visible_or_404(request, complaints_visible(request.user), pk=pk)
    handler = can_handle_complaint(request.user, complaint)
    return render(request, "assessment/complaint_detail.html", {
        "complaint": complaint, "handler": handler, "evidence": evidence_for(complaint),
        "events": workflow_events(complaint),
        "can_state": can_state_on_complaint(request.user, complaint)
        and complaint.status == Complaint.Status.HANDLING,
        "answer_form": ComplaintAnswerForm(), "reject_form": CommentForm(),
        "statement_form": StatementForm(initial={"statement": complaint.respondent_statement}),
    })


@login_required
@require_POST
def complaint_action(request, pk: int, action: str):
    complaint = get_visible_or_404(request, complaints_visible(request.user), pk=pk)
    user, post = request.user, request.POST
    if action == "answer":
        form = ComplaintAnswerForm(post)
        if not form.is_valid():
            messages.error(request, form_error_message(form))
            return redirect("assessment:complaint_detail", complaint.pk)
        data = form.cleaned_data
        call = lambda: complaints.complaint_answer(  # noqa: E731
            actor=user, complaint=complaint, answer=data["answer"],
            issue_notice=data["issue_notice"], notice_due_on=data["notice_due_on"])
        success = _("已书面答复。")
    elif action == "accept":
        call = lambda: complaints.complaint_accept(  # noqa: E731
            actor=user, complaint=complaint, comment=post.get("comment", ""))
        success = _("已受理。")
    elif action == "reject":
        call = lambda: complaints.complaint_reject(  # noqa: E731
            actor=user, complaint=complaint, answer=post.get("comment", ""))
        success = _("已答复不予受理。")
    elif action == "state":
        call = lambda: complaints.complaint_state(  # noqa: E731
            actor=user, complaint=complaint, statement=post.get("statement", ""))
        success = _("情况说明已提交。")
    else:
        raise PermissionDenied
    perform(request, call, success=success)
    return redirect("assessment:complaint_detail", complaint.pk)


# -- evidence -------------------------------------------------------------------------------

@login_required
def evidence_download(request, pk: int):
    evidence = evidence_visible_or_404(request, pk)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)
