"""The one policy question (S1, S5, S6): may department D read items of resource R now?"""

from datetime import timedelta

import pytest
from django.utils import timezone
from guardian.shortcuts import get_objects_for_group
from guardian.utils import get_group_obj_perms_model

from catalog.models import Resource, SharingType
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Role
from portal.services.organisation import department_group
from sharing.access import access_decide
from sharing.models import DataItemGrantPermission, Filing, Purpose, ResourceGrantPermission
from sharing.services.grants import grant_revoke
from tests.sharing.factories import (
    FilingFactory,
    grant_for,
    provider_admin,
    resource_with_items,
)

pytestmark = pytest.mark.django_db


def ids(items):
    return frozenset(i.pk for i in items)


def test_s6_department_without_filing_is_refused_with_reason(department, other_department):
    resource = resource_with_items(provider=other_department,
                                   sharing_type=SharingType.UNCONDITIONAL)
    decision = access_decide(department=department, resource=resource)
    assert not decision.allowed
    assert decision.item_ids == frozenset()
    assert "未备案" in decision.reason and "共享备案" in decision.reason


@pytest.mark.parametrize("status,allowed", [
    (Filing.Status.DRAFT, False),
    (Filing.Status.SUBMITTED, False),
    (Filing.Status.RETURNED, False),
    (Filing.Status.REVOKED, False),
    (Filing.Status.ACKNOWLEDGED, True),
])
def test_s6_only_an_acknowledged_filing_opens_shared_data(department, other_department,
                                                         status, allowed):
    FilingFactory(department=department, status=status)
    resource = resource_with_items(provider=other_department,
                                   sharing_type=SharingType.UNCONDITIONAL)
    decision = access_decide(department=department, resource=resource)
    assert decision.allowed is allowed
    assert allowed or "未备案" in decision.reason


def test_s1_unconditional_resource_gives_every_filed_department_all_live_items(
        filed, other_department):
    resource = resource_with_items("企业名称", "统一社会信用代码", "旧字段", provider=other_department,
                                   sharing_type=SharingType.UNCONDITIONAL)
    retired = resource.items.get(name="旧字段")
    retired.retired = True
    retired.save()
    decision = access_decide(department=filed, resource=resource, purpose=Purpose.WORK_REFERENCE)
    assert decision.allowed
    assert decision.item_ids == ids(resource.items.filter(retired=False))
    assert decision.grant is None and decision.purpose == "" and decision.masked_item_ids == set()


def test_s1_items_marked_conditional_inside_an_unconditional_resource_need_a_grant(
        filed, other_department):
    resource = resource_with_items("名称", "联系电话", provider=other_department,
                                   sharing_type=SharingType.UNCONDITIONAL)
    phone = resource.items.get(name="联系电话")
    phone.sharing_type = SharingType.CONDITIONAL
    phone.save()
    decision = access_decide(department=filed, resource=resource)
    assert decision.item_ids == ids(resource.items.filter(name="名称"))
    grant_for(filed, resource, items=[phone])
    decision = access_decide(department=filed, resource=resource)
    assert decision.item_ids == ids(resource.items.all())
    assert decision.grant is not None


def test_provider_always_reads_its_own_resource(department):
    resource = resource_with_items(provider=department, sharing_type=SharingType.NOT_SHARED,
                                   status=Resource.Status.RETIRED)
    decision = access_decide(department=department, resource=resource)
    assert decision.allowed and decision.item_ids == ids(resource.items.all())


@pytest.mark.parametrize("sharing_type,phrase", [
    (SharingType.CONDITIONAL, "请先提交共享申请"),
    (SharingType.NOT_SHARED, "不予共享"),
])
def test_s5_conditional_and_not_shared_need_a_grant(filed, other_department, sharing_type,
                                                    phrase):
    resource = resource_with_items(provider=other_department, sharing_type=sharing_type)
    decision = access_decide(department=filed, resource=resource)
    assert not decision.allowed and phrase in decision.reason


def test_unregistered_resource_is_refused(filed, other_department):
    resource = resource_with_items(provider=other_department, status=Resource.Status.RETIRED,
                                   sharing_type=SharingType.UNCONDITIONAL)
    decision = access_decide(department=filed, resource=resource)
    assert not decision.allowed and "未注册或已撤销" in decision.reason


def test_s5_grant_gives_only_its_items_and_marks_masked_ones(filed, conditional_resource):
    name, id_number, _address = conditional_resource.items.order_by("position")
    grant = grant_for(filed, conditional_resource, items=[name, id_number], masked=[id_number],
                      purpose=Purpose.DATA_VERIFICATION)
    decision = access_decide(department=filed, resource=conditional_resource)
    assert decision.allowed
    assert decision.item_ids == ids([name, id_number])
    assert decision.masked_item_ids == ids([id_number])
    assert decision.grant == grant and decision.purpose == Purpose.DATA_VERIFICATION


def test_s5_purpose_binds_the_grant(filed, conditional_resource):
    grant_for(filed, conditional_resource, purpose=Purpose.DATA_VERIFICATION)
    refused = access_decide(department=filed, resource=conditional_resource,
                            purpose=Purpose.BUSINESS_COLLABORATION)
    assert not refused.allowed and "业务协同" in refused.reason
    assert access_decide(department=filed, resource=conditional_resource,
                         purpose=Purpose.DATA_VERIFICATION).allowed


