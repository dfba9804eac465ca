"""Who may do what in the catalog. One function per question; services, views, the admin
and the API all ask these. Who may see an entry is one rule, the selector
``catalog.selectors.resources_visible``."""

from portal.models import Role
from portal.policies import has_department_role, is_authority, is_center, is_government_user

from .models import ChangeEvent, Project, Resource

EDITORS = (Role.CLERK, Role.DATA_ADMIN)


def can_create_resource(user, department) -> bool:
    """Clerks and data administrators compile their own department's catalog."""
    return has_department_role(user, department, *EDITORS)


def _held_here(resource: Resource) -> bool:
    """False for an entry held from a lower platform: it changes only at its origin."""
    from .cascade.services import is_cascaded

    return not is_cascaded(resource)


def can_edit_resource(user, resource: Resource) -> bool:
    return (resource.is_editable and has_department_role(user, resource.provider_id, *EDITORS)
            and _held_here(resource))


def can_delete_resource(user, resource: Resource) -> bool:
    """Only drafts that never went to review, or revision drafts (discarding them)."""
    return (resource.status == Resource.Status.DRAFT and resource.code is None
            and has_department_role(user, resource.provider_id, *EDITORS))


def can_submit_resource(user, resource: Resource) -> bool:
    """The department's data administrator submits (C6)."""
    return has_department_role(user, resource.provider_id, Role.DATA_ADMIN)


def can_submit_resource_for(user, department) -> bool:
    """Whether ``user`` submits the catalog of ``department`` (bulk submission)."""
    return has_department_role(user, department.pk, Role.DATA_ADMIN)


def can_withdraw_resource(user, resource: Resource) -> bool:
    return has_department_role(user, resource.provider_id, Role.DATA_ADMIN)


def can_review_resource(user, resource: Resource | None = None) -> bool:
    """The information center reviews registrations and revisions (HN-13)."""
    return is_center(user)


def can_revise_resource(user, resource: Resource) -> bool:
    return (resource.status == Resource.Status.REGISTERED
            and has_department_role(user, resource.provider_id, *EDITORS)
            and _held_here(resource))


def can_retire_resource(user, resource: Resource) -> bool:
    return (is_center(user) or has_department_role(user, resource.provider_id, Role.DATA_ADMIN)
            ) and _held_here(resource)


def can_read_cascade(user) -> bool:
    """The upper-level platform reads a lower one's catalog with a government account."""
    return is_government_user(user)


def can_import_resources(user, department) -> bool:
    return has_department_role(user, department, *EDITORS)


# -- change events (C7) and census (C8)

def can_record_change_event(user, department) -> bool:
    """The authority, the center or the department's data administrator or head."""
    return (is_authority(user) or is_center(user)
            or has_department_role(user, department, Role.DATA_ADMIN, Role.HEAD))


def can_complete_change_event(user, event: ChangeEvent) -> bool:
    return (is_authority(user) or is_center(user)
            or has_department_role(user, event.department_id, Role.DATA_ADMIN))


def can_cancel_change_event(user, event: ChangeEvent) -> bool:
    return is_authority(user) or is_center(user)


def can_manage_census(user) -> bool:
    return is_center(user)


def can_confirm_census_entry(user, entry) -> bool:
    return has_department_role(user, entry.department_id, Role.DATA_ADMIN)


# -- projects (C11)

def can_edit_project(user, project: Project | None, department=None) -> bool:
    department = project.department_id if project is not None else department
    editable = project is None or project.status in (Project.Status.PLANNING, Project.Status.REJECTED)
    return editable and has_department_role(user, department, *EDITORS)


def can_submit_project(user, project: Project) -> bool:
    return has_department_role(user, project.department_id, Role.DATA_ADMIN)


def can_review_project(user, project: Project | None = None) -> bool:
    """Project approval and acceptance (立项审批、验收) are the authority's (NAT-21)."""
    return is_authority(user) or is_center(user)
