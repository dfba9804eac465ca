"""Every query of the sharing pages, API and tasks, already filtered to what the user may
see: departments see what they are a party to; the center and the authority see all.
Lists select their related rows up front (no N+1) and are paginated by the caller."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from catalog.models import DataItem, Resource, SharingType
from portal.models import User
from portal.policies import is_government_user
from portal.services.organisation import department_group

from .models import (
    CONSUME_RESOURCE,
    CoReview,
    DisputeMessage,
    Filing,
    Grant,
    NegativeListEntry,
    Objection,
    ResourceGrantPermission,
    ShareRequest,
    TransferRequest,
)
from .policies import sees_everything

S = ShareRequest.Status


def _party_filter(user: User, *fields: str) -> Q | None:
    """Rows where the user's department is one of ``fields``; None when it sees all."""
    if sees_everything(user):
        return None
    if not user.is_authenticated or user.department_id is None:
        return Q(pk__in=[])
    condition = Q()
    for field in fields:
        condition |= Q(**{field: user.department_id})
    return condition


def _visible(qs: QuerySet, user: User, *fields: str) -> QuerySet:
    condition = _party_filter(user, *fields)
    return qs if condition is None else qs.filter(condition)


# -- filing ------------------------------------------------------------------------------

def filing_for(department_id: int | None) -> Filing | None:
    if department_id is None:
        return None
    return Filing.objects.filter(department_id=department_id).first()


# -- requests ----------------------------------------------------------------------------

def requests_visible(user: User) -> QuerySet[ShareRequest]:
    """Requests the user's department made, and those made to it once submitted (drafts
    stay private to the applicant)."""
    qs = ShareRequest.objects.select_related("applicant", "provider", "resource",
                                             "rule_version")
    if sees_everything(user):
        return qs
    if not user.is_authenticated or user.department_id is None:
        return qs.none()
    return qs.filter(Q(applicant_id=user.department_id)
                     | (Q(provider_id=user.department_id) & ~Q(status=S.DRAFT)))


def requests_made(user: User) -> QuerySet[ShareRequest]:
    return requests_visible(user).filter(applicant_id=user.department_id)


def requests_received(user: User) -> QuerySet[ShareRequest]:
    return requests_visible(user).filter(provider_id=user.department_id)


def request_detail(user: User) -> QuerySet[ShareRequest]:
    """For one request's page: its items, answer, grant and dispute thread in a few
    queries."""
    messages = DisputeMessage.objects.select_related("author", "department")
    return requests_visible(user).select_related("created_by", "answered_by").prefetch_related(
        "items", "approved_items", "masked_items",
        Prefetch("dispute__messages", queryset=messages),
        "dispute__co_reviews__reviewer",
    )


def request_grant(request: ShareRequest) -> Grant | None:
    return Grant.objects.filter(request=request).first()


def disputes_visible(user: User) -> QuerySet[ShareRequest]:
    """Requests that went to negotiation or coordination, as the user may see them."""
    return (requests_visible(user).filter(dispute__isnull=False)
            .select_related("dispute").annotate(message_count=Count("dispute__messages")))


def requestable_resources(user: User, search: str = "") -> QuerySet[Resource]:
    """Other departments' registered resources with something to apply for."""
    conditional_items = DataItem.objects.filter(resource=OuterRef("pk"), retired=False).exclude(
        sharing_type__in=["", SharingType.UNCONDITIONAL])
    qs = (Resource.objects.filter(status=Resource.Status.REGISTERED)
          .filter(~Q(sharing_type=SharingType.UNCONDITIONAL) | Exists(conditional_items))
          .annotate(restricted_items=Count("items", filter=Q(items__retired=False) & ~Q(
              items__sharing_type__in=["", SharingType.UNCONDITIONAL])))
          .select_related("provider").order_by("provider__name", "name"))
    if user.department_id is not None:
        qs = qs.exclude(provider_id=user.department_id)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search)
                       | Q(provider__name__icontains=search))
    return qs


def resources_granted(department) -> QuerySet[Resource]:
    """Resources whose grants the department group holds (guardian's direct-FK table:
    one indexed join however many grants exist)."""
    permitted = ResourceGrantPermission.objects.filter(
        group=department_group(department), permission__codename=CONSUME_RESOURCE)
    return Resource.objects.filter(pk__in=permitted.values("content_object_id"))


def responses_record(user: User) -> QuerySet[ShareRequest]:
    """S12: every demand and how and when it was answered (drafts are not demands)."""
    return (requests_visible(user).exclude(status=S.DRAFT)
            .select_related("answered_by", "dispute")
            .order_by("-submitted_at", "-pk"))


# -- grants -----------------------------------------------------------------------------

def grants_visible(user: User) -> QuerySet[Grant]:
    qs = Grant.objects.select_related("department", "provider", "resource")
    return _visible(qs, user, "department_id", "provider_id")


def grants_held(user: User) -> QuerySet[Grant]:
    return grants_visible(user).filter(department_id=user.department_id)


def grants_given(user: User) -> QuerySet[Grant]:
    return grants_visible(user).filter(provider_id=user.department_id)


# -- transfers, objections ---------------------------------------------------------------

def transfers_visible(user: User) -> QuerySet[TransferRequest]:
    qs = TransferRequest.objects.select_related("applicant", "provider", "grant__resource",
                                                "recipient_department")
    return _visible(qs, user, "applicant_id", "provider_id")


def objections_visible(user: User) -> QuerySet[Objection]:
    qs = Objection.objects.select_related("reporter", "provider", "resource", "item")
    return _visible(qs, user, "reporter_id", "provider_id")


# -- co-reviews, negative list -------------------------------------------------------------

def co_reviews_for(user: User) -> QuerySet[CoReview]:
    """Sign-offs asked of the user's co-reviewer roles (the center and authority see all)."""
    qs = CoReview.objects.select_related("dispute__request__resource", "review_round",
                                         "reviewer").order_by("signed_at", "-requested_at")
    if sees_everything(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(role__in=user.role_set())


def negative_list(user: User, search: str = "") -> QuerySet[NegativeListEntry]:
    """The published list, for every government user (S11)."""
    if not is_government_user(user):
        return NegativeListEntry.objects.none()
    qs = (NegativeListEntry.objects.filter(status=NegativeListEntry.Status.LISTED)
          .select_related("resource__provider", "published_round"))
    if search:
        qs = qs.filter(Q(resource__name__icontains=search) | Q(resource__code__icontains=search)
                       | Q(resource__provider__name__icontains=search)
                       | Q(legal_basis__icontains=search))
    return qs
