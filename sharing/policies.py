"""Who may do what in sharing. One function per question; services, pages, the admin,
the API and tasks all ask these."""

from catalog.models import Resource, SharingType
from portal.models import Role, User
from portal.policies import has_department_role, is_authority, is_center, is_government_user

from .models import (
    AnswerExtension,
    CoReview,
    Dispute,
    Filing,
    Grant,
    NegativeListRound,
    Objection,
    ShareRequest,
    TransferRequest,
)

# Department roles that act for the department in sharing (answer, submit, escalate).
ACTING_ROLES = (Role.DATA_ADMIN, Role.HEAD)
# Roles that prepare drafts and take part in negotiations.
MEMBER_ROLES = (Role.CLERK, Role.DATA_ADMIN, Role.SECURITY_OFFICER, Role.HEAD)
DRAFTING_ROLES = (Role.CLERK, Role.DATA_ADMIN, Role.HEAD)

S = ShareRequest.Status


def sees_everything(user: User) -> bool:
    return is_center(user) or is_authority(user)


def _acts_for(user: User, department_id: int | None) -> bool:
    return has_department_role(user, department_id, *ACTING_ROLES)


# -- filing (S6) ------------------------------------------------------------------------

def can_edit_filing(user: User, filing: Filing | None) -> bool:
    """Clerks, data administrators and heads prepare their department's filing."""
    department = filing.department_id if filing is not None else user.department_id
    if not has_department_role(user, department, *DRAFTING_ROLES):
        return False
    return filing is None or filing.is_editable


def can_submit_filing(user: User, filing: Filing) -> bool:
    """The head or the data administrator submits the signed commitment."""
    return filing.is_editable and _acts_for(user, filing.department_id)


def can_review_filing(user: User, filing: Filing) -> bool:
    return is_center(user)


# -- requests (S2, S3) ------------------------------------------------------------------

def resource_is_requestable(resource: Resource) -> bool:
    """Registered, and something in it is not shared unconditionally."""
    if resource.status != Resource.Status.REGISTERED:
        return False
    if resource.sharing_type != SharingType.UNCONDITIONAL:
        return True
    return resource.items.filter(retired=False).exclude(
        sharing_type__in=["", SharingType.UNCONDITIONAL]).exists()


def can_apply_for_resource(user: User, resource: Resource) -> bool:
    """A department member who drafts, for another department's requestable resource.
    (The filing is checked by the service, which explains the refusal.)"""
    return (user.department_id is not None and user.department_id != resource.provider_id
            and has_department_role(user, user.department_id, *DRAFTING_ROLES)
            and resource_is_requestable(resource))


def can_edit_request(user: User, request: ShareRequest) -> bool:
    return request.is_editable and has_department_role(user, request.applicant_id,
                                                       *DRAFTING_ROLES)


def can_submit_request(user: User, request: ShareRequest) -> bool:
    return request.is_editable and _acts_for(user, request.applicant_id)


def can_withdraw_request(user: User, request: ShareRequest) -> bool:
    withdrawable = {S.DRAFT, S.RETURNED, S.PREREVIEW, S.PROVIDER_REVIEW, S.REFUSED,
                    S.NEGOTIATING, S.COORDINATING}
    if request.status not in withdrawable:
        return False
    if request.status in (S.DRAFT, S.RETURNED):
        return has_department_role(user, request.applicant_id, *DRAFTING_ROLES)
    return _acts_for(user, request.applicant_id)


def can_prereview_request(user: User, request: ShareRequest) -> bool:
    """The compliance check is the center's, or the authority's where the pack says so."""
    if request.status != S.PREREVIEW:
        return False
    return is_authority(user) if request.prereview_by == "authority" else is_center(user)


def can_answer_request(user: User, request: ShareRequest) -> bool:
    """The provider answers in its review step and may agree during negotiation."""
    return (request.status in (S.PROVIDER_REVIEW, S.NEGOTIATING)
            and _acts_for(user, request.provider_id))


def can_refuse_request(user: User, request: ShareRequest) -> bool:
    return request.status == S.PROVIDER_REVIEW and _acts_for(user, request.provider_id)


def can_supply_request(user: User, request: ShareRequest) -> bool:
    return request.status == S.SUPPLY and _acts_for(user, request.provider_id)


def can_ask_extension(user: User, request: ShareRequest) -> bool:
    """The provider asks for more time while its answer step is open."""
    return request.status == S.PROVIDER_REVIEW and _acts_for(user, request.provider_id)


def can_consent_extension(user: User, extension: AnswerExtension) -> bool:
    """Whoever the pack names consents: the provider's head (Guizhou), its data
    administrator (or head), or the authority."""
    if not extension.is_pending:
        return False
    provider = extension.request.provider_id
    return {
        "head": lambda: has_department_role(user, provider, Role.HEAD),
        "data_admin": lambda: _acts_for(user, provider),
        "authority": lambda: is_authority(user),
    }.get(extension.consent_by, lambda: False)()


