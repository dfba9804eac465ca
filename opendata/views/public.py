"""The public portal (O4): home, search, dataset pages, departments, data requests,
products, sign-up and the user's own page. Reading works without signing in and without
JavaScript; forms are plain HTML posts."""

from __future__ import annotations

import json
import time
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import get_visible_or_404
from portal.errors import DomainError
from portal.models import Department
from portal.refusals import refusal_show

from .. import policies, selectors
from ..caching import catalog_stamp
from ..data import DataUnavailable, QueryError, preview
from ..dcat import Urls, schema_org
from ..forms import (
    ApplicationForm,
    CommentForm,
    DataRequestForm,
    ProductDatasetFormSet,
    ProductForm,
    RatingForm,
    SearchForm,
    SignupForm,
    UsageReportForm,
)
from ..models import DataProduct, DataRequest
from ..services import demand as demand_services
from ..services import engagement as engagement_services
from ..services import products as product_services
from ..services.accounts import public_user_register
from ..services.datasets import dataset_count
from ..vocab import LICENCES, Licence
from . import exports
from .common import cache_headers, not_modified, throttled

PAGE_SIZE = 20
# Inside <script>: no "</script>", no HTML comment tricks (as django.utils.html.json_script).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _public_cacheable(request) -> bool:
    return not request.user.is_authenticated and not request.GET.get("page")


@throttled("page")
def home(request):
    """Counts, themes, newest and most downloaded datasets (O4).

    The validator also changes every five minutes, so the usage counts shown refresh.
    """
    etag, modified = catalog_stamp()
    etag = f"{etag}-{int(time.time() // 300)}"
    if not request.user.is_authenticated:
        cached = not_modified(request, f"{etag}-home", modified)
        if cached is not None:
            return cached
    response = render(request, "opendata/home.html", {
        "counts": selectors.open_catalog_counts(),
        "themes": selectors.theme_counts(),
        "newest": selectors.datasets_newest(),
        "popular": selectors.datasets_popular(6),
        "publishers": selectors.publishers_public()[:12],
        "products": selectors.products_listed()[:3],
    })
    return cache_headers(response, etag=f"{etag}-home" if not request.user.is_authenticated
                         else None, last_modified=modified,
                         public=not request.user.is_authenticated)


def _facet_urls(request, facets: dict) -> None:
    """Give every facet value the search URL that toggles it (page reset).

    Each facet's other parameters are encoded once; only the toggled values are quoted
    per link (a search page shows dozens of them).
    """
    pairs = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values]
    for name, values in facets.items():
        others = urlencode([(k, v) for k, v in pairs if k != name])
        chosen = [v for k, v in pairs if k == name]
        for facet in values:
            toggled = [v for v in chosen if v != facet.value] if facet.value in chosen \
                else [*chosen, facet.value]
            own = "&".join(f"{name}={quote(v)}" for v in toggled)
            facet.url = "?" + "&".join(part for part in (others, own) if part)


@throttled("page")
def search(request):
    """Chinese full-text search with facets (O4)."""
    form = SearchForm(request.GET or None)
    query = form.to_query() if request.GET else selectors.DatasetQuery()
    total, facets = selectors.dataset_facets(query)
    _facet_urls(request, facets)
    results = selectors.dataset_search(query)
    paginator = Paginator(results, PAGE_SIZE)
    paginator.count = total  # already counted with the facets
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    response = render(request, "opendata/search.html", {
        "form": form, "query": query, "facets": facets, "page": page, "total": total,
        "querystring": params.urlencode(), "facet_labels": {
            "theme": _("主题"), "publisher": _("发布部门"), "resource_format": _("资源格式"),
            "open_type": _("开放类型"), "update_cycle": _("更新周期")},
    })
    return cache_headers(response, max_age=60, public=not request.user.is_authenticated)


def _dataset_or_gone(request, name: str):
    dataset = selectors.dataset_public_detail().filter(name=name).first()
    if dataset is not None:
        return dataset, None
    withdrawn = selectors.dataset_withdrawn_public(name)
    if withdrawn is None:
        raise Http404
    response = render(request, "opendata/withdrawn.html", {"dataset": withdrawn}, status=410)
    return None, response


