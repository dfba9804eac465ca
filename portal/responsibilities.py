"""Responsibility lists (责任清单, 《政务数据共享条例》): per department, the duties its
region's rule pack assigns — catalog upkeep, answers, corrections, 回流 … — each with the
rule and its article, who in the department is responsible and who is answerable above
them, and how many items are open now.

The ground knows no app: each app registers its duties (:func:`duties_register`, from its
``AppConfig.ready``), as it registers its deadline kinds.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from portal.models import Department, Role, RoleAssignment, User
from portal.policies import is_authority, is_center
from portal.rules import ACTOR_LABELS, Rule, region_rules, rule_of


def _always(rule: Rule) -> bool:
    return True


@dataclass(frozen=True)
class Duty:
    """One duty a pack rule assigns to a department."""

    rule: str                                   # the pack rule that sets its limit
    label: Any                                  # what the department must do
    roles: Callable[[Rule], tuple[str, ...]]    # department roles responsible for it
    answerable: tuple[str, ...] = (Role.HEAD,)  # told when it is overdue (第一责任人)
    applies: Callable[[Rule], bool] = _always   # whether the pack assigns it at all
    open_count: Callable[[int], int] | None = None  # open items of a department now
    above: Callable[[Rule], str] = lambda rule: ""  # a platform body that acts too


def enabled_only(rule: Rule) -> bool:
    """For a duty that exists only where the pack switches its step on."""
    return rule.enabled


_DUTIES: dict[str, Duty] = {}


def duties_register(*duties: Duty) -> None:
    for duty in duties:
        _DUTIES[f"{duty.rule}:{duty.label}"] = duty


def duties() -> list[Duty]:
    return list(_DUTIES.values())


def departments_listable(user: User) -> QuerySet[Department]:
    """Whose lists ``user`` may read: the center and the authority every department's, a
    department member their own."""
    if is_center(user) or is_authority(user):
        return Department.objects.filter(is_active=True).order_by("name")
    if user.is_authenticated and user.department_id is not None:
        return Department.objects.filter(pk=user.department_id)
    return Department.objects.none()


def responsibility_list(department: Department) -> list[dict]:
    """The duties of ``department`` under its region's pack: one query for the pack, one
    for the people, one per duty with open items."""
    version = region_rules(department.region_id)
    people: dict[str, list[str]] = defaultdict(list)
    for role, last, first, username in (
            RoleAssignment.objects.filter(user__department=department, user__is_active=True)
            .values_list("role", "user__last_name", "user__first_name", "user__username")
            .order_by("user__username")):
        people[role].append(f"{last}{first}".strip() or username)
    rows = []
    for duty in duties():
        rule = rule_of(version, duty.rule)
        if not duty.applies(rule):
            continue
        roles = duty.roles(rule)
        rows.append({
            "duty": duty.label,
            "rule": rule.describe(),
            "note": rule.note,
            "responsible": [(Role(role).label, people.get(role, [])) for role in roles],
            "answerable": [(Role(role).label, people.get(role, [])) for role in duty.answerable
                           if role not in roles],
            "above": duty.above(rule),
            "open": duty.open_count(department.pk) if duty.open_count else None,
        })
    return rows


def consent_roles(rule: Rule) -> tuple[str, ...]:
    """The department roles that consent where a rule's ``consent`` option names one."""
    consent = rule.option("consent")
    return {"head": (Role.HEAD,), "data_admin": (Role.DATA_ADMIN, Role.HEAD)}.get(consent, ())


def consent_above(rule: Rule) -> str:
    return str(ACTOR_LABELS["authority"]) if rule.option("consent") == "authority" else ""
