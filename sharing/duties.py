"""Sharing's duties in a department's responsibility list (``portal.responsibilities``):
answering share requests, extending an answer with consent, supplying consented data,
回流 to lower levels, answering objections (校核纠错) and transfer consents."""

from django.utils.translation import gettext_lazy as _

from portal.models import Role
from portal.responsibilities import Duty, consent_above, consent_roles, enabled_only

from .models import AnswerExtension, Objection, ShareRequest, TransferRequest

S = ShareRequest.Status
ACTING = (Role.DATA_ADMIN,)


def _answers(department_id: int) -> int:
    return ShareRequest.objects.filter(provider_id=department_id, status=S.PROVIDER_REVIEW,
                                       return_flow=False).count()


def _return_flow(department_id: int) -> int:
    return ShareRequest.objects.filter(provider_id=department_id, status=S.PROVIDER_REVIEW,
                                       return_flow=True).count()


def _extensions(department_id: int) -> int:
    return AnswerExtension.objects.filter(request__provider_id=department_id,
                                          status=AnswerExtension.Status.PENDING).count()


def _supply(department_id: int) -> int:
    return ShareRequest.objects.filter(provider_id=department_id, status=S.SUPPLY).count()


def _objections(department_id: int) -> int:
    return Objection.objects.filter(provider_id=department_id,
                                    status=Objection.Status.OPEN).count()


def _transfers(department_id: int) -> int:
    return TransferRequest.objects.filter(provider_id=department_id, due_on__isnull=False,
                                          provider_consent__isnull=True).count()


DUTIES = (
    Duty(rule="sharing.answer", label=_("答复其他部门的共享申请"), roles=lambda rule: ACTING,
         open_count=_answers),
    Duty(rule="sharing.return_flow", label=_("向下级部门回流其辖区的数据"),
         roles=lambda rule: ACTING, applies=enabled_only, open_count=_return_flow),
    Duty(rule="sharing.answer_extension", label=_("同意延长答复期限"), roles=consent_roles,
         applies=enabled_only, open_count=_extensions, above=consent_above),
    Duty(rule="sharing.supply", label=_("同意共享后向共享平台提供数据"), roles=lambda rule: ACTING,
         applies=enabled_only, open_count=_supply),
    Duty(rule="sharing.objection", label=_("核实并更正被提出异议的数据（校核纠错）"),
         roles=lambda rule: ACTING, open_count=_objections),
    Duty(rule="sharing.transfer", label=_("答复向第三方转送数据的同意申请"),
         roles=lambda rule: ACTING, open_count=_transfers),
)
