"""Department and center pages of open data (``/open/manage/``): prepare, propose,
review with the masking sample, update, withdraw (O2, O3); decide applications (O5);
route and answer requests (HN-31); moderate comments (O4); review products (O7); open
plans (HN-25). Every action calls a service; the lists come from selectors."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import DataItem
from portal.access import get_visible_or_404
from portal.errors import DomainError
from portal.policies import is_center
from portal.refusals import refusal_show
from portal.workflow import workflow_events

from .. import policies, selectors
from ..data import masking_sample
from ..forms import (
    ApplicationDecisionForm,
    CommentModerationForm,
    DatasetCreateForm,
    DatasetMetadataForm,
    DecisionForm,
    FieldRulesForm,
    PlanItemForm,
    PlanNoteForm,
    ReasonForm,
    RequestAnswerForm,
    RequestRouteForm,
    UpdateSummaryForm,
)
from ..models import (
    TRANSITIONS,
    AccessApplication,
    Comment,
    DataRequest,
    Dataset,
    DatasetUpdate,
    OpenPlan,
    OpenPlanItem,
)
from ..services import datasets as ds
from ..services import demand as demand_services
from ..services import engagement as engagement_services
from ..services import products as product_services
from ..services.datasets import METADATA_FIELDS


def manage_required(view):
    """Department staff who prepare open data, and the center."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if not policies.can_use_manage_pages(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@manage_required
def home(request):
    user = request.user
    datasets = selectors.datasets_managed(user)
    counts = {s: datasets.filter(status=s).count() for s in Dataset.Status.values}
    plans = selectors.plans_managed(user).filter(year=timezone.localdate().year)
    return render(request, "opendata/manage/home.html", {
        "counts": counts, "statuses": Dataset.Status.choices,
        "recent": datasets.order_by("-updated_at")[:10],
        "to_review": selectors.datasets_to_review(user)[:20],
        "updates_to_review": selectors.updates_to_review(user)[:20],
        "applications": selectors.applications_to_decide(user).filter(
            status=AccessApplication.Status.SUBMITTED).order_by("due_on")[:20],
        "requests": selectors.requests_managed(user).filter(
            status__in=[DataRequest.Status.SUBMITTED, DataRequest.Status.ROUTED])
        .order_by("due_on")[:20],
        "pending_comments": selectors.comments_to_moderate(user).filter(
            status=Comment.Status.PENDING).count(),
        "plans": [(p, selectors.plan_progress(p)) for p in plans],
        "openable": selectors.resources_openable(user)[:50] if user.department_id else [],
        "is_center": is_center(user),
    })


@manage_required
def datasets(request):
    qs = selectors.datasets_managed(request.user).order_by("-updated_at")
    status = request.GET.get("status", "")
    if status in Dataset.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "opendata/manage/datasets.html", {
        "page": page, "status": status, "statuses": Dataset.Status.choices})


@manage_required
def dataset_new(request):
    resources = selectors.resources_openable(request.user)
    form = DatasetCreateForm(request.POST or None, resources=resources,
                             initial={"resource": request.GET.get("resource")})
    if request.method == "POST" and form.is_valid():
        try:
            dataset = ds.dataset_create(actor=request.user, resource=form.cleaned_data["resource"])
        except DomainError as exc:
            refusal_show(request, exc, form=form)
        else:
            messages.success(request, _("已建立开放数据集，请完善信息并设置开放字段和脱敏规则。"))
            return redirect("opendata:manage_dataset", pk=dataset.pk)
    return render(request, "opendata/manage/dataset_new.html", {"form": form})


def _managed(request, pk: int) -> Dataset:
    return get_visible_or_404(request, selectors.datasets_managed(request.user), pk=pk)


@manage_required
def dataset(request, pk: int):
    obj = _managed(request, pk)
    user = request.user
    return render(request, "opendata/manage/dataset.html", {
        "dataset": obj,
        "fields": obj.fields.select_related("item").order_by("position"),
        "events": workflow_events(obj),
        "actions": [t.action for t in TRANSITIONS.actions_from(obj.status)],
        "can_edit": policies.can_edit_dataset(user, obj),
        "can_propose": policies.can_propose_dataset(user, obj),
        "can_review": policies.can_review_dataset(user, obj),
        "can_withdraw": policies.can_withdraw_dataset(user, obj),
        "can_update": obj.status == Dataset.Status.PUBLISHED and policies.can_prepare_dataset(
            user, obj.publisher_id),
        "open_update": obj.updates.filter(status__in=[
            DatasetUpdate.Status.DRAFT, DatasetUpdate.Status.PROPOSED,
            DatasetUpdate.Status.RETURNED]).first(),
        "updates": obj.updates.order_by("-created_at")[:10],
        "withdraw_form": ReasonForm(),
    })


