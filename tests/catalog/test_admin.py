"""The center's review in the admin: queue, C4/C5 warnings, revision diff, approve/return
through the services; deadlines, census and projects from the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import Census, ChangeEvent, Resource
from tests.catalog.factories import make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(clerk, data_admin, department, other_department):
    make_resource(other_department, name="房屋信息", items=("不动产坐落", "建筑面积", "登记日期"))
    entry = make_resource(department, status=Resource.Status.DRAFT, name="不动产登记",
                          subjects=["enterprise"], items=("企业名称", "不动产坐落", "建筑面积", "登记日期"))
    # An overlap goes to review only with a reason (《政务数据共享条例》, docs/rules.md R7).
    return services.resource_submit(actor=data_admin, resource=entry,
                                    recollection_reason="本部门登记业务需要")


def test_c6_review_queue_shows_submissions_with_warning_counts(web, center, submitted):
    body = web(center).get(reverse("admin:catalog_submittedresource_changelist")).content.decode()
    assert "不动产登记" in body and "⚠" in body


def test_c4_c5_warnings_are_on_the_review_page(web, center, submitted):
    body = web(center).get(reverse("admin:catalog_resource_change", args=[submitted.pk])).content.decode()
    assert "统一社会信用代码" in body  # C4
    assert "一数一源" in body and "房屋信息" in body  # C5
    assert "重复收集理由" in body and "本部门登记业务需要" in body  # R7: the center sees why
    assert "审核通过" in body and "退回修改" in body


def test_c6_approve_and_return_from_the_admin_call_the_services(web, center, submitted, clerk, data_admin):
    client = web(center)
    url = reverse("admin:catalog_resource_review", args=[submitted.pk])
    client.post(url, {"decision": "return", "comment": ""})
    assert Resource.objects.get(pk=submitted.pk).status == Resource.Status.SUBMITTED  # comment required
    client.post(url, {"decision": "return", "comment": "请补充法定代表人信息"})
    resource = Resource.objects.get(pk=submitted.pk)
    assert resource.status == Resource.Status.RETURNED and resource.review_comment == "请补充法定代表人信息"
    services.resource_submit(actor=data_admin, resource=resource)
    changelist = reverse("admin:catalog_submittedresource_changelist")
    client.post(changelist, {"action": "approve_selected", "_selected_action": [resource.pk], "comment": "同意"})
    resource.refresh_from_db()
    assert resource.status == Resource.Status.REGISTERED and resource.code


def test_c6_revision_diff_is_shown_to_the_reviewer(web, center, clerk, data_admin, department):
    registered = make_resource(department, name="旧名称")
    revision = services.resource_revise(actor=clerk, resource=registered)
    items = [{"id": i.pk, "name": i.name, "data_type": "string", "length": 50, "description": "",
              "field_name": "", "sensitivity": "none", "sharing_type": "", "is_key": False, "is_base": False}
             for i in revision.items.order_by("position")][:2]
    from tests.catalog.factories import entry_data
    services.resource_update(actor=clerk, resource=revision, data=entry_data(name="新名称"),
                             items=items + [{"name": "新增项", "data_type": "date"}])
    services.resource_submit(actor=data_admin, resource=revision)
    body = web(center).get(reverse("admin:catalog_resource_change", args=[revision.pk])).content.decode()
    assert "与已注册版本" in body and "旧名称" in body and "新名称" in body
    assert "新增项" in body and "不动产坐落" in body  # added and removed items


def test_department_users_cannot_use_the_admin_review(web, clerk, submitted):
    response = web(clerk).post(reverse("admin:catalog_resource_review", args=[submitted.pk]),
                               {"decision": "approve"})
    assert response.status_code == 302 and "login" in response.url
    assert Resource.objects.get(pk=submitted.pk).status == Resource.Status.SUBMITTED


def test_c7_authority_records_a_change_event_in_the_admin(web, authority, department, clerk):
    client = web(authority)
    client.post(reverse("admin:catalog_changeevent_add"), {
        "department": department.pk, "kind": "functions_changed", "title": "机构改革职能调整",
        "occurred_on": timezone.localdate().isoformat(), "description": ""})
    event = ChangeEvent.objects.get()
    assert event.recorded_by == authority and event.due_on > event.occurred_on


def test_c8_center_opens_a_census_in_the_admin_and_sees_progress(web, center, department):
    make_resource(department)
    client = web(center)
    response = client.post(reverse("admin:catalog_census_add"), {
        "year": 2026, "title": "", "due_on": (timezone.localdate() + timedelta(days=20)).isoformat()},
        follow=True)
    census = Census.objects.get()
    assert "2026 年度信息资源目录普查" in "".join(str(m) for m in response.context["messages"])
    assert census.entries.count() == 1
    body = client.get(reverse("admin:catalog_census_change", args=[census.pk])).content.decode()
    assert department.name in body and "0.0%" in body
