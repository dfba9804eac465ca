"""API.md for the assessment: plans, scores, notices, reports, complaints; 404 for what
the user may not see, 409 for illegal actions, 400 with field errors, public results."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessment.models import Plan, RectificationNotice
from portal.services.tokens import token_create
from tests.assessment import builders
from tests.assessment.helpers import activated, manual_score, manual_scores_given

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessment"


@pytest.fixture
def api():
    def as_user(user=None):
        client = APIClient()
        if user is not None:
            _token, key = token_create(actor=user, name="测试")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client
    return as_user


def test_a1_authority_creates_and_starts_a_plan(api, authority, region, department):
    client = api(authority)
    response = client.post(f"{BASE}/plans/", {"region": region.pk, "year": 2024,
                                             "indicator_codes": ["catalog_registered"]},
                           format="json")
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    indicators = client.get(f"{BASE}/indicators/?plan={plan_id}").json()["results"]
    codes = {i["code"] for i in indicators}
    assert "catalog_registered" in codes and "share_answer_timeliness" not in codes
    assert client.post(f"{BASE}/plans/{plan_id}/publish/", {}, format="json").status_code == 409
    # The chosen indicators do not add up to 100: the grade lines would mean nothing.
    refused = client.post(f"{BASE}/plans/{plan_id}/activate/", {}, format="json")
    assert refused.status_code == 409 and "应为 100 分" in refused.json()["detail"]
    registered = next(i for i in indicators if i["code"] == "catalog_registered")
    others = sum(Decimal(i["weight"]) for i in indicators if i is not registered)
    assert client.patch(f"{BASE}/indicators/{registered['id']}/", {"weight": str(100 - others)},
                        format="json").status_code == 200
    assert client.post(f"{BASE}/plans/{plan_id}/activate/", {}, format="json").status_code == 200
    assert Plan.objects.get(pk=plan_id).status == Plan.Status.ACTIVE


def test_a1_department_user_cannot_create_plans(api, admin_a, region):
    response = api(admin_a).post(f"{BASE}/plans/", {"region": region.pk, "year": 2024},
                                 format="json")
    assert response.status_code == 403


def test_a1_invalid_weight_is_a_field_error(api, authority, plan):
    indicator = plan.indicators.get(code="catalog_completeness")
    response = api(authority).patch(f"{BASE}/indicators/{indicator.pk}/",
                                    {"best": "60", "worst": "60"}, format="json")
    assert response.status_code == 400 and "best" in response.json()


def test_a4_department_sees_only_its_own_scores_before_publication(api, plan, authority, admin_a,
                                                                   unit_a, unit_b):
    activated(plan, authority)
    client = api(admin_a)
    units = client.get(f"{BASE}/units/?plan={plan.pk}").json()["results"]
    assert [u["id"] for u in units] == [unit_a.pk]
    assert client.get(f"{BASE}/units/{unit_b.pk}/").status_code == 404
    other = manual_score(plan, unit_b, "catalog_registered")
    assert client.get(f"{BASE}/scores/{other.pk}/").status_code == 404
    mine = client.get(f"{BASE}/scores/?unit={unit_a.pk}").json()
    assert mine["count"] == plan.indicators.count()
    assert "inputs" in mine["results"][0]


def test_a3_review_and_objection_through_the_api(api, plan, authority, head_a, unit_a):
    activated(plan, authority)
    score = manual_score(plan, unit_a)
    bad = api(authority).post(f"{BASE}/scores/{score.pk}/review/", {"score": "99", "comment": "x"},
                              format="json")
    assert bad.status_code == 400 and "score" in bad.json()
    ok = api(authority).post(f"{BASE}/scores/{score.pk}/review/",
                             {"score": "3", "comment": "较好"}, format="json")
    assert ok.status_code == 200 and ok.json()["score"] == "3.00"
    objection = api(head_a).post(f"{BASE}/scores/{score.pk}/object/", {"reason": "材料齐全"},
                                 format="json")
    assert objection.status_code == 201
    answer = api(authority).post(f"{BASE}/objections/{objection.json()['id']}/answer/",
                                 {"upheld": True, "answer": "调整", "new_score": "4"},
                                 format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "upheld"


def test_a3_self_assessment_with_multipart_evidence(api, plan, authority, head_a, unit_a):
    activated(plan, authority)
    from django.core.files.uploadedfile import SimpleUploadedFile

    indicator = plan.indicators.get(code="security")
    response = api(head_a).post(f"{BASE}/self-assessments/", {
        "unit": unit_a.pk, "indicator": indicator.pk, "claimed_score": "2",
        "statement": "已落实", "files": [SimpleUploadedFile("a.pdf", b"%PDF-1.4")]},
        format="multipart")
    assert response.status_code == 201, response.content
    sa = response.json()["id"]
    assert api(head_a).post(f"{BASE}/self-assessments/{sa}/submit/").json()["status"] == "submitted"


def test_a5_notice_lifecycle_through_the_api(api, authority, department, admin_a, admin_b):
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = api(authority).post(f"{BASE}/notices/", {
        "department": department.pk, "violation": "catalog_not_updated",
        "facts": "目录逾期未更新", "due_on": due}, format="json")
    assert response.status_code == 201
    notice = response.json()["id"]
    assert api(admin_b).get(f"{BASE}/notices/{notice}/").status_code == 404
    assert api(admin_a).post(f"{BASE}/notices/{notice}/report/", {"body": ""},
                             format="json").status_code == 400
    reported = api(admin_a).post(f"{BASE}/notices/{notice}/report/", {"body": "已更新"},
                                 format="json")
    assert reported.status_code == 200 and len(reported.json()["reports"]) == 1
    assert api(admin_a).post(f"{BASE}/notices/{notice}/accept/", {},
                             format="json").status_code == 403
    assert api(authority).post(f"{BASE}/notices/{notice}/accept/", {},
                               format="json").json()["status"] == "accepted"


def test_a5_proposals_hidden_from_the_department(api, plan, department, admin_a, authority):
    builders.change_event(department, due_on=date(2025, 5, 6), status="open")
    activated(plan, authority)
    notice = RectificationNotice.objects.get()
    assert api(admin_a).get(f"{BASE}/notices/{notice.pk}/").status_code == 404
    assert api(authority).post(f"{BASE}/notices/{notice.pk}/issue/", {},
                               format="json").status_code == 200
    assert api(admin_a).get(f"{BASE}/notices/{notice.pk}/").status_code == 200


def test_a7_complaint_through_the_api(api, admin_a, other_department, authority):
    response = api(admin_a).post(f"{BASE}/complaints/", {
        "respondent": other_department.pk, "violation": "sharing_delayed",
        "subject": "不答复", "description": "申请逾期未答复"}, format="json")
    assert response.status_code == 201
    complaint = response.json()["id"]
    assert api(authority).post(f"{BASE}/complaints/{complaint}/answer/", {"answer": "x"},
                               format="json").status_code == 409
    api(authority).post(f"{BASE}/complaints/{complaint}/accept/", {}, format="json")
    answered = api(authority).post(f"{BASE}/complaints/{complaint}/answer/",
                                   {"answer": "已协调"}, format="json")
    assert answered.json()["status"] == "answered"


def test_a6_annual_report_through_the_api(api, department, admin_a):
    from assessment.services.annual_reports import annual_reports_prepare

    annual_reports_prepare(year=2025)
    report = api(admin_a).get(f"{BASE}/annual-reports/").json()["results"][0]
    patched = api(admin_a).patch(f"{BASE}/annual-reports/{report['id']}/",
                                 {"overview": "总体情况良好"}, format="json")
    assert patched.status_code == 200 and patched.json()["overview"] == "总体情况良好"
    assert api(admin_a).post(f"{BASE}/annual-reports/{report['id']}/submit/").json()[
        "status"] == "submitted"


def test_a4_public_results_need_no_sign_in_and_show_only_published(api, plan, authority, unit_a):
    from assessment.services.plans import plan_publish

    activated(plan, authority)
    manual_scores_given(plan, authority)
    anonymous = api()
    assert anonymous.get(f"{BASE}/public/results/").json()["count"] == 0
    assert anonymous.get(f"{BASE}/units/").status_code == 401
    plan_publish(actor=authority, plan=plan)
    results = anonymous.get(f"{BASE}/public/results/?year=2025").json()
    assert results["count"] == plan.units.count()
    assert {r["name"] for r in results["results"]} >= {unit_a.name}
    assert results["results"][0]["scores"]


def test_a2_registry_documents_every_indicator(api, admin_a):
    rows = api(admin_a).get(f"{BASE}/registry/").json()
    assert {r["code"] for r in rows} >= {"catalog_update_timeliness", "share_answer_timeliness",
                                          "data_versions_on_cycle", "open_downloads"}
    assert all(r["description"] for r in rows)


def test_a1_scope_set_through_the_api(api, authority, plan, department, city, admin_a):
    response = api(authority).post(f"{BASE}/plans/{plan.pk}/scope/",
                                   {"departments": [department.pk], "regions": [city.pk]},
                                   format="json")
    assert response.status_code == 200
    assert {u["name"] for u in response.json()} == {department.name, f"{city.name}人民政府"}
    assert api(admin_a).post(f"{BASE}/plans/{plan.pk}/scope/", {"departments": []},
                             format="json").status_code == 404  # a draft is not visible
