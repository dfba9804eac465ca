"""Department pages of sharing: every page renders, parties only (404 otherwise), the
filing gate explains itself (S6), and the record of responses exports (S12)."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.models import AuditEvent, Role
from sharing.models import ShareRequest
from sharing.services.disputes import request_escalate
from sharing.services.objections import objection_create
from sharing.services.requests import request_approve, request_refuse
from sharing.services.transfers import transfer_create
from tests.sharing.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(people, conditional_resource):
    """An approved request with its grant, a refused one in negotiation, an objection and a
    transfer request."""
    approved = make_request(people.applicant_clerk, conditional_resource,
                            submit_by=people.applicant_admin)
    approved = request_approve(actor=people.provider_admin, request=approved)
    refused = make_request(people.applicant_clerk, conditional_resource,
                           submit_by=people.applicant_admin)
    request_refuse(actor=people.provider_admin, request=refused, reason="=HYPERLINK(\"x\")")
    request_escalate(actor=people.applicant_admin, request=refused, reason="确需使用")
    grant = approved.grant
    objection = objection_create(actor=people.applicant_clerk, resource=conditional_resource,
                                 kind="wrong", record_reference="91460000MA5T000001",
                                 description="企业名称与营业执照不一致")
    transfer = transfer_create(actor=people.applicant_admin, grant=grant,
                               recipient_name="某区政务服务中心", purpose="窗口核验",
                               reason="联合审批", items=grant.items.all()[:1])
    return {"approved": approved, "refused": refused, "grant": grant, "objection": objection,
            "transfer": transfer}


def test_department_pages_render_for_both_parties(web, people, scene):
    pages = [
        reverse("sharing:requests_mine"), reverse("sharing:requests_incoming"),
        reverse("sharing:resource_catalog"), reverse("sharing:grant_list"),
        reverse("sharing:grant_list") + "?show=given", reverse("sharing:dispute_list"),
        reverse("sharing:objection_list"), reverse("sharing:objection_list") + "?show=received",
        reverse("sharing:transfer_list"), reverse("sharing:negative_list"),
        reverse("sharing:filing"),
        reverse("sharing:request_detail", args=[scene["approved"].pk]),
        reverse("sharing:request_detail", args=[scene["refused"].pk]),
        reverse("sharing:grant_detail", args=[scene["grant"].pk]),
        reverse("sharing:objection_detail", args=[scene["objection"].pk]),
        reverse("sharing:transfer_detail", args=[scene["transfer"].pk]),
    ]
    for user in (people.applicant_admin, people.provider_admin):
        client = web(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url


def test_requests_to_us_lists_incoming_requests_only(web, people, scene):
    client = web(people.provider_admin)
    body = client.get(reverse("sharing:requests_incoming")).content.decode()
    assert scene["approved"].number in body
    client = web(people.applicant_admin)
    body = client.get(reverse("sharing:requests_incoming")).content.decode()
    assert scene["approved"].number not in body


@pytest.mark.parametrize("name,key", [
    ("sharing:request_detail", "approved"), ("sharing:grant_detail", "grant"),
    ("sharing:objection_detail", "objection"), ("sharing:transfer_detail", "transfer"),
])
def test_a_department_never_sees_what_it_is_not_party_to(web, people, scene, name, key):
    client = web(people.outsider_admin)
    response = client.get(reverse(name, args=[scene[key].pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED).exists()


def test_outsider_lists_do_not_show_other_departments_rows(web, people, scene):
    client = web(people.outsider_admin)
    for url in (reverse("sharing:requests_mine"), reverse("sharing:requests_incoming"),
                reverse("sharing:dispute_list")):
        assert scene["approved"].number not in client.get(url).content.decode()


def test_s6_unfiled_department_is_told_why_on_the_application_page(web, make_user,
                                                                   department,
                                                                   conditional_resource):
    clerk = make_user(department=department, roles=[Role.CLERK])
    client = web(clerk)
    body = client.get(reverse("sharing:request_new", args=[conditional_resource.pk])
                      ).content.decode()
    assert "未备案" in body and "共享备案" in body


def test_application_through_the_page_and_refusal_needs_a_reason(web, people,
                                                                 conditional_resource):
    client = web(people.applicant_clerk)
    items = list(conditional_resource.items.values_list("pk", flat=True))
    from tests.sharing.factories import commitment_file, request_data

    data = {**request_data(), "items": items[:2], "commitment_document": commitment_file()}
    response = client.post(reverse("sharing:request_new", args=[conditional_resource.pk]), data)
    assert response.status_code == 302
    request = ShareRequest.objects.get()
    client = web(people.applicant_admin)
    client.post(reverse("sharing:request_submit", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == ShareRequest.Status.PROVIDER_REVIEW
    client = web(people.provider_admin)
    response = client.post(reverse("sharing:request_refuse", args=[request.pk]),
                           {"reason": ""}, follow=True)
    assert "不予共享必须说明理由" in response.content.decode()
    request.refresh_from_db()
    assert request.status == ShareRequest.Status.PROVIDER_REVIEW


def test_s12_record_of_responses_is_for_the_authority_and_exports_safely(web, people, scene):
    client = web(people.provider_admin)
    assert client.get(reverse("sharing:responses")).status_code == 403
    client = web(people.authority)
    page = client.get(reverse("sharing:responses"), {"provider": scene["grant"].provider_id})
    assert scene["approved"].number in page.content.decode()
    export = client.get(reverse("sharing:responses"), {"export": "xlsx"})
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "申请编号" and len(rows) == 3
    reasons = [row[12] for row in rows[1:]]
    assert "'=HYPERLINK(\"x\")" in reasons  # formula prefix escaped




def test_requests_to_us_page_runs_a_constant_number_of_queries(web, people,
                                                                conditional_resource):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web(people.provider_admin)
    url = reverse("sharing:requests_incoming")

    def queries():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    make_request(people.applicant_clerk, conditional_resource, submit_by=people.applicant_admin)
    few = queries()
    for _ in range(6):
        make_request(people.applicant_clerk, conditional_resource,
                     submit_by=people.applicant_admin)
    assert queries() == few


def test_co_reviewer_signs_off_on_the_review_page(web, people, other_department):
    from sharing.models import CoReview, RoundItem
    from sharing.services.negative_list import (
        negative_list_periodic_review,
        round_item_decide,
        round_submit_signoff,
    )
    from tests.sharing.factories import resource_with_items

    resource_with_items(provider=other_department, legal_basis_kind="law")
    review_round = negative_list_periodic_review()
    item = review_round.items.get()
    round_item_decide(actor=people.authority, item=item, decision=RoundItem.Decision.LIST,
                      legal_basis=item.legal_basis, legal_basis_kind="law")
    round_submit_signoff(actor=people.authority, review_round=review_round)
    review = CoReview.objects.get(review_round=review_round, role="legal_reviewer")
    client = web(people.legal)
    assert review.review_round.title in client.get(reverse("sharing:co_review_list")
                                                   ).content.decode()
    page = client.get(reverse("sharing:co_review", args=[review.pk])).content.decode()
    assert item.resource.name in page
    client.post(reverse("sharing:co_review", args=[review.pk]),
                {"decision": "agree", "opinion": "依据充分"})
    review.refresh_from_db()
    assert review.decision == "agree" and review.reviewer == people.legal
    other = CoReview.objects.get(review_round=review_round, role="secrecy_reviewer")
    assert web(people.legal).get(reverse("sharing:co_review", args=[other.pk])).status_code == 404


def test_r1_every_list_of_open_steps_shows_the_deadline_and_the_rule_that_set_it(
        web, people, scene):
    """R1 (docs/rules.md): negotiation, transfer and answer deadlines are shown with the
    working days left and the pack rule that set them, on the lists as on the details."""
    refused, transfer = scene["refused"], scene["transfer"]
    refused.refresh_from_db()
    transfer.refresh_from_db()
    assert refused.due_rule and transfer.due_rule
    client = web(people.applicant_admin)
    rows = {
        reverse("sharing:dispute_list"): refused.number,
        reverse("sharing:transfer_list"): transfer.recipient_name,
    }
    for url, marker in rows.items():
        body = client.get(url).content.decode()
        row = body[body.index(marker):]
        row = row[:row.index("</tr>")]
        assert "个工作日" in row and "期限依据：" in row, (url, row)
        assert "条" in row[row.index("期限依据："):], row  # the article is cited
    pending = make_request(people.applicant_clerk, scene["approved"].resource,
                           submit_by=people.applicant_admin)
    body = client.get(reverse("sharing:request_detail", args=[pending.pk])).content.decode()
    answer = body[body.index("答复期限</dt>"):]
    answer = answer[:answer.index("</dd>")]
    assert pending.answer_due_on.isoformat() in answer and "期限依据：" in answer, answer
