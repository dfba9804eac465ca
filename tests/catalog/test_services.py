"""Compiling, reviewing, revising and retiring entries through the services (C1, C2, C6)."""

import pytest
from django.utils import timezone

from catalog import services
from catalog.models import DataItem, Resource, SharingType
from catalog.selectors import resources_registered, resources_visible
from portal.errors import Conflict, IllegalTransition, NotPermitted, ValidationFailed
from portal.models import InboxItem, Notification, WorkflowEvent
from portal.workdays import add_working_days
from portal.workflow import workflow_events
from tests.catalog.factories import entry_data, item, items_data, make_resource

pytestmark = pytest.mark.django_db


def create(clerk, department, **overrides):
    return services.resource_create(actor=clerk, provider=department, data=entry_data(**overrides),
                                    items=items_data())


def test_c1_clerk_creates_a_draft_with_items_in_order(clerk, department):
    resource = create(clerk, department)
    assert resource.status == Resource.Status.DRAFT and resource.code is None
    assert list(resource.items.values_list("name", "position")) == [
        ("姓名", 1), ("身份证号码", 2), ("不动产坐落", 3)]
    assert resource.history.count() == 1


def test_c2_service_refuses_a_conditional_entry_without_legal_basis(clerk, department):
    with pytest.raises(ValidationFailed) as exc:
        create(clerk, department, sharing_type=SharingType.CONDITIONAL, sharing_conditions="限核验")
    assert "legal_basis" in exc.value.fields
    assert not Resource.objects.exists()


def test_item_errors_are_named_by_row(clerk, department):
    with pytest.raises(ValidationFailed) as exc:
        services.resource_create(actor=clerk, provider=department, data=entry_data(),
                                 items=[item("姓名"), item("")])
    assert "items.2.name" in exc.value.fields


def test_other_department_cannot_create_or_edit(clerk, other_clerk, department):
    with pytest.raises(NotPermitted):
        services.resource_create(actor=other_clerk, provider=department, data=entry_data(), items=items_data())
    resource = create(clerk, department)
    with pytest.raises(NotPermitted):
        services.resource_update(actor=other_clerk, resource=resource, data=entry_data(), items=items_data())


def test_update_keeps_item_ids_and_deletes_removed_draft_items(clerk, department):
    resource = create(clerk, department)
    first, second, third = resource.items.order_by("position")
    services.resource_update(actor=clerk, resource=resource, data=entry_data(name="改名"),
                             items=[{**item("姓名（修改）"), "id": first.pk}, item("新增项"),
                                    {**item("不动产坐落"), "id": third.pk}])
    names = list(resource.items.order_by("position").values_list("pk", "name"))
    assert names[0] == (first.pk, "姓名（修改）") and names[2] == (third.pk, "不动产坐落")
    assert not DataItem.objects.filter(pk=second.pk).exists()


def test_c6_journey_submit_review_register_with_code(clerk, data_admin, center, department):
    resource = create(clerk, department)
    with pytest.raises(NotPermitted):
        services.resource_submit(actor=clerk, resource=resource)
    services.resource_submit(actor=data_admin, resource=resource, comment="请审核")
    resource.refresh_from_db()
    assert resource.status == Resource.Status.SUBMITTED and resource.review_round == 1
    task = InboxItem.objects.get(user=center, key=f"catalog:resource:{resource.pk}:review:1")
    assert task.done_at is None
    # The center's review time is the provider region's pack rule (5 working days).
    assert task.due_rule == "catalog.review"
    assert task.due_on == add_working_days(timezone.localdate(), 5)
    registered = services.resource_approve(actor=center, resource=resource, comment="同意")
    assert registered.pk == resource.pk and registered.status == Resource.Status.REGISTERED
    assert registered.code == f"3-{department.organisation_code}-00001"
    assert registered.registered_at and registered.publication_date
    task.refresh_from_db()
    assert task.done_at is not None
    assert Notification.objects.filter(user=clerk, key__startswith=f"catalog:resource:{resource.pk}:approved").exists()
    events = list(workflow_events(registered).values_list("action", "actor_id", "comment"))
    assert events == [("submit", data_admin.pk, "请审核"), ("approve", center.pk, "同意")]
    assert registered in resources_registered()


def test_c1_codes_are_sequential_per_provider_and_classification(clerk, data_admin, center, department):
    codes = []
    for name in ("甲", "乙"):
        r = create(clerk, department, name=name)
        services.resource_submit(actor=data_admin, resource=r)
        codes.append(services.resource_approve(actor=center, resource=r).code)
    assert codes == [f"3-{department.organisation_code}-00001", f"3-{department.organisation_code}-00002"]


def test_c6_return_needs_a_comment_and_reaches_the_clerk(clerk, data_admin, center, department):
    resource = create(clerk, department)
    services.resource_submit(actor=data_admin, resource=resource)
    with pytest.raises(ValidationFailed):
        services.resource_return(actor=center, resource=resource, comment=" ")
    services.resource_return(actor=center, resource=resource, comment="摘要过于简单")
    resource.refresh_from_db()
    assert resource.status == Resource.Status.RETURNED and resource.review_comment == "摘要过于简单"
    assert InboxItem.objects.filter(user=clerk, key=f"catalog:resource:{resource.pk}:returned:1").exists()
    services.resource_update(actor=clerk, resource=resource, data=entry_data(summary="更完整的摘要"),
                             items=items_data())
    services.resource_submit(actor=data_admin, resource=resource)
    assert InboxItem.objects.get(user=clerk, key=f"catalog:resource:{resource.pk}:returned:1").done_at


def test_c6_registered_entry_cannot_be_edited_in_place(clerk, department):
    resource = make_resource(department)
    with pytest.raises(Conflict):
        services.resource_update(actor=clerk, resource=resource, data=entry_data(), items=items_data())