@throttled("page")
def dataset_detail(request, name: str):
    """Metadata, preview, downloads, API URL, counts, ratings and comments (O4); DCAT-AP
    for clients that ask for RDF in ``Accept`` (O8)."""
    rdf = exports.negotiated_rdf(request)
    if rdf is not None:
        return exports.dataset_export(request, name, rdf)
    dataset, gone = _dataset_or_gone(request, name)
    if gone is not None:
        return gone
    dataset_count(dataset=dataset, field="view_count")
    urls = Urls(request=request)
    can_read = policies.can_download_dataset(request.user, dataset)
    sample = None
    if can_read:
        try:
            sample = preview(dataset)
        except (DataUnavailable, QueryError):
            sample = None
    user = request.user
    context = {
        "dataset": dataset,
        "effective_open_type": selectors.dataset_effective_open_type(dataset),
        "can_read": can_read,
        "sample": sample,
        "api_url": urls.api_rows(dataset),
        "ckan_url": urls.abs(reverse("ckan:package_show")) + f"?id={dataset.name}",
        "distributions": [d for d in dataset.distributions.all() if d.is_file and d.file],
        "licence_url": LICENCES[dataset.licence].url or reverse(
            "opendata:licence", args=[dataset.licence]),
        "comments": selectors.comments_public(dataset)[:50],
        "schema_org": json.dumps(schema_org(urls, dataset), ensure_ascii=False).translate(
            _SCRIPT_ESCAPES),
        "rating_form": RatingForm(), "comment_form": CommentForm(),
        "can_engage": policies.can_engage(user),
        "can_apply": policies.can_apply_for_dataset(user, dataset),
        "open_application": selectors.application_open(user, dataset),
        "valid_application": selectors.application_valid(user, dataset),
        "products": dataset.products.filter(status=DataProduct.Status.LISTED)[:5],
        "updates": dataset.updates.filter(status="applied").order_by("-applied_at")[:5],
    }
    response = render(request, "opendata/dataset.html", context)
    patch_vary_headers(response, ["Accept"])
    return cache_headers(response, public=False)


@require_POST
@login_required
def dataset_rate(request, name: str):
    dataset = get_visible_or_404(request, selectors.datasets_public(), name=name)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            engagement_services.rating_set(actor=request.user, dataset=dataset,
                                           score=form.cleaned_data["score"])
            messages.success(request, _("感谢评分。"))
        except DomainError as exc:
            refusal_show(request, exc)
    else:
        messages.error(request, _("请选择 1 到 5 星。"))
    return redirect(reverse("opendata:dataset", args=[name]) + "#feedback")


@require_POST
@login_required
@throttled("form")
def dataset_comment(request, name: str):
    dataset = get_visible_or_404(request, selectors.datasets_public(), name=name)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            engagement_services.comment_add(actor=request.user, dataset=dataset,
                                            body=form.cleaned_data["body"])
            messages.success(request, _("留言已提交，审核后公开显示。"))
        except DomainError as exc:
            refusal_show(request, exc)
    else:
        messages.error(request, _("留言内容不能为空，且不超过 1000 字。"))
    return redirect(reverse("opendata:dataset", args=[name]) + "#feedback")


@login_required
@throttled("form", methods=("POST",))
def dataset_apply(request, name: str):
    """Apply for a conditionally open dataset (O5)."""
    dataset = get_visible_or_404(request, selectors.dataset_public_detail(), name=name)
    if not policies.can_apply_for_dataset(request.user, dataset):
        messages.error(request, _("有条件开放数据需使用社会公众账户申请；政务用户请通过共享交换获取数据。")
                       if request.user.is_authenticated else _("请先登录。"))
        return redirect("opendata:dataset", name=name)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            engagement_services.application_submit(
                actor=request.user, dataset=dataset, **{
                    k: form.cleaned_data[k] for k in ("purpose_kind", "purpose",
                                                      "contact_phone", "organisation",
                                                      "security_measures")})
        except DomainError as exc:
            refusal_show(request, exc, form=form)
        else:
            messages.success(request, _("申请已提交，提供部门将在 10 个工作日内答复。"))
            return redirect("opendata:me")
    return render(request, "opendata/apply.html", {"dataset": dataset, "form": form})


# --- departments, licences, API help --------------------------------------------------------

@throttled("page")
def departments(request):
    return render(request, "opendata/departments.html",
                  {"departments": selectors.publishers_public()})


@throttled("page")
def department_detail(request, pk: int):
    department = get_visible_or_404(request, Department.objects.filter(is_active=True), pk=pk)
    datasets = selectors.datasets_public().filter(publisher=department).order_by("-modified_at")
    page = Paginator(datasets, PAGE_SIZE).get_page(request.GET.get("page"))
    plans = [(plan, selectors.plan_progress(plan)) for plan in selectors.plans_public(department)]
    return render(request, "opendata/department.html", {
        "department": department, "page": page, "plans": plans,
        "requests": DataRequest.objects.filter(department=department)
        .order_by("-submitted_at")[:10],
    })


def licence(request, code: str):
    if code not in LICENCES:
        raise Http404
    return render(request, "opendata/licence.html", {"code": code,
                                                     "label": Licence(code).label})


def api_help(request):
    return render(request, "opendata/api_help.html", {
        "example": selectors.datasets_public().filter(data_status="ready")
        .order_by("-download_count").first()})


# --- data requests (HN-31) ------------------------------------------------------------------

@throttled("page")
def requests_list(request):
    status = request.GET.get("status", "")
    qs = selectors.requests_public()
    if status in DataRequest.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "opendata/requests.html", {
        "page": page, "status": status, "statuses": DataRequest.Status.choices})


@throttled("page")
def request_detail(request, pk: int):
    obj = get_visible_or_404(request, selectors.requests_public(), pk=pk)
    return render(request, "opendata/request.html", {"obj": obj})


