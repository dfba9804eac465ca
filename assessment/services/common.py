"""Helpers shared by the assessment services: recipients, validation."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from assessment.policies import SIGNER_ROLES, unit_department_ids
from portal.errors import ValidationFailed
from portal.models import Region, Role, User
from portal.selectors import users_with_role


def _region_ancestors(region_id: int) -> list[int]:
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    chain, node = [], region_id
    while node is not None:
        chain.append(node)
        node = parents.get(node)
    return chain


def authority_users(region_id: int) -> QuerySet[User]:
    """Authority users who manage ``region_id`` (its own authority, those above it, and
    authority users without a department)."""
    regions = _region_ancestors(region_id)
    return users_with_role(Role.AUTHORITY).filter(
        Q(department__isnull=True) | Q(department__region_id__in=regions))


def department_signers(department_ids: Iterable[int], *roles: str) -> QuerySet[User]:
    return users_with_role(*(roles or SIGNER_ROLES)).filter(department_id__in=list(department_ids))


def unit_signers(unit) -> QuerySet[User]:
    return department_signers(unit_department_ids(unit))


def department_heads(department_id: int) -> QuerySet[User]:
    return users_with_role(Role.HEAD, department=department_id)


def required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, fields={field: [message]})
    return value


def points(value, *, weight: Decimal, field: str) -> Decimal:
    """A score between 0 and the indicator's weight."""
    try:
        result = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        result = None
    if result is None or not result.is_finite() or result < 0 or result > weight:
        message = _("请填写 0 至 %(weight)s 之间的分数。") % {"weight": weight}
        raise ValidationFailed(message, fields={field: [message]})
    return result


def future_date(value: date | None, *, today: date, field: str, label: str) -> date:
    if value is None or value < today:
        message = _("%(label)s不能早于今天。") % {"label": label}
        raise ValidationFailed(message, fields={field: [message]})
    return value