def test_c6_revision_keeps_registered_version_visible_until_approved(
        clerk, data_admin, center, other_clerk, department):
    registered = make_resource(department, name="不动产登记信息")
    original_items = {i.name: i.pk for i in registered.items.all()}
    revision = services.resource_revise(actor=clerk, resource=registered)
    assert revision.revision_of_id == registered.pk and revision.code is None
    assert {i.origin_id for i in revision.items.all()} == set(original_items.values())
    with pytest.raises(Conflict):
        services.resource_revise(actor=clerk, resource=registered)

    kept = revision.items.get(name="姓名")
    changed = revision.items.get(name="身份证号码")
    services.resource_update(
        actor=clerk, resource=revision, data=entry_data(name="不动产登记信息（2026版）"),
        items=[{**item("姓名"), "id": kept.pk}, {**item("公民身份号码", length=18), "id": changed.pk},
               item("建筑面积", "decimal", 12)])
    services.resource_submit(actor=data_admin, resource=revision)

    # While the revision is under review, everyone still sees the registered version.
    seen = resources_visible(other_clerk).get(pk=registered.pk)
    assert seen.name == "不动产登记信息" and seen.status == Resource.Status.REGISTERED
    assert not resources_visible(other_clerk).filter(pk=revision.pk).exists()
    assert list(resources_registered().filter(provider=department)) == [registered]

    result = services.resource_approve(actor=center, resource=revision, comment="同意修订")
    assert result.pk == registered.pk
    registered.refresh_from_db()
    revision.refresh_from_db()
    assert registered.name == "不动产登记信息（2026版）" and registered.code is not None
    assert registered.status == Resource.Status.REGISTERED
    assert revision.status == Resource.Status.APPLIED
    items = {i.name: i for i in registered.items.all()}
    # item ids survive: the kept and the changed item are the same rows
    assert items["姓名"].pk == original_items["姓名"]
    assert items["公民身份号码"].pk == original_items["身份证号码"] and items["公民身份号码"].length == 18
    assert items["不动产坐落"].pk == original_items["不动产坐落"] and items["不动产坐落"].retired
    assert not items["建筑面积"].retired and items["建筑面积"].pk not in original_items.values()
    assert [e.action for e in workflow_events(registered)] == ["revise"]
    assert registered.history.filter(name="不动产登记信息").exists()


def test_c6_revision_can_be_returned_and_registered_stays(clerk, data_admin, center, department):
    registered = make_resource(department)
    revision = services.resource_revise(actor=clerk, resource=registered)
    services.resource_submit(actor=data_admin, resource=revision)
    services.resource_return(actor=center, resource=revision, comment="不同意")
    registered.refresh_from_db()
    assert registered.status == Resource.Status.REGISTERED


def test_c6_retire_needs_a_reason_and_no_open_revision(clerk, data_admin, department):
    registered = make_resource(department)
    with pytest.raises(ValidationFailed):
        services.resource_retire(actor=data_admin, resource=registered, reason="")
    revision = services.resource_revise(actor=clerk, resource=registered)
    with pytest.raises(Conflict):
        services.resource_retire(actor=data_admin, resource=registered, reason="停止采集")
    services.resource_delete(actor=clerk, resource=revision)
    services.resource_retire(actor=data_admin, resource=registered, reason="停止采集")
    registered.refresh_from_db()
    assert registered.status == Resource.Status.RETIRED and registered.retire_reason == "停止采集"
    assert registered not in resources_registered()
    assert registered.items.filter(retired=False).count() == 3  # items kept for the record


def test_c6_withdraw_and_illegal_transitions(clerk, data_admin, center, department):
    resource = create(clerk, department)
    with pytest.raises(IllegalTransition):
        services.resource_approve(actor=center, resource=resource)
    services.resource_submit(actor=data_admin, resource=resource)
    services.resource_withdraw(actor=data_admin, resource=resource)
    resource.refresh_from_db()
    assert resource.status == Resource.Status.DRAFT
    assert InboxItem.objects.get(key=f"catalog:resource:{resource.pk}:review:1").done_at


def test_submitted_draft_cannot_be_deleted(clerk, data_admin, department):
    resource = create(clerk, department)
    services.resource_submit(actor=data_admin, resource=resource)
    services.resource_withdraw(actor=data_admin, resource=resource)
    with pytest.raises(Conflict):
        services.resource_delete(actor=clerk, resource=resource)


def test_c4_c5_warnings_are_stored_for_the_reviewer_at_submission(
        clerk, data_admin, department, other_department):
    make_resource(other_department, name="房屋信息", items=("不动产坐落", "建筑面积", "登记日期"))
    resource = services.resource_create(
        actor=clerk, provider=department, data=entry_data(subjects=["enterprise"]),
        items=items_data("企业名称", "不动产坐落", "建筑面积", "登记日期"))
    with pytest.raises(ValidationFailed):  # an overlap needs a reason (R7, docs/rules.md)
        services.resource_submit(actor=data_admin, resource=resource)
    services.resource_submit(actor=data_admin, resource=resource,
                             recollection_reason="本部门登记业务需要")
    resource.refresh_from_db()
    rules = sorted({w["rule"] for w in resource.review_warnings})
    assert rules == ["C4", "C5"] and resource.recollection_reason == "本部门登记业务需要"


def test_c6_every_transition_is_recorded(clerk, data_admin, center, department):
    resource = create(clerk, department)
    services.resource_submit(actor=data_admin, resource=resource)
    services.resource_return(actor=center, resource=resource, comment="补充")
    services.resource_submit(actor=data_admin, resource=resource)
    services.resource_approve(actor=center, resource=resource)
    assert WorkflowEvent.objects.filter(target_id=str(resource.pk)).count() == 4
