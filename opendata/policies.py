"""Who may do what in open data. One function per question; services, views, the admin
and the API all ask these."""

from django.utils import timezone

from catalog.models import OpenType, Resource
from portal.models import Department, Role, User
from portal.policies import has_department_role, is_center, is_government_user

from .models import (
    PUBLISHABLE_OPEN_TYPES,
    AccessApplication,
    Comment,
    DataProduct,
    DataRequest,
    Dataset,
    DatasetUpdate,
    OpenPlan,
)

# Department roles that prepare open datasets; only the data administrator submits.
_PREPARERS = (Role.CLERK, Role.DATA_ADMIN)


def is_public_user(user: User) -> bool:
    """A registered member of the public: signed in, no department, no platform role."""
    return user.is_authenticated and not is_government_user(user)


def can_open_resource(resource: Resource) -> bool:
    """Whether a catalog entry may be published at all (O1): registered and open."""
    return (
        resource.status == Resource.Status.REGISTERED
        and resource.is_open
        and resource.open_type in PUBLISHABLE_OPEN_TYPES
    )


def can_prepare_dataset(user: User, department: Department | int) -> bool:
    return has_department_role(user, department, *_PREPARERS)


def can_edit_dataset(user: User, dataset: Dataset) -> bool:
    return dataset.status in (Dataset.Status.DRAFT, Dataset.Status.RETURNED,
                              Dataset.Status.WITHDRAWN) and can_prepare_dataset(
        user, dataset.publisher_id)


def can_propose_dataset(user: User, dataset: Dataset) -> bool:
    return has_department_role(user, dataset.publisher_id, Role.DATA_ADMIN)


def can_review_dataset(user: User, dataset: Dataset | None = None) -> bool:
    """The information center reviews every publication and update (O2)."""
    return is_center(user)


def can_withdraw_dataset(user: User, dataset: Dataset) -> bool:
    return is_center(user) or has_department_role(user, dataset.publisher_id, Role.DATA_ADMIN)


def can_edit_update(user: User, update: DatasetUpdate) -> bool:
    return update.status in (DatasetUpdate.Status.DRAFT, DatasetUpdate.Status.RETURNED) and (
        can_prepare_dataset(user, update.dataset.publisher_id))


def can_download_dataset(user: User, dataset: Dataset, *, today=None) -> bool:
    """Unconditional data is for everyone; conditional data for approved applicants (O5).

    The publishing department and the center may always fetch what they published.
    """
    if dataset.status != Dataset.Status.PUBLISHED or not can_open_resource(dataset.resource):
        return False
    # The stricter of the dataset's and the catalog entry's open types applies.
    if OpenType.CONDITIONAL not in (dataset.open_type, dataset.resource.open_type):
        return True
    if not user.is_authenticated:
        return False
    if is_center(user) or user.department_id == dataset.publisher_id:
        return True
    today = today or timezone.localdate()
    return any(a.is_valid_on(today) for a in AccessApplication.objects.filter(
        dataset=dataset, applicant=user, status=AccessApplication.Status.APPROVED))


def can_apply_for_dataset(user: User, dataset: Dataset) -> bool:
    return (dataset.status == Dataset.Status.PUBLISHED
            and dataset.open_type == OpenType.CONDITIONAL and is_public_user(user))


def can_decide_application(user: User, application: AccessApplication) -> bool:
    """The providing department's data administrator, or the center (O5)."""
    return is_center(user) or has_department_role(
        user, application.dataset.publisher_id, Role.DATA_ADMIN)


def can_cancel_application(user: User, application: AccessApplication) -> bool:
    return user.is_authenticated and application.applicant_id == user.pk


def can_engage(user: User) -> bool:
    """Rate and comment: any signed-in user."""
    return user.is_authenticated and user.is_active


def can_moderate_comment(user: User, comment: Comment) -> bool:
    return is_center(user) or has_department_role(
        user, comment.dataset.publisher_id, Role.DATA_ADMIN)


def can_route_request(user: User, request: DataRequest | None = None) -> bool:
    """The center receives the public's requests and routes them (YS-18)."""
    return is_center(user)


def can_answer_request(user: User, request: DataRequest) -> bool:
    return is_center(user) or (request.department_id is not None and has_department_role(
        user, request.department_id, Role.DATA_ADMIN))


def can_register_product(user: User) -> bool:
    return user.is_authenticated and user.is_active


def can_edit_product(user: User, product: DataProduct) -> bool:
    return product.owner_id == user.pk and product.status == DataProduct.Status.RETURNED


def can_report_product(user: User, product: DataProduct) -> bool:
    return product.owner_id == user.pk and product.status == DataProduct.Status.LISTED


def can_review_product(user: User, product: DataProduct | None = None) -> bool:
    return is_center(user)


def can_create_plan(user: User, department: Department | int) -> bool:
    return has_department_role(user, department, Role.DATA_ADMIN)


def can_edit_plan(user: User, plan: OpenPlan) -> bool:
    return plan.status == OpenPlan.Status.DRAFT and has_department_role(
        user, plan.department_id, Role.DATA_ADMIN)


def can_submit_plan(user: User, plan: OpenPlan) -> bool:
    return has_department_role(user, plan.department_id, Role.DATA_ADMIN)


def can_reopen_plan(user: User, plan: OpenPlan) -> bool:
    return is_center(user) or has_department_role(user, plan.department_id, Role.DATA_ADMIN)


def can_use_manage_pages(user: User) -> bool:
    """The department and center pages of open data: every member of a department sees
    its datasets (heads and security officers oversee them); actions ask their own policy."""
    return is_center(user) or (user.is_authenticated and user.department_id is not None)
