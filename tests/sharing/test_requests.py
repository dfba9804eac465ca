"""Applications and the answer pipeline (S2, S3), escalation (S4) and the grant an
approval creates (S5)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from catalog.models import SharingType
from portal.errors import IllegalTransition, NotPermitted, ValidationFailed
from portal.models import InboxItem, Notification, RulePack
from portal.rules import region_due
from sharing.access import access_decide
from sharing.models import CoReview, Dispute, Grant, ShareRequest
from sharing.services.co_reviews import co_review_sign
from sharing.services.disputes import (
    dispute_decide,
    dispute_message_post,
    dispute_request_co_review,
    request_escalate,
)
from sharing.services.requests import (
    request_approve,
    request_refuse,
    request_submit,
    request_update,
    request_withdraw,
)
from tests.sharing.factories import make_request, resource_with_items

pytestmark = pytest.mark.django_db
S = ShareRequest.Status


@pytest.fixture
def submitted(people, conditional_resource):
    return make_request(people.applicant_clerk, conditional_resource,
                        submit_by=people.applicant_admin)


# -- S2: the application ------------------------------------------------------------------

def test_s2_application_states_purpose_scope_measures_items_period_method(people,
                                                                          conditional_resource):
    name, id_number, _address = conditional_resource.items.order_by("position")
    draft = make_request(people.applicant_clerk, conditional_resource, items=[name, id_number])
    assert draft.status == S.DRAFT and draft.number.startswith("GX")
    assert set(draft.items.all()) == {name, id_number}
    assert draft.knowledge_scope and draft.security_measures and draft.commitment_document
    assert draft.provider_id == conditional_resource.provider_id


def test_s2_a_department_may_not_apply_for_its_own_resource(people, filed):
    own = resource_with_items(provider=filed)
    with pytest.raises(ValidationFailed) as exc:
        make_request(people.applicant_clerk, own)
    assert "resource" in exc.value.fields


def test_s2_unconditional_resources_need_no_application(people, other_department):
    open_resource = resource_with_items(provider=other_department,
                                        sharing_type=SharingType.UNCONDITIONAL)
    with pytest.raises(NotPermitted):
        make_request(people.applicant_clerk, open_resource)


def test_s6_department_without_filing_cannot_apply(make_user, department, conditional_resource):
    from portal.models import Role

    clerk = make_user(department=department, roles=[Role.CLERK])
    with pytest.raises(NotPermitted) as exc:
        make_request(clerk, conditional_resource)
    assert "未备案" in exc.value.message


def test_s2_submit_names_every_missing_part(people, conditional_resource):
    draft = make_request(people.applicant_clerk, conditional_resource, knowledge_scope="",
                         commitment_accepted=False)
    with pytest.raises(ValidationFailed) as exc:
        request_submit(actor=people.applicant_admin, request=draft)
    assert {"knowledge_scope", "commitment_accepted"} <= set(exc.value.fields)
    request_update(actor=people.applicant_clerk, request=draft,
                   data={"knowledge_scope": "审批处", "commitment_accepted": True})
    assert request_submit(actor=people.applicant_admin, request=draft).status == S.PROVIDER_REVIEW


def test_s2_items_must_belong_to_the_resource(people, conditional_resource):
    foreign = resource_with_items(provider=conditional_resource.provider)
    with pytest.raises(ValidationFailed) as exc:
        make_request(people.applicant_clerk, conditional_resource, items=foreign.items.all())
    assert "items" in exc.value.fields


# -- S3: the answer within 10 working days ------------------------------------------------

def test_s3_ten_working_days_across_the_national_day_holiday():
    # 2025-10-01..08 are holidays; 2025-09-28 (Sun) and 2025-10-11 (Sat) are make-up days.
    due, rule = region_due(None, "sharing.answer", date(2025, 9, 26))
    assert due == date(2025, 10, 16)
    assert rule.value == 10


def test_s3_submission_opens_the_providers_step_with_its_due_date_and_inbox(
        people, conditional_resource, monkeypatch):
    day = date(2025, 9, 26)
    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda value=None, *a, **k:
                        day if value is None else real(value, *a, **k))
    request = make_request(people.applicant_clerk, conditional_resource,
                           submit_by=people.applicant_admin, period_start=day,
                           period_end=day + timedelta(days=300))
    assert request.status == S.PROVIDER_REVIEW
    assert request.due_on == request.answer_due_on == date(2025, 10, 16)
    item = InboxItem.objects.get(user=people.provider_admin, done_at__isnull=True)
    assert item.due_on == date(2025, 10, 16) and "答复共享申请" in item.title


def test_s3_refusal_requires_a_reason(people, submitted):
    with pytest.raises(ValidationFailed) as exc:
        request_refuse(actor=people.provider_admin, request=submitted, reason="  ")
    assert "reason" in exc.value.fields
    refused = request_refuse(actor=people.provider_admin, request=submitted,
                             reason="涉及个人隐私，需提供法律授权")
    assert refused.status == S.REFUSED and refused.answer == ShareRequest.Answer.REFUSED
    assert refused.refusal_reason == "涉及个人隐私，需提供法律授权"
    assert refused.due_on is None


def test_s3_partial_approval_is_an_approval_with_the_allowed_items(people, submitted, filed):
    from dataplane.models import MaskingRule

    name, id_number, address = submitted.resource.items.order_by("position")
    MaskingRule.objects.create(item=id_number, kind="id_number")
    approved = request_approve(actor=people.provider_admin, request=submitted,
                               items=[name, id_number], masked_items=[id_number],
                               comment="住址不予提供")
    assert approved.status == S.APPROVED and approved.answer == ShareRequest.Answer.PARTIAL
    assert approved.answer_working_days == 0 and not approved.answered_late
    grant = Grant.objects.get(request=approved)
    assert set(grant.items.all()) == {name, id_number}
    decision = access_decide(department=filed, resource=submitted.resource)
    assert decision.item_ids == {name.pk, id_number.pk}
    assert decision.masked_item_ids == {id_number.pk} and decision.grant == grant


def test_s3_approval_cannot_add_items_not_asked_for(people, conditional_resource):
    first, *_rest, last = conditional_resource.items.order_by("position")
    request = make_request(people.applicant_clerk, conditional_resource, items=[first],
                           submit_by=people.applicant_admin)
    with pytest.raises(ValidationFailed) as exc:
        request_approve(actor=people.provider_admin, request=request, items=[first, last])
    assert "items" in exc.value.fields


def test_s3_answer_closes_the_inbox_items(people, submitted):
    request_approve(actor=people.provider_admin, request=submitted)
    assert not InboxItem.objects.filter(user=people.provider_admin, done_at__isnull=True).exists()


def test_s3_center_prereview_and_enablement_when_configured(people, conditional_resource,
                                                            region, filed):
    region.rule_pack = RulePack.objects.get(code="hengyang-2021")  # HY-17: all three steps
    region.save()
    request = make_request(people.applicant_clerk, conditional_resource,
                           submit_by=people.applicant_admin)
    assert request.status == S.PREREVIEW
    assert InboxItem.objects.filter(user=people.center, done_at__isnull=True).exists()
    with pytest.raises(NotPermitted):
        request_approve(actor=people.provider_admin, request=request)
    request = request_approve(actor=people.center, request=request, comment="材料齐全")
    assert request.status == S.PROVIDER_REVIEW and request.answer_due_on is not None
    request = request_approve(actor=people.provider_admin, request=request)
    assert request.status == S.SUPPLY  # the provider supplies the data first (HY-17)
    with pytest.raises(NotPermitted):
        request_approve(actor=people.center, request=request)
    request = request_approve(actor=people.provider_admin, request=request, comment="已推送")
    assert request.status == S.ENABLEMENT and request.supplied_at is not None
    assert not access_decide(department=filed, resource=conditional_resource).allowed
    request = request_approve(actor=people.center, request=request)
    assert request.status == S.APPROVED
    assert access_decide(department=filed, resource=conditional_resource).allowed


def test_s3_center_prereview_can_return_with_a_reason(people, conditional_resource, region):
    region.rule_pack = RulePack.objects.get(code="yushui-2018")  # YS-18: pre-review
    region.save()
    request = make_request(people.applicant_clerk, conditional_resource,
                           submit_by=people.applicant_admin)
    with pytest.raises(ValidationFailed):
        request_refuse(actor=people.center, request=request, reason="")
    request = request_refuse(actor=people.center, request=request, reason="请补充知悉范围")
    assert request.status == S.RETURNED and request.center_comment == "请补充知悉范围"
    request = request_submit(actor=people.applicant_admin, request=request)
    assert request.status == S.PREREVIEW and request.step_seq == 2


# -- S4: negotiation and coordination ------------------------------------------------------

def test_s4_refusal_goes_to_negotiation_then_coordination_and_the_authority_approves(
        people, submitted, filed):
    request_refuse(actor=people.provider_admin, request=submitted, reason="非履职必需")
    request = request_escalate(actor=people.applicant_admin, request=submitted,
                               reason="办理社保待遇资格认证必需")
    assert request.status == S.NEGOTIATING
    dispute = Dispute.objects.get(request=request)
    message = dispute_message_post(actor=people.provider_admin, dispute=dispute,
                                   body="请提供文件依据", attachment=None)
    assert message.department_id == request.provider_id
    assert Notification.objects.filter(user=people.applicant_admin,
                                       key__contains=f"message:{message.pk}").exists()
    request = request_escalate(actor=people.provider_admin, request=request, reason="协商未果")
    assert request.status == S.COORDINATING
    with pytest.raises(ValidationFailed):
        request_approve(actor=people.authority, request=request, comment="")
    request = request_approve(actor=people.authority, request=request,
                              comment="经协调，依法予以共享")
    dispute.refresh_from_db()
    assert request.status == S.APPROVED and dispute.outcome == Dispute.Outcome.APPROVED
    assert access_decide(department=filed, resource=submitted.resource).allowed


def test_s4_authority_may_refuse_for_good(people, submitted):
    request_refuse(actor=people.provider_admin, request=submitted, reason="涉密")
    request_escalate(actor=people.applicant_admin, request=submitted, reason="确需使用")
    request_escalate(actor=people.applicant_admin, request=submitted, reason="协商未果")
    request = request_refuse(actor=people.authority, request=submitted, reason="维持不予共享")
    assert request.status == S.CLOSED
    assert Dispute.objects.get(request=request).outcome == Dispute.Outcome.REFUSED


def test_s4_a_not_shared_need_opens_a_negotiation(people, other_department):
    hidden = resource_with_items(provider=other_department, sharing_type=SharingType.NOT_SHARED)
    request = make_request(people.applicant_clerk, hidden, submit_by=people.applicant_admin)
    assert request.status == S.NEGOTIATING
    assert Dispute.objects.filter(request=request).exists()


def test_s4_changing_the_sharing_type_needs_the_co_reviewers(people, other_department, filed):
    hidden = resource_with_items(provider=other_department, sharing_type=SharingType.NOT_SHARED)
    request = make_request(people.applicant_clerk, hidden, submit_by=people.applicant_admin)
    request = request_escalate(actor=people.applicant_admin, request=request, reason="协商未果")
    dispute = Dispute.objects.get(request=request)
    dispute_request_co_review(actor=people.authority, dispute=dispute,
                              sharing_type=SharingType.CONDITIONAL)
    with pytest.raises(ValidationFailed):
        dispute_decide(actor=people.authority, request=request, approve=True,
                       decision="调整为有条件共享", change_sharing_type=True)
    for reviewer in (people.secrecy, people.legal):
        review = CoReview.objects.get(dispute=dispute, role__in=reviewer.role_set())
        co_review_sign(actor=reviewer, review=review, decision=CoReview.Decision.AGREE,
                       opinion="同意")
    request = dispute_decide(actor=people.authority, request=request, approve=True,
                             decision="调整为有条件共享并予以共享", change_sharing_type=True)
    hidden.refresh_from_db()
    assert hidden.sharing_type == SharingType.CONDITIONAL
    assert Dispute.objects.get(pk=dispute.pk).sharing_type_changed_to == SharingType.CONDITIONAL
    assert access_decide(department=filed, resource=hidden).allowed


def test_withdraw_ends_the_step_and_tells_the_provider(people, submitted):
    request = request_withdraw(actor=people.applicant_admin, request=submitted, reason="不再需要")
    assert request.status == S.WITHDRAWN and request.due_on is None
    assert not InboxItem.objects.filter(user=people.provider_admin, done_at__isnull=True).exists()
    assert Notification.objects.filter(user=people.provider_admin,
                                       title__contains="已撤回").exists()


# -- the workflow as a matrix: role × status × action ---------------------------------------

ROLES = ["applicant_clerk", "applicant_admin", "provider_clerk", "provider_admin", "center",
         "authority", "outsider_admin"]
ACTIONS = ["submit", "approve", "refuse", "escalate", "withdraw"]
# status → action → the roles that may do it (everyone else: refused)
ALLOWED = {
    S.DRAFT: {"submit": {"applicant_admin"}, "withdraw": {"applicant_clerk", "applicant_admin"}},
    S.PROVIDER_REVIEW: {"approve": {"provider_admin"}, "refuse": {"provider_admin"},
                        "withdraw": {"applicant_admin"}},
    S.REFUSED: {"escalate": {"applicant_admin"}, "withdraw": {"applicant_admin"}},
    S.NEGOTIATING: {"approve": {"provider_admin"},
                    "escalate": {"applicant_admin", "provider_admin"},
                    "withdraw": {"applicant_admin"}},
    S.COORDINATING: {"approve": {"authority"}, "refuse": {"authority"},
                     "withdraw": {"applicant_admin"}},
    S.APPROVED: {},
}


def _in_status(people, resource, status):
    request = make_request(people.applicant_clerk, resource)
    if status == S.DRAFT:
        return request
    request = request_submit(actor=people.applicant_admin, request=request)
    if status == S.APPROVED:
        return request_approve(actor=people.provider_admin, request=request)
    if status == S.PROVIDER_REVIEW:
        return request
    request = request_refuse(actor=people.provider_admin, request=request, reason="理由")
    if status == S.REFUSED:
        return request
    request = request_escalate(actor=people.applicant_admin, request=request, reason="理由")
    if status == S.NEGOTIATING:
        return request
    return request_escalate(actor=people.applicant_admin, request=request, reason="理由")


def _do(action, actor, request):
    calls = {
        "submit": lambda: request_submit(actor=actor, request=request),
        "approve": lambda: request_approve(actor=actor, request=request, comment="同意"),
        "refuse": lambda: request_refuse(actor=actor, request=request, reason="理由"),
        "escalate": lambda: request_escalate(actor=actor, request=request, reason="理由"),
        "withdraw": lambda: request_withdraw(actor=actor, request=request),
    }
    return calls[action]()


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_s3_request_workflow_matrix(people, conditional_resource, status, action, role):
    request = _in_status(people, conditional_resource, status)
    assert request.status == status
    actor = getattr(people, role)
    if role in ALLOWED[status].get(action, set()):
        before = request.status
        assert _do(action, actor, request).status != before
    else:
        with pytest.raises((NotPermitted, IllegalTransition)):
            _do(action, actor, request)
        request.refresh_from_db()
        assert request.status == status