def can_enable_request(user: User, request: ShareRequest) -> bool:
    return request.status == S.ENABLEMENT and is_center(user)


def can_escalate_request(user: User, request: ShareRequest) -> bool:
    """A refusal goes to negotiation at the applicant's wish; a failed negotiation goes
    to the authority at either party's."""
    if request.status == S.REFUSED:
        return _acts_for(user, request.applicant_id)
    if request.status == S.NEGOTIATING:
        return _acts_for(user, request.applicant_id) or _acts_for(user, request.provider_id)
    return False


def can_coordinate_request(user: User, request: ShareRequest) -> bool:
    return request.status == S.COORDINATING and is_authority(user)


def request_actions(user: User, request: ShareRequest) -> set[str]:
    """The actions ``user`` may take on ``request`` now (for pages and the API)."""
    checks = {
        "edit": can_edit_request, "submit": can_submit_request,
        "withdraw": can_withdraw_request, "prereview": can_prereview_request,
        "answer": can_answer_request, "refuse": can_refuse_request,
        "enable": can_enable_request, "escalate": can_escalate_request,
        "coordinate": can_coordinate_request, "supply": can_supply_request,
        "extend": can_ask_extension,
    }
    return {name for name, check in checks.items() if check(user, request)}


# -- disputes (S4) ----------------------------------------------------------------------

def can_post_dispute_message(user: User, dispute: Dispute) -> bool:
    request = dispute.request
    if request.status not in (S.NEGOTIATING, S.COORDINATING):
        return False
    if is_authority(user):
        return True
    return has_department_role(user, request.applicant_id, *MEMBER_ROLES) or \
        has_department_role(user, request.provider_id, *MEMBER_ROLES)


def can_request_co_review(user: User, dispute: Dispute) -> bool:
    return dispute.request.status == S.COORDINATING and is_authority(user)


def can_sign_co_review(user: User, review: CoReview) -> bool:
    if review.is_signed or not user.is_authenticated or not user.has_role(review.role):
        return False
    if review.dispute_id is not None:
        return review.dispute.request.status == S.COORDINATING
    return review.review_round.status == NegativeListRound.Status.SIGNOFF


# -- grants (S5) ------------------------------------------------------------------------

def can_grant_resource(user: User, resource: Resource) -> bool:
    """The provider's data administrator or head; the center when it enables an approved
    request (HY-17); the authority when it coordinates (S4)."""
    return sees_everything(user) or _acts_for(user, resource.provider_id)


def can_revoke_grant(user: User, grant: Grant) -> bool:
    if grant.revoked_at is not None:
        return False
    return is_authority(user) or _acts_for(user, grant.provider_id)


# -- transfers (S7) ---------------------------------------------------------------------

def can_request_transfer(user: User, grant: Grant) -> bool:
    return grant.state == Grant.State.ACTIVE and _acts_for(user, grant.department_id)


def transfer_side(user: User, transfer: TransferRequest) -> str | None:
    """Which consent ``user`` may give now: "authority", "provider" or None."""
    if transfer.status != TransferRequest.Status.PENDING:
        return None
    if transfer.authority_consent is None and is_authority(user):
        return "authority"
    if transfer.provider_consent is None and _acts_for(user, transfer.provider_id):
        return "provider"
    return None


def can_withdraw_transfer(user: User, transfer: TransferRequest) -> bool:
    return (transfer.status == TransferRequest.Status.PENDING
            and _acts_for(user, transfer.applicant_id))


# -- objections (S8) --------------------------------------------------------------------

def can_raise_objection(user: User, resource: Resource) -> bool:
    """A member of a department that uses the resource (the provider corrects its own
    data without an objection)."""
    return (resource.status == Resource.Status.REGISTERED and user.department_id is not None
            and user.department_id != resource.provider_id
            and has_department_role(user, user.department_id, *MEMBER_ROLES))


def can_answer_objection(user: User, objection: Objection) -> bool:
    return objection.status == Objection.Status.OPEN and _acts_for(user, objection.provider_id)


def can_follow_up_objection(user: User, objection: Objection) -> bool:
    """The reporter accepts the answer or raises the objection again."""
    return (objection.status in (Objection.Status.CORRECTED, Objection.Status.CONFIRMED)
            and has_department_role(user, objection.reporter_id, *MEMBER_ROLES))


def can_withdraw_objection(user: User, objection: Objection) -> bool:
    return (objection.status == Objection.Status.OPEN
            and has_department_role(user, objection.reporter_id, *MEMBER_ROLES))


# -- negative list (S11) and the record of responses (S12) -------------------------------

def can_view_negative_list(user: User) -> bool:
    return is_government_user(user)


def can_manage_negative_list(user: User) -> bool:
    return is_authority(user)


def can_view_responses_record(user: User) -> bool:
    return sees_everything(user)