@manage_required
def dataset_edit(request, pk: int):
    obj = _managed(request, pk)
    if not policies.can_edit_dataset(request.user, obj):
        messages.error(request, _("当前状态下不能修改；已发布的数据集请提出更新。"))
        return redirect("opendata:manage_dataset", pk=pk)
    form = DatasetMetadataForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            ds.dataset_edit(actor=request.user, dataset=obj,
                            data={k: form.cleaned_data[k] for k in METADATA_FIELDS})
        except DomainError as exc:
            refusal_show(request, exc, form=form)
        else:
            messages.success(request, _("已保存。"))
            return redirect("opendata:manage_dataset", pk=pk)
    return render(request, "opendata/manage/dataset_edit.html", {"dataset": obj, "form": form})


def _rule_rows(resource, rules: list[dict]):
    by_item = {int(r["item"]): r for r in rules}
    items = DataItem.objects.filter(resource=resource, retired=False).order_by("position", "pk")
    return [(i, bool(by_item.get(i.pk, {}).get("included", i.pk not in by_item)),
             by_item.get(i.pk, {}).get("mask_rule", ""),
             by_item.get(i.pk, {}).get("mask_params", {})) for i in items]


@manage_required
def dataset_fields(request, pk: int):
    """Opened items and masking rules, with the before/after sample (O3)."""
    obj = _managed(request, pk)
    editable = policies.can_edit_dataset(request.user, obj)
    current = [{"item": f.item_id, "included": f.included, "mask_rule": f.mask_rule,
                "mask_params": f.mask_params} for f in obj.fields.all()]
    form = FieldRulesForm(request.POST or None, rows=_rule_rows(obj.resource, current))
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    rules = current
    if request.method == "POST" and editable and form.is_valid():
        rules = form.rules()
        if form.is_valid():
            try:
                ds.dataset_fields_set(actor=request.user, dataset=obj, rules=rules)
            except DomainError as exc:
                refusal_show(request, exc, form=form)
            else:
                messages.success(request, _("开放字段和脱敏规则已保存。"))
                if "preview" not in request.POST:
                    return redirect("opendata:manage_dataset", pk=pk)
    columns, pairs = _safe_sample(obj, rules)
    return render(request, "opendata/manage/dataset_fields.html", {
        "dataset": obj, "form": form, "editable": editable, "columns": columns,
        "pairs": pairs})


def _safe_sample(obj: Dataset, rules: list[dict]):
    try:
        return masking_sample(obj, rules)
    except Exception:  # noqa: BLE001 - a bad rule shows as an empty sample, the form says why
        return [], []


@require_POST
@manage_required
def dataset_action(request, pk: int, action: str):
    obj = _managed(request, pk)
    try:
        if action == "propose":
            ds.dataset_propose(actor=request.user, dataset=obj,
                               comment=request.POST.get("comment", ""))
            messages.success(request, _("已提交信息中心审核。"))
        elif action == "recall":
            ds.dataset_recall(actor=request.user, dataset=obj)
            messages.success(request, _("已撤回审核申请。"))
        elif action == "withdraw":
            ds.dataset_withdraw(actor=request.user, dataset=obj,
                                reason=request.POST.get("reason", ""))
            messages.success(request, _("数据集已下线，下线原因已公开。"))
        elif action == "update":
            update = ds.update_start(actor=request.user, dataset=obj)
            return redirect("opendata:manage_update", pk=update.pk)
        elif action == "refresh":
            ds.dataset_regenerate(actor=request.user, dataset=obj)
            messages.success(request, _("已开始重新生成开放数据。"))
        else:
            raise PermissionDenied
    except DomainError as exc:
        refusal_show(request, exc)
    return redirect("opendata:manage_dataset", pk=pk)


