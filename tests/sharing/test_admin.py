"""The center's and the authority's work in the admin (P6) goes through the services."""

import pytest
from django.urls import reverse

from sharing.models import (
    CoReview,
    Filing,
    NegativeListRound,
    ResponseRecord,
    ShareRequest,
)
from sharing.services.disputes import request_escalate
from sharing.services.requests import request_refuse
from tests.sharing.factories import FilingFactory, make_request, resource_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinating(people, conditional_resource):
    request = make_request(people.applicant_clerk, conditional_resource,
                           submit_by=people.applicant_admin)
    request_refuse(actor=people.provider_admin, request=request, reason="不符合条件")
    request_escalate(actor=people.applicant_admin, request=request, reason="确需")
    return request_escalate(actor=people.applicant_admin, request=request, reason="协商未果")


def test_admin_pages_render_for_the_center_and_the_authority(web, people, coordinating):
    models = ["filing", "sharerequest", "responserecord", "grant", "dispute", "transferrequest",
              "objection", "negativelistentry", "negativelistround"]
    for user in (people.center, people.authority):
        client = web(user)
        for model in models:
            assert client.get(reverse(f"admin:sharing_{model}_changelist")).status_code == 200
    client = web(people.authority)
    page = client.get(reverse("admin:sharing_dispute_change", args=[coordinating.dispute.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "协调决定" in body
    assert "不符合条件" in body  # the request summary shows the refusal


def test_center_acknowledges_a_filing_in_the_admin(web, people):
    filing = FilingFactory(status=Filing.Status.SUBMITTED, acknowledged_at=None)
    client = web(people.center)
    client.post(reverse("admin:sharing_filing_change", args=[filing.pk]),
                {"decision": "acknowledge", "comment": "材料齐全"})
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACKNOWLEDGED and filing.acknowledged_by == people.center


def test_authority_coordinates_in_the_admin(web, people, coordinating):
    client = web(people.authority)
    url = reverse("admin:sharing_dispute_change", args=[coordinating.dispute.pk])
    client.post(url, {"coordination": "approve", "decision_text": "", "messages-TOTAL_FORMS": 0,
                      "messages-INITIAL_FORMS": 0, "co_reviews-TOTAL_FORMS": 0,
                      "co_reviews-INITIAL_FORMS": 0})
    coordinating.refresh_from_db()
    assert coordinating.status == ShareRequest.Status.COORDINATING  # a decision needs its text
    client.post(url, {"coordination": "approve", "decision_text": "依法予以共享",
                      "messages-TOTAL_FORMS": 0, "messages-INITIAL_FORMS": 0,
                      "co_reviews-TOTAL_FORMS": 0, "co_reviews-INITIAL_FORMS": 0})
    coordinating.refresh_from_db()
    assert coordinating.status == ShareRequest.Status.APPROVED


def test_departments_do_not_reach_the_admin(web, people):
    assert web(people.provider_admin).get(
        reverse("admin:sharing_sharerequest_changelist")).status_code == 302


def test_s11_authority_runs_the_periodic_review_from_the_admin(web, people, other_department):
    resource_with_items(provider=other_department)
    client = web(people.authority)
    client.post(reverse("admin:sharing_negativelistround_periodic"))
    review_round = NegativeListRound.objects.get()
    assert review_round.items.count() == 1
    page = client.get(reverse("admin:sharing_negativelistround_change", args=[review_round.pk]))
    assert page.status_code == 200
    assert 'name="items-0-decision"' in page.content.decode()  # conclusions are editable
    item = review_round.items.get()
    client.post(reverse("admin:sharing_negativelistround_change", args=[review_round.pk]), {
        "items-TOTAL_FORMS": 1, "items-INITIAL_FORMS": 1, "items-0-id": item.pk,
        "items-0-review_round": review_round.pk, "items-0-decision": "list",
        "items-0-legal_basis_kind": "law", "items-0-legal_basis": "《统计法》第二十五条",
        "items-0-note": "", "co_reviews-TOTAL_FORMS": 0, "co_reviews-INITIAL_FORMS": 0})
    item.refresh_from_db()
    assert item.decision == "list" and item.legal_basis == "《统计法》第二十五条"


def test_s12_response_record_excludes_drafts(people, conditional_resource, coordinating):
    make_request(people.applicant_clerk, conditional_resource)
    assert set(ResponseRecord.objects.exclude(status="draft")) == {coordinating}
    assert CoReview.objects.count() == 0
