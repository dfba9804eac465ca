"""Who may do what in the assessment. One function per question.

The authority (信息化主管部门) of a region manages the plans, notices, reports and
complaints of that region and the regions below it; an authority user without a
department (or a superuser) acts for every region. Members of an assessed unit — the
department, or for a next-lower government the authority department of that region —
see their own unit's scores before publication and answer for it.
"""

from portal.models import Department, Region, Role, User
from portal.policies import has_department_role, is_authority

EDITOR_ROLES = (Role.CLERK, Role.DATA_ADMIN, Role.HEAD)
SIGNER_ROLES = (Role.DATA_ADMIN, Role.HEAD)


def managed_region_ids(user: User) -> set[int] | None:
    """Regions whose assessment ``user`` manages: None means all, empty means none."""
    if not is_authority(user):
        return set()
    if user.is_superuser or user.department_id is None:
        return None
    cached = getattr(user, "_assessment_regions", None)
    if cached is None:
        parents = dict(Region.objects.values_list("pk", "parent_id"))
        root = user.department.region_id
        cached = set()
        for pk in parents:
            node = pk
            while node is not None and node != root:
                node = parents.get(node)
            if node == root:
                cached.add(pk)
        user._assessment_regions = cached
    return cached


def manages_region(user: User, region_id: int | None) -> bool:
    regions = managed_region_ids(user)
    return regions is None or region_id in regions


def can_manage_assessments(user: User) -> bool:
    return is_authority(user)


# -- plans and scores (A1–A4) ------------------------------------------------------------

def can_manage_plan(user: User, plan) -> bool:
    return manages_region(user, plan.region_id)


def unit_department_ids(unit) -> set[int]:
    """Departments that answer for ``unit``: the department, or the lower government's
    authority department(s)."""
    if unit.department_id:
        return {unit.department_id}
    cached = getattr(unit, "_member_departments", None)
    if cached is None:
        cached = set(Department.objects.filter(region_id=unit.region_id,
                                               kind=Department.Kind.AUTHORITY)
                     .values_list("pk", flat=True))
        unit._member_departments = cached
    return cached


def is_unit_member(user: User, unit) -> bool:
    return user.is_authenticated and user.department_id in unit_department_ids(unit)


def _unit_role(user: User, unit, *roles: str) -> bool:
    return is_unit_member(user, unit) and user.has_role(*roles)


def can_self_assess(user: User, unit) -> bool:
    return _unit_role(user, unit, *EDITOR_ROLES)


def can_submit_self_assessment(user: User, unit) -> bool:
    return _unit_role(user, unit, *SIGNER_ROLES)


def can_review_score(user: User, score) -> bool:
    return can_manage_plan(user, score.plan)


def can_object_to_score(user: User, score) -> bool:
    return _unit_role(user, score.unit, *SIGNER_ROLES)


def can_answer_objection(user: User, objection) -> bool:
    return can_manage_plan(user, objection.score.plan)


# -- rectification (A5) --------------------------------------------------------------------

def can_issue_notice(user: User, department: Department) -> bool:
    return manages_region(user, department.region_id)


def can_manage_notice(user: User, notice) -> bool:
    return manages_region(user, notice.department.region_id)


def can_report_notice(user: User, notice) -> bool:
    return has_department_role(user, notice.department_id, *SIGNER_ROLES)


# -- annual sharing reports (A6) ----------------------------------------------------------

def can_edit_annual_report(user: User, report) -> bool:
    return has_department_role(user, report.department_id, *EDITOR_ROLES)


def can_submit_annual_report(user: User, report) -> bool:
    return has_department_role(user, report.department_id, *SIGNER_ROLES)


def can_review_annual_report(user: User, report) -> bool:
    return manages_region(user, report.department.region_id)


# -- complaints (A7) ------------------------------------------------------------------------

def can_file_complaint(user: User) -> bool:
    return user.is_authenticated and user.department_id is not None and user.has_role(
        *SIGNER_ROLES)


def can_handle_complaint(user: User, complaint) -> bool:
    return manages_region(user, complaint.respondent.region_id)


def can_state_on_complaint(user: User, complaint) -> bool:
    return has_department_role(user, complaint.respondent_id, *SIGNER_ROLES)