def _decide(request, form: DecisionForm, *, approve, send_back, approved: str) -> bool:
    """The center's decision on a dataset or an update: ``approve`` or ``send_back`` with
    the form's comment; True when it was taken (a refusal is shown on the form)."""
    comment = form.cleaned_data["comment"]
    try:
        if form.cleaned_data["decision"] == "approve":
            approve(comment)
            messages.success(request, approved)
        else:
            send_back(comment)
            messages.success(request, _("已退回部门修改。"))
    except DomainError as exc:
        refusal_show(request, exc, form=form)
        return False
    return True


@manage_required
def review(request, pk: int):
    """The center's review: metadata, opened items and the before/after sample (O2, O3)."""
    obj = _managed(request, pk)
    if not policies.can_review_dataset(request.user, obj):
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _decide(
            request, form, approved=_("已审核通过并发布。"),
            approve=lambda comment: ds.dataset_approve(actor=request.user, dataset=obj,
                                                       comment=comment),
            send_back=lambda comment: ds.dataset_return(actor=request.user, dataset=obj,
                                                        comment=comment)):
        return redirect("opendata:manage_home")
    rules = [{"item": f.item_id, "included": f.included, "mask_rule": f.mask_rule,
              "mask_params": f.mask_params} for f in obj.fields.all()]
    columns, pairs = _safe_sample(obj, rules)
    return render(request, "opendata/manage/review.html", {
        "dataset": obj, "form": form, "columns": columns, "pairs": pairs,
        "fields": obj.fields.select_related("item").order_by("position"),
        "events": workflow_events(obj)})


def _update(request, pk: int) -> DatasetUpdate:
    return get_visible_or_404(request, selectors.updates_managed(request.user), pk=pk)


@manage_required
def update(request, pk: int):
    """Edit a proposed change of a published dataset: summary, metadata, rules."""
    obj = _update(request, pk)
    editable = policies.can_edit_update(request.user, obj)
    summary_form = UpdateSummaryForm(request.POST or None, initial={"summary": obj.summary},
                                     prefix="s")
    meta_form = DatasetMetadataForm(request.POST or None, initial=obj.changes, prefix="m")
    rules_form = FieldRulesForm(request.POST or None, prefix="r",
                                rows=_rule_rows(obj.dataset.resource, obj.field_rules))
    if not editable:
        for form in (summary_form, meta_form, rules_form):
            for field in form.fields.values():
                field.disabled = True
    rules = obj.field_rules
    if request.method == "POST" and editable:
        valid = summary_form.is_valid() and meta_form.is_valid() and rules_form.is_valid()
        if valid:
            rules = rules_form.rules()
        if valid and rules_form.is_valid():
            try:
                ds.update_edit(actor=request.user, update=obj,
                               summary=summary_form.cleaned_data["summary"],
                               changes={k: meta_form.cleaned_data[k] for k in METADATA_FIELDS},
                               field_rules=rules)
                if "propose" in request.POST:
                    ds.update_propose(actor=request.user, update=obj)
                    messages.success(request, _("更新已提交信息中心审核。"))
                    return redirect("opendata:manage_dataset", pk=obj.dataset_id)
            except DomainError as exc:
                refusal_show(request, exc, form=meta_form)
            else:
                messages.success(request, _("已保存。"))
    columns, pairs = _safe_sample(obj.dataset, rules)
    return render(request, "opendata/manage/update.html", {
        "update": obj, "dataset": obj.dataset, "summary_form": summary_form,
        "meta_form": meta_form, "form": rules_form, "editable": editable,
        "columns": columns, "pairs": pairs})


@require_POST
@manage_required
def update_cancel(request, pk: int):
    obj = _update(request, pk)
    try:
        ds.update_cancel(actor=request.user, update=obj)
        messages.success(request, _("已取消更新。"))
    except DomainError as exc:
        refusal_show(request, exc)
    return redirect("opendata:manage_dataset", pk=obj.dataset_id)


