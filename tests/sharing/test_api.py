"""The sharing REST API (API.md): workflow actions with the documented status codes —
400 for a refusal without a reason, 403 seen-but-not-allowed, 404 not a party, 409 wrong
state — and the same services as the pages."""

import pytest
from rest_framework.test import APIClient

from portal.models import ApiToken
from portal.services.tokens import token_create
from sharing.models import Grant, ShareRequest
from tests.sharing.factories import make_request

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sharing"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def submitted(people, conditional_resource):
    return make_request(people.applicant_clerk, conditional_resource,
                        submit_by=people.applicant_admin)


def test_s2_create_a_draft_and_submit_through_the_api(people, conditional_resource):
    items = list(conditional_resource.items.values_list("pk", flat=True))
    payload = {"resource": conditional_resource.pk, "items": items[:2],
               "purpose": "data_verification", "purpose_detail": "核验企业登记信息",
               "knowledge_scope": "登记处", "security_measures": "专网",
               "period_start": "2026-01-01", "period_end": "2027-12-31",
               "method": "online_query", "commitment_accepted": True}
    response = api(people.applicant_clerk).post(f"{BASE}/requests/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and [i["id"] for i in body["items"]] == items[:2]
    submit = api(people.applicant_admin).post(f"{BASE}/requests/{body['id']}/submit/")
    assert submit.status_code == 400  # the commitment document is missing
    assert "commitment_document" in submit.json()


def test_s3_refuse_without_reason_is_400_and_names_the_field(people, submitted):
    response = api(people.provider_admin).post(f"{BASE}/requests/{submitted.pk}/refuse/", {},
                                               format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api(people.provider_admin).post(f"{BASE}/requests/{submitted.pk}/refuse/",
                                               {"reason": "非履职必需"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "refused"


def test_s3_partial_approval_through_the_api(people, submitted):
    """S3/S9: a partial approval with a masked item; masking an item that has no masking
    rule is refused (400 naming the item) and leaves the request unanswered."""
    from dataplane.models import MaskingRule

    first = submitted.items.order_by("position").first()
    approve = {"items": [first.pk], "masked_items": [first.pk], "comment": "仅提供姓名"}
    refused = api(people.provider_admin).post(f"{BASE}/requests/{submitted.pk}/approve/",
                                              approve, format="json")
    assert refused.status_code == 400
    assert first.name in refused.json()["masked_items"][0]
    assert "脱敏规则" in refused.json()["masked_items"][0]
    submitted.refresh_from_db()
    assert submitted.status == ShareRequest.Status.PROVIDER_REVIEW and not submitted.answer
    assert not Grant.objects.exists() and not submitted.approved_items.exists()
    MaskingRule.objects.create(item=first, kind="name")
    response = api(people.provider_admin).post(f"{BASE}/requests/{submitted.pk}/approve/",
                                               approve, format="json")
    body = response.json()
    assert response.status_code == 200 and body["answer"] == "partial"
    grant = Grant.objects.get(pk=body["grant"])
    assert list(grant.items.all()) == [first] and list(grant.masked_items.all()) == [first]


def test_api_status_codes_403_404_409(people, submitted, conditional_resource):
    assert api(people.provider_clerk).post(
        f"{BASE}/requests/{submitted.pk}/approve/", {}, format="json").status_code == 403
    assert api(people.outsider_admin).get(f"{BASE}/requests/{submitted.pk}/").status_code == 404
    assert api(people.outsider_admin).post(
        f"{BASE}/requests/{submitted.pk}/approve/", {}, format="json").status_code == 404
    draft = make_request(people.applicant_clerk, conditional_resource)
    assert api(people.provider_admin).post(
        f"{BASE}/requests/{draft.pk}/approve/", {}, format="json").status_code == 404
    assert api(people.applicant_admin).post(
        f"{BASE}/requests/{submitted.pk}/escalate/", {"reason": "x"},
        format="json").status_code == 409


def test_editing_a_submitted_request_is_409_wrong_state(people, submitted):
    """API.md: an action not allowed in the object's current state answers 409."""
    response = api(people.applicant_clerk).patch(f"{BASE}/requests/{submitted.pk}/",
                                                 {"purpose_detail": "改"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    submitted.refresh_from_db()
    assert submitted.purpose_detail != "改"


def test_s4_coordination_decision_without_text_names_the_field_sent(people, submitted):
    from sharing.services.disputes import request_escalate
    from sharing.services.requests import request_refuse

    request_refuse(actor=people.provider_admin, request=submitted, reason="不符合条件")
    request_escalate(actor=people.applicant_admin, request=submitted, reason="确需")
    request_escalate(actor=people.applicant_admin, request=submitted, reason="协商未果")
    approve = api(people.authority).post(f"{BASE}/requests/{submitted.pk}/approve/", {},
                                         format="json")
    assert approve.status_code == 400 and set(approve.json()) >= {"comment"}
    assert "reason" not in approve.json()
    refuse = api(people.authority).post(f"{BASE}/requests/{submitted.pk}/refuse/", {},
                                        format="json")
    assert refuse.status_code == 400 and "reason" in refuse.json()


def test_lists_show_only_what_the_department_is_party_to(people, submitted):
    assert api(people.outsider_admin).get(f"{BASE}/requests/").json()["count"] == 0
    received = api(people.provider_admin).get(f"{BASE}/requests/", {"side": "received"}).json()
    assert [r["id"] for r in received["results"]] == [submitted.pk]
    assert api(people.provider_admin).get(f"{BASE}/requests/",
                                          {"side": "made"}).json()["count"] == 0
    assert api(people.authority).get(f"{BASE}/requests/").json()["count"] == 1


def test_s4_escalate_and_negotiate_through_the_api(people, submitted):
    client = api(people.provider_admin)
    client.post(f"{BASE}/requests/{submitted.pk}/refuse/", {"reason": "不符合"}, format="json")
    response = api(people.applicant_admin).post(f"{BASE}/requests/{submitted.pk}/escalate/",
                                                {"reason": "确需使用"}, format="json")
    assert response.json()["status"] == "negotiating"
    posted = client.post(f"{BASE}/requests/{submitted.pk}/messages/", {"body": "请补充依据"},
                         format="json")
    assert posted.status_code == 201
    thread = api(people.applicant_admin).get(f"{BASE}/requests/{submitted.pk}/messages/").json()
    assert [m["body"] for m in thread] == ["请补充依据"]


def test_s5_grants_and_revocation_through_the_api(people, submitted):
    api(people.provider_admin).post(f"{BASE}/requests/{submitted.pk}/approve/", {},
                                    format="json")
    held = api(people.applicant_admin).get(f"{BASE}/grants/", {"side": "held"}).json()
    assert held["count"] == 1 and held["results"][0]["state"] == "active"
    grant_id = held["results"][0]["id"]
    assert api(people.applicant_admin).post(f"{BASE}/grants/{grant_id}/revoke/",
                                            {"reason": "x"}, format="json").status_code == 403
    assert api(people.provider_admin).post(f"{BASE}/grants/{grant_id}/revoke/", {},
                                           format="json").status_code == 400
    revoked = api(people.provider_admin).post(f"{BASE}/grants/{grant_id}/revoke/",
                                              {"reason": "违规使用"}, format="json")
    assert revoked.json()["state"] == "revoked"


def test_s8_objection_through_the_api(people, conditional_resource):
    response = api(people.applicant_clerk).post(f"{BASE}/objections/", {
        "resource": conditional_resource.pk, "kind": "wrong", "record_reference": "123",
        "description": "错误"}, format="json")
    assert response.status_code == 201
    objection = response.json()["id"]
    answer = api(people.provider_admin).post(f"{BASE}/objections/{objection}/answer/",
                                             {"corrected": True, "answer": "已更正"},
                                             format="json")
    assert answer.json()["status"] == "corrected"


def test_s11_negative_list_and_system_token_access(people):
    _token, key = token_create(actor=people.applicant_admin, name="系统")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"{BASE}/negative-list/").status_code == 200
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get(f"{BASE}/negative-list/").status_code == 401


def test_sharing_routes_are_in_the_schema(people):
    schema = api(people.authority).get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/sharing/requests/{id}/approve/", "/api/v1/sharing/requests/{id}/refuse/",
                 "/api/v1/sharing/requests/{id}/escalate/", "/api/v1/sharing/requests/{id}/withdraw/",
                 "/api/v1/sharing/grants/", "/api/v1/sharing/objections/",
                 "/api/v1/sharing/negative-list/"):
        assert path in schema["paths"], path