def test_s5_without_purpose_the_widest_valid_grant_answers(filed, conditional_resource):
    items = list(conditional_resource.items.order_by("position"))
    grant_for(filed, conditional_resource, items=items[:1], purpose=Purpose.WORK_REFERENCE)
    wide = grant_for(filed, conditional_resource, items=items, purpose=Purpose.DATA_VERIFICATION)
    assert access_decide(department=filed, resource=conditional_resource).grant == wide


def test_s5_revoking_a_grant_removes_access_at_once(filed, conditional_resource, make_user):
    grant = grant_for(filed, conditional_resource)
    group = department_group(filed)
    # guardian uses the direct-FK tables (its fast path), not the generic one
    assert get_group_obj_perms_model(conditional_resource) is ResourceGrantPermission
    assert get_group_obj_perms_model(conditional_resource.items.first()) is DataItemGrantPermission
    assert conditional_resource in get_objects_for_group(group, "catalog.consume_resource")
    grant_revoke(actor=provider_admin(conditional_resource), grant=grant, reason="超范围使用")
    decision = access_decide(department=filed, resource=conditional_resource)
    assert not decision.allowed and "已被撤销" in decision.reason
    assert not ResourceGrantPermission.objects.filter(group=group).exists()
    assert not DataItemGrantPermission.objects.filter(group=group).exists()
    assert conditional_resource not in get_objects_for_group(group, "catalog.consume_resource")


def test_s5_revoking_one_grant_keeps_what_another_valid_grant_gives(filed, conditional_resource):
    items = list(conditional_resource.items.order_by("position"))
    narrow = grant_for(filed, conditional_resource, items=items[:1],
                       purpose=Purpose.WORK_REFERENCE)
    wide = grant_for(filed, conditional_resource, items=items, purpose=Purpose.DATA_VERIFICATION)
    grant_revoke(actor=provider_admin(conditional_resource), grant=wide, reason="用途已完成")
    decision = access_decide(department=filed, resource=conditional_resource)
    assert decision.grant == narrow and decision.item_ids == ids(items[:1])


def test_s5_permissions_enforce_the_grant(filed, conditional_resource):
    """Without the guardian object permissions a grant row alone opens nothing."""
    grant_for(filed, conditional_resource)
    DataItemGrantPermission.objects.filter(group=department_group(filed)).delete()
    assert not access_decide(department=filed, resource=conditional_resource).allowed


def test_s5_expired_and_future_grants_do_not_open_access(filed, conditional_resource):
    today = timezone.localdate()
    grant_for(filed, conditional_resource, start=today, days=30)
    expired_view = access_decide(department=filed, resource=conditional_resource,
                                 now=timezone.now() + timedelta(days=31))
    assert not expired_view.allowed and "到期" in expired_view.reason
    other = resource_with_items(provider=conditional_resource.provider)
    grant_for(filed, other, start=today + timedelta(days=5))
    pending = access_decide(department=filed, resource=other)
    assert not pending.allowed and "生效" in pending.reason


def test_user_without_department_is_refused(conditional_resource):
    assert not access_decide(department=None, resource=conditional_resource).allowed


# -- grant rules ------------------------------------------------------------------------

def test_grant_rules_name_the_field(filed, conditional_resource):
    foreign = resource_with_items(provider=conditional_resource.provider)
    with pytest.raises(ValidationFailed) as exc:
        grant_for(filed, conditional_resource, items=list(foreign.items.all()))
    assert "items" in exc.value.fields
    item = conditional_resource.items.first()
    other = conditional_resource.items.last()
    with pytest.raises(ValidationFailed) as exc:
        grant_for(filed, conditional_resource, items=[item], masked=[other])
    assert "masked_items" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        grant_for(conditional_resource.provider, conditional_resource)
    assert "department" in exc.value.fields


@pytest.mark.parametrize("role,own_provider,allowed", [
    (Role.DATA_ADMIN, True, True),
    (Role.HEAD, True, True),
    (Role.CLERK, True, False),
    (Role.SECURITY_OFFICER, True, False),
    (Role.DATA_ADMIN, False, False),
    (Role.AUTHORITY, False, True),
    (Role.CENTER_REVIEWER, False, False),
])
def test_s5_revoke_matrix(filed, conditional_resource, make_user, role, own_provider, allowed):
    grant = grant_for(filed, conditional_resource)
    department = conditional_resource.provider if own_provider else filed
    actor = make_user(roles=[role], department=department)
    if allowed:
        grant_revoke(actor=actor, grant=grant, reason="停止使用")
        grant.refresh_from_db()
        assert grant.revoked_at is not None
    else:
        with pytest.raises(NotPermitted):
            grant_revoke(actor=actor, grant=grant, reason="停止使用")


def test_s5_revoke_requires_a_reason(filed, conditional_resource):
    grant = grant_for(filed, conditional_resource)
    with pytest.raises(ValidationFailed) as exc:
        grant_revoke(actor=provider_admin(conditional_resource), grant=grant, reason="  ")
    assert "reason" in exc.value.fields