@manage_required
def update_review(request, pk: int):
    obj = _update(request, pk)
    if not policies.can_review_dataset(request.user, obj.dataset):
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _decide(
            request, form, approved=_("更新已生效。"),
            approve=lambda comment: ds.update_approve(actor=request.user, update=obj,
                                                      comment=comment),
            send_back=lambda comment: ds.update_return(actor=request.user, update=obj,
                                                       comment=comment)):
        return redirect("opendata:manage_home")
    current = {name: getattr(obj.dataset, name) for name in METADATA_FIELDS}
    changed = [(Dataset._meta.get_field(k).verbose_name, current[k], v)
               for k, v in obj.changes.items()
               if str(current.get(k) if current.get(k) is not None else "") != str(v or "")
               and not (isinstance(current.get(k), date) and current[k].isoformat() == v)]
    columns, pairs = _safe_sample(obj.dataset, obj.field_rules)
    return render(request, "opendata/manage/update_review.html", {
        "update": obj, "dataset": obj.dataset, "form": form, "changed": changed,
        "columns": columns, "pairs": pairs})


# --- applications, requests, comments, products, plans --------------------------------------

@manage_required
def applications(request):
    qs = selectors.applications_to_decide(request.user).order_by("-submitted_at")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "opendata/manage/applications.html", {"page": page})


@manage_required
def application(request, pk: int):
    obj = get_visible_or_404(request, selectors.applications_to_decide(request.user), pk=pk)
    form = ApplicationDecisionForm(request.POST or None)
    revoke_form = ReasonForm(request.POST or None, prefix="revoke")
    if request.method == "POST":
        try:
            if "revoke" in request.POST and revoke_form.is_valid():
                engagement_services.application_revoke(
                    actor=request.user, application=obj,
                    comment=revoke_form.cleaned_data["reason"])
                messages.success(request, _("已终止授权。"))
                return redirect("opendata:manage_applications")
            if "revoke" not in request.POST and form.is_valid():
                data = form.cleaned_data
                if data["decision"] == "approve":
                    engagement_services.application_approve(
                        actor=request.user, application=obj, comment=data["comment"],
                        valid_until=data["valid_until"])
                else:
                    engagement_services.application_refuse(
                        actor=request.user, application=obj, comment=data["comment"])
                messages.success(request, _("已审批。"))
                return redirect("opendata:manage_applications")
        except DomainError as exc:
            refusal_show(request, exc, form=form)
    return render(request, "opendata/manage/application.html", {
        "obj": obj, "form": form, "revoke_form": revoke_form,
        "can_decide": policies.can_decide_application(request.user, obj),
        "events": workflow_events(obj)})


@manage_required
def requests(request):
    qs = selectors.requests_managed(request.user).order_by("-submitted_at")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "opendata/manage/requests.html", {"page": page})


@manage_required
def request_detail(request, pk: int):
    obj = get_visible_or_404(request, selectors.requests_managed(request.user), pk=pk)
    route_form = RequestRouteForm(request.POST or None, prefix="route",
                                  initial={"department": obj.suggested_department_id})
    reject_form = ReasonForm(request.POST or None, prefix="reject")
    answer_form = RequestAnswerForm(request.POST or None, prefix="answer")
    if request.method == "POST":
        step = request.POST.get("step")
        forms_by_step = {"route": route_form, "reject": reject_form, "answer": answer_form}
        form = forms_by_step.get(step)
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                if step == "route":
                    demand_services.request_route(actor=request.user, request=obj,
                                                  department=data["department"],
                                                  comment=data["comment"])
                elif step == "reject":
                    demand_services.request_reject(actor=request.user, request=obj,
                                                   reason=data["reason"])
                else:
                    demand_services.request_answer(actor=request.user, request=obj,
                                                   outcome=data["outcome"],
                                                   answer=data["answer"], dataset=data["dataset"])
            except DomainError as exc:
                refusal_show(request, exc, form=form)
            else:
                messages.success(request, _("已处理。"))
                return redirect("opendata:manage_request", pk=pk)
    return render(request, "opendata/manage/request.html", {
        "obj": obj, "route_form": route_form, "reject_form": reject_form,
        "answer_form": answer_form,
        "can_route": policies.can_route_request(request.user, obj),
        "can_answer": policies.can_answer_request(request.user, obj),
        "events": workflow_events(obj)})


