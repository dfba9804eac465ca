"""Pages for everyone's overview and the platform roles: disputes, co-reviewers'
sign-offs, the published negative list (S11) and the record of responses (S12)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import get_visible_or_404
from portal.models import Department
from portal.refusals import perform

from ..exports import xlsx_bytes
from ..forms import CoReviewForm
from ..models import ShareRequest
from ..policies import can_sign_co_review, can_view_negative_list, can_view_responses_record
from ..selectors import co_reviews_for, disputes_visible, negative_list, responses_record
from ..services.co_reviews import co_review_sign

S = ShareRequest.Status


@login_required
def dispute_list(request):
    qs = disputes_visible(request.user).order_by("-dispute__opened_at")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "sharing/dispute_list.html", {"page": page, "active_tab": "disputes"})


@login_required
def co_review_list(request):
    page = Paginator(co_reviews_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "sharing/co_review_list.html", {"page": page,
                                                           "active_tab": "reviews"})


@login_required
def co_review(request, pk: int):
    review = get_visible_or_404(request, co_reviews_for(request.user), pk=pk)
    form = CoReviewForm(request.POST or None, instance=review)
    may_sign = can_sign_co_review(request.user, review)
    if request.method == "POST" and may_sign and form.is_valid():
        if perform(request, lambda: co_review_sign(
                actor=request.user, review=review, decision=form.cleaned_data["decision"],
                opinion=form.cleaned_data["opinion"]), form=form, success=_("会审意见已签署。")):
            return redirect("sharing:co_review", pk=pk)
    round_items = (review.review_round.items.select_related("resource__provider")
                   if review.review_round_id else [])
    return render(request, "sharing/co_review.html", {
        "review": review, "form": form, "may_sign": may_sign, "round_items": round_items,
        "active_tab": "reviews"})


@login_required
def negative_list_view(request):
    if not can_view_negative_list(request.user):
        raise PermissionDenied
    search = request.GET.get("q", "").strip()
    page = Paginator(negative_list(request.user, search), 50).get_page(request.GET.get("page"))
    return render(request, "sharing/negative_list.html", {"page": page, "q": search,
                                                          "active_tab": "negative"})


RESPONSE_HEADER = [_("申请编号"), _("申请部门"), _("提供部门"), _("信息资源"), _("用途"),
                   _("状态"), _("提交时间"), _("答复期限"), _("答复时间"), _("答复用时（工作日）"),
                   _("是否超期"), _("答复结果"), _("不予共享理由"), _("协商协调结果"),
                   _("办结时间")]


def _response_filters(request, qs):
    get = request.GET
    if get.get("provider"):
        qs = qs.filter(provider_id=get["provider"])
    if get.get("applicant"):
        qs = qs.filter(applicant_id=get["applicant"])
    if get.get("status") in S.values:
        qs = qs.filter(status=get["status"])
    if get.get("late") == "1":
        qs = qs.filter(answered_late=True)
    if get.get("from"):
        qs = qs.filter(submitted_at__date__gte=get["from"])
    if get.get("to"):
        qs = qs.filter(submitted_at__date__lte=get["to"])
    return qs


def _lateness(r: ShareRequest) -> str:
    if r.answered_at is not None:
        return _("是") if r.answered_late else _("否")
    if r.answer_due_on and r.status == S.PROVIDER_REVIEW and timezone.localdate() > r.answer_due_on:
        return _("超期未答复")
    return ""


def _response_row(r: ShareRequest) -> list:
    dispute = getattr(r, "dispute", None)
    return [r.number, r.applicant.name, r.provider.name, r.resource.name,
            r.get_purpose_display(), r.get_status_display(), r.submitted_at, r.answer_due_on,
            r.answered_at, r.answer_working_days, _lateness(r),
            r.get_answer_display() or _("未答复"), r.refusal_reason, dispute.get_outcome_display() if dispute else "",
            r.closed_at]


@login_required
def responses_view(request):
    """S12: every demand and how and when it was answered; XLSX export of the filter."""
    if not can_view_responses_record(request.user):
        raise PermissionDenied
    qs = _response_filters(request, responses_record(request.user))
    if request.GET.get("export") == "xlsx":
        content = xlsx_bytes(_("共享需求响应记录"), RESPONSE_HEADER,
                             (_response_row(r) for r in qs.iterator(chunk_size=500)))
        response = HttpResponse(content, content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        name = f"sharing-responses-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "sharing/responses.html", {
        "page": page, "rows": [(r, _response_row(r)) for r in page.object_list],
        "header": RESPONSE_HEADER, "statuses": S.choices, "active_tab": "responses",
        "departments": Department.objects.filter(is_active=True).order_by("name"),
        "filters": request.GET,
    })
