"""Co-reviewers' sign-offs (secrecy, establishment, legal; HN-12, HY-16) on coordination
decisions that change a sharing type and on negative-list review rounds."""

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import NotPermitted, ValidationFailed
from portal.models import Role, User
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close

from ..models import CoReview
from ..policies import can_sign_co_review


def co_review_key(review: CoReview) -> str:
    """The inbox key of one request for a sign-off (a new request gets a new key)."""
    return f"sharing:coreview:{review.pk}:{int(review.requested_at.timestamp())}"


def co_reviews_open(*, target: dict, roles: Iterable[str], title: str) -> list[CoReview]:
    """Ask each role to sign off (``target`` is ``{"dispute": d}`` or
    ``{"review_round": r}``); a role already asked and not yet signed is asked again
    only once."""
    reviews = []
    for role in roles:
        review, _created = CoReview.objects.get_or_create(**target, role=role)
        if review.is_signed:
            review.reviewer, review.decision, review.opinion, review.signed_at = None, "", "", None
            review.requested_at = timezone.now()
            review.save()
        reviews.append(review)
        inbox_add(users=users_with_role(role), key=co_review_key(review),
                  title=title, url=reverse("sharing:co_review", args=[review.pk]), target=review)
    return reviews


def co_reviews_agreed(reviews: Iterable[CoReview], roles: Iterable[str]) -> bool:
    by_role = {r.role: r for r in reviews}
    return all(role in by_role and by_role[role].decision == CoReview.Decision.AGREE
               for role in roles)


@transaction.atomic
def co_review_sign(*, actor: User, review: CoReview, decision: str, opinion: str) -> CoReview:
    review = CoReview.objects.select_for_update(of=("self",)).select_related(
        "dispute__request", "review_round").get(pk=review.pk)
    if not can_sign_co_review(actor, review):
        raise NotPermitted(_("该会审事项不需要您签署或已签署。"), target=review, action="sign")
    opinion = (opinion or "").strip()
    if decision not in CoReview.Decision.values:
        raise ValidationFailed(_("请选择同意或不同意。"), fields={"decision": [_("请选择会审意见。")]})
    if decision == CoReview.Decision.DISAGREE and not opinion:
        raise ValidationFailed(_("不同意时请说明理由。"), fields={"opinion": [
            _("不同意时必须说明理由。")]})
    review.reviewer, review.decision, review.opinion = actor, decision, opinion
    review.signed_at = timezone.now()
    review._history_user = actor
    review.save()
    inbox_close(key=co_review_key(review))
    return review


DISPUTE_CO_REVIEW_ROLES = (Role.SECRECY_REVIEWER, Role.LEGAL_REVIEWER)
ROUND_CO_REVIEW_ROLES = (Role.SECRECY_REVIEWER, Role.ESTABLISHMENT_REVIEWER, Role.LEGAL_REVIEWER)