@manage_required
def comments(request):
    qs = selectors.comments_to_moderate(request.user)
    status = request.GET.get("status", Comment.Status.PENDING)
    if status in Comment.Status.values:
        qs = qs.filter(status=status)
    if request.method == "POST":
        comment = get_visible_or_404(request, selectors.comments_to_moderate(request.user),
                                     pk=request.POST.get("comment"))
        form = CommentModerationForm(request.POST)
        if form.is_valid():
            try:
                engagement_services.comment_moderate(
                    actor=request.user, comment=comment, action=form.cleaned_data["action"],
                    reply=form.cleaned_data["reply"])
                messages.success(request, _("已处理留言。"))
            except DomainError as exc:
                refusal_show(request, exc)
        return redirect(request.get_full_path())
    page = Paginator(qs.order_by("-created_at"), 30).get_page(request.GET.get("page"))
    return render(request, "opendata/manage/comments.html", {
        "page": page, "status": status, "statuses": Comment.Status.choices})


@manage_required
def products(request):
    if not policies.can_review_product(request.user):
        raise PermissionDenied
    page = Paginator(selectors.products_to_review(request.user), 30).get_page(
        request.GET.get("page"))
    return render(request, "opendata/manage/products.html", {"page": page})


@manage_required
def product(request, pk: int):
    obj = get_visible_or_404(request, selectors.products_to_review(request.user), pk=pk)
    if request.method == "POST":
        try:
            product_services.product_review(actor=request.user, product=obj,
                                            action=request.POST.get("action", ""),
                                            comment=request.POST.get("comment", ""))
            messages.success(request, _("已处理。"))
            return redirect("opendata:manage_products")
        except DomainError as exc:
            refusal_show(request, exc)
    return render(request, "opendata/manage/product.html", {
        "product": obj, "uses": obj.uses.select_related("dataset"),
        "reports": obj.reports.order_by("-period_start")})


@manage_required
def plans(request):
    year = timezone.localdate().year
    rows = [(p, selectors.plan_progress(p)) for p in
            selectors.plans_managed(request.user).order_by("-year", "department__name")[:200]]
    return render(request, "opendata/manage/plans.html", {
        "rows": rows, "year": year,
        "can_create": request.user.department_id and policies.can_create_plan(
            request.user, request.user.department_id)})


@manage_required
def plan(request, year: int):
    """The department's plan for ``year``: entries to open, dates, progress (HN-25)."""
    if not request.user.department_id:
        raise PermissionDenied
    existing = OpenPlan.objects.filter(department_id=request.user.department_id,
                                       year=year).first()
    if existing is None:
        if request.method != "POST":
            return render(request, "opendata/manage/plan_start.html", {"year": year})
        try:
            existing = demand_services.plan_get_or_create(
                actor=request.user, department=request.user.department, year=year)
        except DomainError as exc:
            refusal_show(request, exc)
            return redirect("opendata:manage_plans")
    obj = existing
    resources = selectors.resources_plannable(obj.department_id)
    item_form = PlanItemForm(request.POST or None, resources=resources, prefix="item")
    note_form = PlanNoteForm(request.POST or None, initial={"note": obj.note}, prefix="note")
    if request.method == "POST" and "step" in request.POST:
        step = request.POST["step"]
        try:
            if step == "add" and item_form.is_valid():
                demand_services.plan_item_add(actor=request.user, plan=obj,
                                              **item_form.cleaned_data)
            elif step == "remove":
                item = get_visible_or_404(request, OpenPlanItem.objects.filter(plan=obj),
                                          pk=request.POST.get("item"))
                demand_services.plan_item_remove(actor=request.user, item=item)
            elif step == "note" and note_form.is_valid():
                demand_services.plan_note_set(actor=request.user, plan=obj,
                                              note=note_form.cleaned_data["note"])
            elif step == "submit":
                demand_services.plan_submit(actor=request.user, plan=obj)
                messages.success(request, _("开放计划已报送，并在部门页面公开。"))
            elif step == "reopen":
                demand_services.plan_reopen(actor=request.user, plan=obj)
            else:
                raise DomainError(_("请检查填写的内容。"))
        except DomainError as exc:
            refusal_show(request, exc, form=item_form if step == "add" else None)
        else:
            return redirect("opendata:manage_plan", year=year)
    published = set(Dataset.objects.filter(status=Dataset.Status.PUBLISHED,
                                           resource__in=obj.items.values("resource"))
                    .values_list("resource_id", flat=True))
    return render(request, "opendata/manage/plan.html", {
        "plan": obj, "items": obj.items.select_related("resource"), "published": published,
        "progress": selectors.plan_progress(obj), "item_form": item_form, "note_form": note_form,
        "editable": policies.can_edit_plan(request.user, obj), "today": timezone.localdate()})