@throttled("form", methods=("POST",))
def request_new(request):
    initial = {}
    if request.user.is_authenticated:
        initial = {"contact_name": request.user.display_name, "contact_email": request.user.email}
    form = DataRequestForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            if form.cleaned_data.get("website"):
                # A bot filled the hidden field: pretend success, store nothing.
                return redirect("opendata:requests")
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            try:
                obj = demand_services.request_submit(
                    actor=request.user if request.user.is_authenticated else None, **data)
            except DomainError as exc:
                refusal_show(request, exc, form=form)
            else:
                messages.success(request, _("需求已提交，办理进度将在本页公开。"))
                return redirect("opendata:request", pk=obj.pk)
    return render(request, "opendata/request_form.html", {"form": form})


# --- data products (O7) -----------------------------------------------------------------------

@throttled("page")
def products(request):
    page = Paginator(selectors.products_listed(), 12).get_page(request.GET.get("page"))
    return render(request, "opendata/products.html", {"page": page})


@throttled("page")
def product_detail(request, pk: int):
    product = get_visible_or_404(request, selectors.products_listed(), pk=pk)
    return render(request, "opendata/product.html", {
        "product": product, "reports": product.reports.order_by("-period_start")[:8]})


def _uses_from(formset) -> list:
    return [(f.cleaned_data["dataset"], f.cleaned_data["source"], f.cleaned_data["acquired_on"])
            for f in formset.forms if f.cleaned_data.get("dataset")]


@login_required
def product_new(request):
    form = ProductForm(request.POST or None)
    formset = ProductDatasetFormSet(request.POST or None, prefix="uses")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            product_services.product_register(actor=request.user, data=form.cleaned_data,
                                              uses=_uses_from(formset))
        except DomainError as exc:
            refusal_show(request, exc, form=form)
        else:
            messages.success(request, _("数据产品已登记，信息中心审核后将在成果展示中公开。"))
            return redirect("opendata:me")
    return render(request, "opendata/product_form.html", {"form": form, "formset": formset})


@login_required
def product_edit(request, pk: int):
    product = get_visible_or_404(request, selectors.products_of(request.user), pk=pk)
    if not policies.can_edit_product(request.user, product):
        messages.error(request, _("只有被退回的登记可以修改。"))
        return redirect("opendata:me")
    form = ProductForm(request.POST or None, instance=product)
    initial = [{"dataset": u.dataset.name, "source": u.source, "acquired_on": u.acquired_on}
               for u in product.uses.select_related("dataset")]
    formset = ProductDatasetFormSet(request.POST or None, prefix="uses", initial=initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            product_services.product_resubmit(actor=request.user, product=product,
                                              data=form.cleaned_data, uses=_uses_from(formset))
        except DomainError as exc:
            refusal_show(request, exc, form=form)
        else:
            messages.success(request, _("已重新提交审核。"))
            return redirect("opendata:me")
    return render(request, "opendata/product_form.html",
                  {"form": form, "formset": formset, "product": product})


@login_required
def product_report(request, pk: int):
    """The periodic usage report of a listed product (HN-29)."""
    product = get_visible_or_404(request, selectors.products_of(request.user), pk=pk)
    if not policies.can_report_product(request.user, product):
        messages.error(request, _("只有已展示的产品需要报告利用情况。"))
        return redirect("opendata:me")
    start, end = product_services.previous_quarter()
    form = UsageReportForm(request.POST or None,
                           initial={"period_start": start, "period_end": end})
    if request.method == "POST" and form.is_valid():
        try:
            product_services.usage_report_submit(actor=request.user, product=product,
                                                 **form.cleaned_data)
        except DomainError as exc:
            refusal_show(request, exc, form=form)
        else:
            messages.success(request, _("利用情况报告已提交。"))
            return redirect("opendata:me")
    return render(request, "opendata/report_form.html", {"form": form, "product": product})


# --- accounts of the public (O5) --------------------------------------------------------------

@throttled("form", methods=("POST",))
def signup(request):
    if request.user.is_authenticated:
        return redirect("opendata:me")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = public_user_register(
                    username=form.cleaned_data["username"], email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    phone=form.cleaned_data.get("phone", ""))
        except DomainError as exc:
            refusal_show(request, exc, form=form)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，欢迎使用公共数据开放平台。"))
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                   request.is_secure()):
                target = reverse("opendata:me")
            return HttpResponseRedirect(target)
    return render(request, "opendata/signup.html", {"form": form})


@login_required
def me(request):
    """The user's applications, data requests and products, with the way to get a token."""
    return render(request, "opendata/me.html", {
        "applications": selectors.applications_of(request.user)[:50],
        "requests": selectors.requests_of(request.user)[:50],
        "products": selectors.products_of(request.user)[:50],
    })


@require_POST
@login_required
def application_cancel(request, pk: int):
    application = get_visible_or_404(request, selectors.applications_of(request.user), pk=pk)
    try:
        engagement_services.application_cancel(actor=request.user, application=application)
        messages.success(request, _("申请已撤回。"))
    except DomainError as exc:
        refusal_show(request, exc)
    return redirect("opendata:me")
