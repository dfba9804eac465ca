"""The negative list (S11): the periodic review finds the three kinds of problems and
opens a round; co-reviewers sign off; publication applies; removal makes a resource
unconditional."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import LegalBasisKind, SharingType
from portal.errors import ValidationFailed
from sharing.access import access_decide
from sharing.models import CoReview, NegativeListEntry, NegativeListRound, RoundItem
from sharing.services.co_reviews import co_review_sign
from sharing.services.negative_list import (
    negative_list_periodic_review,
    round_item_decide,
    round_publish,
    round_submit_signoff,
)
from sharing.tasks import negative_list_review
from tests.sharing.factories import resource_with_items

pytestmark = pytest.mark.django_db
P = RoundItem.Problem


@pytest.fixture
def listed(other_department):
    """Three resources: one missing from the list, one listed without a valid basis, one
    listed but not reviewed for 13 months — and one listed and current."""
    today = timezone.localdate()
    missing = resource_with_items(provider=other_department, legal_basis_kind=LegalBasisKind.LAW)
    no_basis = resource_with_items(provider=other_department, sharing_type=SharingType.NOT_SHARED)
    stale = resource_with_items(provider=other_department)
    current = resource_with_items(provider=other_department)
    NegativeListEntry.objects.create(resource=no_basis, sharing_type=SharingType.NOT_SHARED,
                                     legal_basis="《某市规章》", legal_basis_kind=LegalBasisKind.RULE,
                                     last_reviewed_on=today)
    for resource, reviewed in ((stale, today - timedelta(days=400)), (current, today)):
        NegativeListEntry.objects.create(resource=resource, sharing_type=SharingType.CONDITIONAL,
                                         legal_basis="《数据安全法》第三十八条",
                                         legal_basis_kind=LegalBasisKind.LAW,
                                         last_reviewed_on=reviewed)
    return {"missing": missing, "no_basis": no_basis, "stale": stale, "current": current}


def test_s11_periodic_review_finds_the_three_kinds_of_problems(listed):
    review_round = negative_list_periodic_review()
    problems = {i.resource_id: i.problem for i in review_round.items.all()}
    assert problems == {listed["missing"].pk: P.MISSING, listed["no_basis"].pk: P.NO_BASIS,
                        listed["stale"].pk: P.STALE}
    assert review_round.origin == NegativeListRound.Origin.PERIODIC


def test_s11_periodic_review_run_twice_opens_nothing_new(listed):
    first = negative_list_review()
    assert negative_list_review() is None
    assert NegativeListRound.objects.count() == 1
    assert RoundItem.objects.filter(review_round_id=first).count() == 3


def _sign_all(people, review_round, decision=CoReview.Decision.AGREE):
    for reviewer in (people.secrecy, people.establishment, people.legal):
        review = CoReview.objects.get(review_round=review_round, role__in=reviewer.role_set())
        co_review_sign(actor=reviewer, review=review, decision=decision, opinion="同意")


def test_s11_round_is_signed_off_then_published_and_removal_makes_unconditional(
        people, listed, filed):
    review_round = negative_list_periodic_review()
    items = {i.resource_id: i for i in review_round.items.all()}
    with pytest.raises(ValidationFailed):
        round_submit_signoff(actor=people.authority, review_round=review_round)
    round_item_decide(actor=people.authority, item=items[listed["missing"].pk],
                      decision=RoundItem.Decision.LIST, legal_basis="《统计法》第二十五条",
                      legal_basis_kind=LegalBasisKind.LAW)
    with pytest.raises(ValidationFailed):  # not-shared needs a law-rank basis
        round_item_decide(actor=people.authority, item=items[listed["no_basis"].pk],
                          decision=RoundItem.Decision.LIST, legal_basis="《某市规章》",
                          legal_basis_kind=LegalBasisKind.RULE)
    round_item_decide(actor=people.authority, item=items[listed["no_basis"].pk],
                      decision=RoundItem.Decision.REMOVE, note="无法律依据")
    round_item_decide(actor=people.authority, item=items[listed["stale"].pk],
                      decision=RoundItem.Decision.LIST, legal_basis="《数据安全法》第三十八条",
                      legal_basis_kind=LegalBasisKind.LAW)
    round_submit_signoff(actor=people.authority, review_round=review_round)
    with pytest.raises(ValidationFailed):  # nobody signed yet
        round_publish(actor=people.authority, review_round=review_round)
    _sign_all(people, review_round)
    round_publish(actor=people.authority, review_round=review_round)

    entries = {e.resource_id: e for e in NegativeListEntry.objects.all()}
    assert entries[listed["missing"].pk].status == NegativeListEntry.Status.LISTED
    assert entries[listed["no_basis"].pk].status == NegativeListEntry.Status.REMOVED
    assert entries[listed["stale"].pk].last_reviewed_on == timezone.localdate()
    removed = listed["no_basis"]
    removed.refresh_from_db()
    assert removed.sharing_type == SharingType.UNCONDITIONAL
    assert access_decide(department=filed, resource=removed).allowed
    assert negative_list_periodic_review() is None  # nothing left to review


def test_s11_a_disagreeing_co_reviewer_blocks_publication(people, listed):
    review_round = negative_list_periodic_review()
    for item in review_round.items.select_related("resource"):
        round_item_decide(actor=people.authority, item=item, decision=RoundItem.Decision.REMOVE)
    round_submit_signoff(actor=people.authority, review_round=review_round)
    review = CoReview.objects.get(review_round=review_round, role__in=people.secrecy.role_set())
    with pytest.raises(ValidationFailed):
        co_review_sign(actor=people.secrecy, review=review, decision=CoReview.Decision.DISAGREE,
                       opinion="")
    co_review_sign(actor=people.secrecy, review=review, decision=CoReview.Decision.DISAGREE,
                   opinion="涉及国家秘密，不得移出")
    with pytest.raises(ValidationFailed):
        round_publish(actor=people.authority, review_round=review_round)


def test_s11_published_list_is_visible_to_government_users_only(web, client, people, listed):
    from django.urls import reverse

    assert web(people.applicant_clerk).get(reverse("sharing:negative_list")).status_code == 200
    client.logout()
    assert client.get(reverse("sharing:negative_list")).status_code == 302
