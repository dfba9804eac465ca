"""HN-31 public data requests, HN-25 open plans (O2), O7 data products, deadlines."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from opendata.models import DataProduct, DataRequest, OpenPlan
from opendata.selectors import plan_progress
from opendata.services import demand, products
from portal.deadlines import deadlines_sweep
from portal.errors import IllegalTransition, NotPermitted, ValidationFailed
from portal.models import InboxItem, Notification

pytestmark = pytest.mark.django_db


def _request(actor=None, **extra):
    return demand.request_submit(actor=actor, title="公共充电桩位置",
                                 description="希望开放充电桩位置、功率和运营单位。",
                                 contact_name="赵六", contact_email="z@example.com", **extra)


# --- HN-31 data requests ----------------------------------------------------------------------

def test_hn31_anyone_asks_center_routes_department_answers_publicly(
        center, data_admin, department, publish, client):
    request = _request()
    assert InboxItem.objects.filter(user=center, key=f"opendata:request:{request.pk}:route")
    page = client.get(f"/open/requests/{request.pk}/").content.decode()
    assert "待受理" in page and "z@example.com" not in page
    request = demand.request_route(actor=center, request=request, department=department)
    assert request.due_on and request.status == DataRequest.Status.ROUTED
    assert InboxItem.objects.filter(user=data_admin,
                                    key=f"opendata:request:{request.pk}:answer:{department.pk}")
    dataset = publish()
    demand.request_answer(actor=data_admin, request=request, outcome="published",
                          answer="已开放，见相关数据集。", dataset=dataset)
    page = client.get(f"/open/requests/{request.pk}/").content.decode()
    assert "已答复" in page and "已开放，见相关数据集。" in page and dataset.title in page
    assert "赵六" not in page


@pytest.mark.parametrize("role,action,allowed", [
    ("center", "route", True), ("data_admin", "route", False), ("public_user", "route", False),
    ("center", "reject", True), ("data_admin", "reject", False),
])
def test_hn31_who_routes_and_rejects(request, department, role, action, allowed):
    obj = _request()
    actor = request.getfixturevalue(role)
    call = {"route": lambda: demand.request_route(actor=actor, request=obj,
                                                  department=department),
            "reject": lambda: demand.request_reject(actor=actor, request=obj, reason="重复需求")}
    if allowed:
        call[action]()
    else:
        with pytest.raises(NotPermitted):
            call[action]()


def test_hn31_only_routed_department_answers(center, department, other_admin, data_admin):
    obj = demand.request_route(actor=center, request=_request(), department=department)
    with pytest.raises(NotPermitted):
        demand.request_answer(actor=other_admin, request=obj, outcome="planned", answer="x")
    with pytest.raises(ValidationFailed) as exc:
        demand.request_answer(actor=data_admin, request=obj, outcome="published", answer="x")
    assert "dataset" in exc.value.fields
    demand.request_answer(actor=data_admin, request=obj, outcome="planned", answer="列入明年计划")
    with pytest.raises(IllegalTransition):
        demand.request_answer(actor=data_admin, request=obj, outcome="planned", answer="again")


def test_hn31_rejection_reason_is_public(center, client):
    obj = demand.request_reject(actor=center, request=_request(), reason="涉及个人隐私，不予开放")
    assert "涉及个人隐私，不予开放" in client.get(f"/open/requests/{obj.pk}/").content.decode()


def test_deadlines_remind_once_then_escalate(center, department, data_admin, head):
    obj = demand.request_route(actor=center, request=_request(), department=department)
    day_before = obj.due_on - timedelta(days=1)
    while day_before.weekday() >= 5:
        day_before -= timedelta(days=1)
    deadlines_sweep(today=day_before)
    deadlines_sweep(today=day_before)
    reminders = Notification.objects.filter(user=data_admin, level="reminder")
    assert reminders.count() == 1
    deadlines_sweep(today=obj.due_on + timedelta(days=1))
    deadlines_sweep(today=obj.due_on + timedelta(days=2))
    escalations = Notification.objects.filter(level="escalation")
    assert set(escalations.values_list("user__username", flat=True)) == {"od_head", "center"}
    assert escalations.count() == 2


def test_o2_review_deadline_escalates_to_center(open_resource, upload, data_admin, center):
    from opendata.services import datasets as ds

    resource = open_resource()
    upload(resource)
    dataset = ds.dataset_propose(actor=data_admin,
                                 dataset=ds.dataset_create(actor=data_admin, resource=resource))
    deadlines_sweep(today=dataset.review_due_on + timedelta(days=3))
    assert Notification.objects.filter(user=center, level="escalation").count() == 1


# --- HN-25 open plans ------------------------------------------------------------------------

def test_hn25_plan_progress_counts_published_and_overdue(open_resource, data_admin, publish,
                                                         department, client):
    year = timezone.localdate().year
    plan = demand.plan_get_or_create(actor=data_admin, department=department, year=year)
    done = publish()
    late = open_resource(name="公交站点")
    demand.plan_item_add(actor=data_admin, plan=plan, resource=done.resource,
                         planned_on=date(year, 1, 1))
    demand.plan_item_add(actor=data_admin, plan=plan, resource=late,
                         planned_on=date(year, 1, 2))
    progress = plan_progress(plan, today=date(year, 12, 31))
    assert (progress.planned, progress.published, progress.overdue, progress.percent) == (
        2, 1, 1, 50)
    assert f"{year} 年" not in client.get(f"/open/departments/{department.pk}/").content.decode()
    demand.plan_submit(actor=data_admin, plan=plan)
    html = client.get(f"/open/departments/{department.pk}/").content.decode()
    assert "计划 2 项，已开放 1 项（50%）" in html
    with pytest.raises(NotPermitted):
        demand.plan_item_add(actor=data_admin, plan=plan, resource=late,
                             planned_on=date(year, 3, 1))


def test_hn25_plan_refuses_closed_or_foreign_entries(open_resource, data_admin, department,
                                                     other_admin):
    from catalog.models import OpenType

    year = timezone.localdate().year
    plan = demand.plan_get_or_create(actor=data_admin, department=department, year=year)
    with pytest.raises(ValidationFailed):
        demand.plan_item_add(actor=data_admin, plan=plan,
                             resource=open_resource(open_type=OpenType.NOT_OPEN),
                             planned_on=date(year, 6, 1))
    with pytest.raises(ValidationFailed):
        demand.plan_item_add(actor=data_admin, plan=plan, resource=open_resource(),
                             planned_on=date(year + 1, 6, 1))
    with pytest.raises(NotPermitted):
        demand.plan_get_or_create(actor=other_admin, department=department, year=year)
    with pytest.raises(ValidationFailed):
        demand.plan_submit(actor=data_admin, plan=plan)
    assert OpenPlan.objects.get().status == "draft"


# --- O7 data products -------------------------------------------------------------------------

def _product(owner, dataset):
    return products.product_register(
        actor=owner, data={"name": "置业助手", "kind": "mobile_app", "summary": "房产信息查询",
                           "developer": "海南某科技公司", "url": "https://example.com"},
        uses=[(dataset, "download", date(2026, 1, 10))])


def test_o7_product_with_sources_is_reviewed_then_shown(publish, public_user, center, client):
    dataset = publish()
    product = _product(public_user, dataset)
    assert "置业助手" not in client.get("/open/products/").content.decode()
    products.product_review(actor=center, product=product, action="list")
    html = client.get(f"/open/products/{product.pk}/").content.decode()
    assert "置业助手" in html and dataset.title in html and "2026-01-10" in html
    assert "置业助手" in client.get(f"/open/datasets/{dataset.name}/").content.decode()


def test_o7_product_needs_datasets_and_dates(publish, public_user):
    dataset = publish()
    with pytest.raises(ValidationFailed):
        products.product_register(actor=public_user, data={"name": "x", "kind": "web",
                                                           "summary": "x", "developer": "x"},
                                  uses=[])
    with pytest.raises(ValidationFailed):
        products.product_register(
            actor=public_user, data={"name": "x", "kind": "web", "summary": "x",
                                     "developer": "x"},
            uses=[(dataset, "api", timezone.localdate() + timedelta(days=3))])
    assert not DataProduct.objects.exists()


def test_o7_return_needs_reason_and_only_center_reviews(publish, public_user, data_admin,
                                                        center):
    product = _product(public_user, publish())
    with pytest.raises(NotPermitted):
        products.product_review(actor=data_admin, product=product, action="list")
    with pytest.raises(ValidationFailed):
        products.product_review(actor=center, product=product, action="return")
    products.product_review(actor=center, product=product, action="return", comment="请补充网址")
    product = products.product_resubmit(
        actor=public_user, product=product, data={"url": "https://example.org"},
        uses=[(u.dataset, u.source, u.acquired_on) for u in product.uses.all()])
    assert product.status == "submitted"


def test_o7_usage_reports_are_asked_for_once_per_quarter(publish, public_user, center):
    product = _product(public_user, publish())
    products.product_review(actor=center, product=product, action="list")
    DataProduct.objects.filter(pk=product.pk).update(listed_at=timezone.now() - timedelta(days=200))
    today = timezone.localdate()
    assert products.usage_reports_due(today=today) == 1
    products.usage_reports_due(today=today)
    start, end = products.previous_quarter(today)
    assert InboxItem.objects.filter(user=public_user,
                                    key__endswith=f"report:{start:%Y%m%d}").count() == 1
    products.usage_report_submit(actor=public_user, product=product, period_start=start,
                                 period_end=end, active_users=1200, visits=56000,
                                 summary="用于房产信息查询", security_statement="数据加密存储")
    assert products.usage_reports_due(today=today) == 0
    assert InboxItem.objects.get(user=public_user,
                                 key__endswith=f"report:{start:%Y%m%d}").done_at
    with pytest.raises(ValidationFailed):
        products.usage_report_submit(actor=public_user, product=product, period_start=start,
                                     period_end=end, active_users=1, visits=1, summary="again",
                                     security_statement="x")


def test_o7_quarter_arithmetic():
    assert products.quarter_of(date(2026, 11, 21)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert products.previous_quarter(date(2026, 1, 5)) == (date(2025, 10, 1), date(2025, 12, 31))
