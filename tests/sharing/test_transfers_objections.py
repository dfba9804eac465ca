"""Third-party transfer needs both consents (S7); objections are answered by a due date
and their time to fix is recorded (S8)."""

import pytest

from portal.errors import NotPermitted, ValidationFailed
from sharing.models import Objection, TransferRequest
from sharing.services.objections import (
    objection_answer,
    objection_create,
    objection_follow_up,
)
from sharing.services.transfers import transfer_consent, transfer_create
from tests.sharing.factories import grant_for

pytestmark = pytest.mark.django_db
T = TransferRequest.Status


@pytest.fixture
def grant(filed, conditional_resource, people):
    return grant_for(filed, conditional_resource, actor=people.provider_admin)


def make_transfer(people, grant):
    return transfer_create(actor=people.applicant_admin, grant=grant,
                           recipient_name="某市大数据中心", purpose="联合监管",
                           reason="专项行动需要", items=grant.items.all()[:1])


@pytest.mark.parametrize("order", [("authority", "provider_admin"),
                                   ("provider_admin", "authority")])
def test_s7_transfer_needs_both_the_authority_and_the_provider(people, grant, order):
    transfer = make_transfer(people, grant)
    first = transfer_consent(actor=getattr(people, order[0]), transfer=transfer, agree=True)
    assert first.status == T.PENDING
    with pytest.raises(NotPermitted):  # one consent each
        transfer_consent(actor=getattr(people, order[0]), transfer=transfer, agree=True)
    done = transfer_consent(actor=getattr(people, order[1]), transfer=transfer, agree=True)
    assert done.status == T.APPROVED and done.due_on is None


def test_s7_either_refusal_ends_it_with_a_reason(people, grant):
    transfer = make_transfer(people, grant)
    with pytest.raises(ValidationFailed):
        transfer_consent(actor=people.provider_admin, transfer=transfer, agree=False)
    refused = transfer_consent(actor=people.provider_admin, transfer=transfer, agree=False,
                               comment="超出授权用途")
    assert refused.status == T.REFUSED


@pytest.mark.parametrize("role", ["applicant_clerk", "provider_admin", "outsider_admin",
                                  "center"])
def test_s7_only_the_holder_asks(people, grant, role):
    with pytest.raises(NotPermitted):
        transfer_create(actor=getattr(people, role), grant=grant, recipient_name="某单位",
                        purpose="x", reason="y", items=grant.items.all()[:1])


def test_s7_only_granted_items_may_be_transferred(people, filed, conditional_resource):
    items = list(conditional_resource.items.all())
    grant = grant_for(filed, conditional_resource, items=items[:1], actor=people.provider_admin)
    with pytest.raises(ValidationFailed) as exc:
        transfer_create(actor=people.applicant_admin, grant=grant, recipient_name="某单位",
                        purpose="x", reason="y", items=items[1:])
    assert "items" in exc.value.fields


def test_s8_objection_answered_with_time_to_fix(people, conditional_resource):
    objection = objection_create(actor=people.applicant_clerk, resource=conditional_resource,
                                 kind=Objection.Kind.WRONG, record_reference="460100199001011234",
                                 description="出生日期与户籍不符")
    assert objection.status == Objection.Status.OPEN and objection.due_on is not None
    with pytest.raises(NotPermitted):
        objection_answer(actor=people.applicant_admin, objection=objection, corrected=True,
                         answer="已更正")
    with pytest.raises(ValidationFailed):
        objection_answer(actor=people.provider_admin, objection=objection, corrected=True,
                         answer="")
    answered = objection_answer(actor=people.provider_admin, objection=objection,
                                corrected=True, answer="已按户籍信息更正")
    assert answered.status == Objection.Status.CORRECTED
    assert answered.fix_working_days == 0 and not answered.answered_late


def test_s8_confirmed_answer_can_be_challenged_then_accepted(people, conditional_resource):
    objection = objection_create(actor=people.applicant_clerk, resource=conditional_resource,
                                 kind=Objection.Kind.DOUBTFUL, scope=Objection.Scope.RESOURCE,
                                 description="数据长期未更新")
    objection_answer(actor=people.provider_admin, objection=objection, corrected=False,
                     answer="已按月更新，附更新记录")
    with pytest.raises(ValidationFailed):
        objection_follow_up(actor=people.applicant_clerk, objection=objection, accept=False)
    reopened = objection_follow_up(actor=people.applicant_clerk, objection=objection,
                                   accept=False, comment="最近一次更新为半年前")
    assert reopened.status == Objection.Status.OPEN and reopened.reopen_count == 1
    objection_answer(actor=people.provider_admin, objection=reopened, corrected=True,
                     answer="已补充更新")
    closed = objection_follow_up(actor=people.applicant_clerk, objection=reopened, accept=True)
    assert closed.status == Objection.Status.CLOSED


def test_s8_record_objection_needs_a_record_reference(people, conditional_resource):
    with pytest.raises(ValidationFailed) as exc:
        objection_create(actor=people.applicant_clerk, resource=conditional_resource,
                         kind=Objection.Kind.WRONG, description="有误")
    assert "record_reference" in exc.value.fields


def test_s8_provider_does_not_object_to_itself(people, conditional_resource):
    with pytest.raises(NotPermitted):
        objection_create(actor=people.provider_admin, resource=conditional_resource,
                         kind=Objection.Kind.WRONG, scope=Objection.Scope.RESOURCE,
                         description="x")
