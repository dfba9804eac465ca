"""P6 department pages and the authority's pages of the assessment (A1–A7)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessment.models import (
    AnnualReport,
    Complaint,
    Plan,
    RectificationNotice,
    SelfAssessment,
)
from assessment.services import annual_reports, rectification
from tests.assessment import builders
from tests.assessment.helpers import activated, manual_score

pytestmark = pytest.mark.django_db


def test_a1_authority_creates_a_plan_from_the_page(web, authority, region, department):
    client = web(authority)
    assert client.get(reverse("assessment:plan_create")).status_code == 200
    response = client.post(reverse("assessment:plan_create"), {
        "region": region.pk, "year": 2024, "indicators": ["catalog_registered", "open_datasets"],
        "include_manual": "on"})
    plan = Plan.objects.get(year=2024)
    assert response.status_code == 302 and response.url == reverse("assessment:plan_detail",
                                                                   args=[plan.pk])
    assert set(plan.indicators.filter(kind="computed").values_list("code", flat=True)) == {
        "catalog_registered", "open_datasets"}


def test_a1_plan_pages_for_the_authority(web, authority, plan, department):
    builders.resource(department)
    client = web(authority)
    for name in ("plan_detail", "plan_edit", "plan_indicators"):
        assert client.get(reverse(f"assessment:{name}", args=[plan.pk])).status_code == 200
    response = client.post(reverse("assessment:plan_action", args=[plan.pk, "activate"]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    detail = client.get(reverse("assessment:plan_detail", args=[plan.pk])).content.decode()
    assert "heat" in detail and department.name in detail


def test_a1_indicator_formset_saves_weights(web, authority, plan):
    client = web(authority)
    indicators = list(plan.indicators.order_by("position", "pk"))
    data = {"form-TOTAL_FORMS": len(indicators), "form-INITIAL_FORMS": len(indicators),
            "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 1000}
    for i, ind in enumerate(indicators):
        data.update({f"form-{i}-id": ind.pk, f"form-{i}-name": ind.name,
                     f"form-{i}-weight": "10" if ind.code == "catalog_registered" else ind.weight,
                     f"form-{i}-rule": ind.rule, f"form-{i}-best": "" if ind.best is None else ind.best,
                     f"form-{i}-worst": ind.worst if ind.worst is not None else "",
                     f"form-{i}-no_data": ind.no_data})
    response = client.post(reverse("assessment:plan_indicators", args=[plan.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert plan.indicators.get(code="catalog_registered").weight == 10


def test_a3_department_self_assesses_and_authority_reviews_on_the_unit_page(
        web, authority, head_a, plan, unit_a):
    activated(plan, authority)
    indicator = plan.indicators.get(code="organisation")
    url = reverse("assessment:self_assessment", args=[plan.pk, unit_a.pk, indicator.pk])
    response = web(head_a).post(url, {"claimed_score": "3", "statement": "制度健全", "submit": "1",
                                      "files": [SimpleUploadedFile("z.pdf", b"%PDF-1.4")]})
    assert response.status_code == 302
    assessment = SelfAssessment.objects.get(unit=unit_a, indicator=indicator)
    assert assessment.status == SelfAssessment.Status.SUBMITTED
    page = web(head_a).get(reverse("assessment:unit_detail", args=[plan.pk, unit_a.pk]))
    assert "z.pdf" in page.content.decode()

    score = manual_score(plan, unit_a)
    web(authority).post(reverse("assessment:score_review", args=[score.pk]),
                        {"score": "3.5", "comment": "好"})
    score.refresh_from_db()
    assert score.score == 3.5


def test_a3_objection_from_the_unit_page(web, authority, head_a, plan, unit_a):
    activated(plan, authority)
    score = manual_score(plan, unit_a, "catalog_registered")
    web(head_a).post(reverse("assessment:score_object", args=[score.pk]), {"reason": "漏计"})
    objection = score.objections.get()
    web(authority).post(reverse("assessment:objection_answer", args=[objection.pk]),
                        {"upheld": "1", "new_score": "5", "answer": "成立"})
    score.refresh_from_db()
    assert score.score == 5


def test_a3_service_errors_are_shown_in_chinese(web, authority, head_a, plan, unit_a):
    activated(plan, authority)
    indicator = plan.indicators.get(code="organisation")
    url = reverse("assessment:self_assessment", args=[plan.pk, unit_a.pk, indicator.pk])
    response = web(head_a).post(url, {"claimed_score": "", "statement": "", "submit": "1"},
                                follow=True)
    assert "请填写自评说明后再提交" in response.content.decode()


def test_a4_exports_and_unit_pdf(web, authority, plan, unit_a):
    activated(plan, authority)
    client = web(authority)
    xlsx = client.get(reverse("assessment:plan_export", args=[plan.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("assessment:unit_export", args=[plan.pk, unit_a.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a4_dashboards(web, authority, head_a, plan, unit_a, department):
    activated(plan, authority)
    overview = web(authority).get(reverse("assessment:dashboard")).content.decode()
    assert "部门 × 指标" in overview and unit_a.name in overview
    own = web(head_a).get(reverse("assessment:dashboard"))
    assert own.status_code == 200 and "<svg" in own.content.decode()


def test_a5_notice_pages(web, authority, admin_a, department):
    client = web(authority)
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(reverse("assessment:notice_create"), {
        "department": department.pk, "violation": "catalog_not_updated", "facts": "逾期",
        "due_on": due})
    notice = RectificationNotice.objects.get()
    assert response.status_code == 302
    dept = web(admin_a)
    assert dept.get(reverse("assessment:notice_detail", args=[notice.pk])).status_code == 200
    dept.post(reverse("assessment:notice_action", args=[notice.pk, "report"]),
              {"body": "已整改", "files": [SimpleUploadedFile("r.pdf", b"%PDF-1.4")]})
    notice.refresh_from_db()
    assert notice.status == RectificationNotice.Status.REPORTED
    assert web(authority).get(reverse("assessment:notice_list") + "?status=reported").status_code == 200


def test_a5_evidence_download_follows_the_parent_visibility(web, authority, admin_a, admin_b,
                                                            department):
    notice = rectification.notice_create(
        actor=authority, department=department, violation="other", facts="x",
        files=[SimpleUploadedFile("证据.pdf", b"%PDF-1.4")])
    from assessment.selectors import evidence_for

    evidence = evidence_for(notice)[0]
    url = reverse("assessment:evidence", args=[evidence.pk])
    assert web(admin_a).get(url).status_code == 200
    assert web(admin_b).get(url).status_code == 404


def test_a6_annual_report_page(web, admin_a, department):
    annual_reports.annual_reports_prepare(year=2025)
    report = AnnualReport.objects.get(department=department)
    url = reverse("assessment:annual_report_detail", args=[report.pk])
    client = web(admin_a)
    assert client.get(url).status_code == 200
    client.post(url, {"overview": "总体", "achievements": "", "problems": "", "next_steps": "",
                      "submit": "1"})
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED


def test_a7_complaint_pages(web, admin_a, other_department, authority):
    client = web(admin_a)
    assert client.get(reverse("assessment:complaint_create")).status_code == 200
    client.post(reverse("assessment:complaint_create"), {
        "respondent": other_department.pk, "violation": "sharing_delayed", "subject": "不答复",
        "description": "逾期"})
    complaint = Complaint.objects.get()
    handler = web(authority)
    handler.post(reverse("assessment:complaint_action", args=[complaint.pk, "accept"]))
    handler.post(reverse("assessment:complaint_action", args=[complaint.pk, "answer"]),
                 {"answer": "已协调"})
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED


def test_pages_refuse_non_authority_creation(web, admin_a):
    client = web(admin_a)
    assert client.get(reverse("assessment:plan_create")).status_code == 403
    assert client.get(reverse("assessment:notice_create")).status_code == 403


def test_public_index_lists_published_only(client, plan, authority):
    activated(plan, authority)
    assert plan.title not in client.get(reverse("assessment:public_index")).content.decode()


def test_a4_heat_table_pages_do_not_query_per_cell(web, authority, plan, region,
                                                   django_assert_max_num_queries):
    from tests.factories import DepartmentFactory

    activated(plan, authority)
    client = web(authority)
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("assessment:plan_detail", args=[plan.pk]))
    extra = [DepartmentFactory(region=region) for _ in range(10)]
    from assessment.services.plans import plan_scope_set

    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)
    plan_scope_set(actor=authority, plan=plan, department_ids=[d.pk for d in extra], region_ids=[])
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ACTIVE)
    from tests.assessment.helpers import computed

    computed(plan)
    with django_assert_max_num_queries(len(few.captured_queries) + 3):
        client.get(reverse("assessment:plan_detail", args=[plan.pk]))
    with django_assert_max_num_queries(len(few.captured_queries) + 3):
        client.get(reverse("assessment:dashboard") + f"?plan={plan.pk}")


def test_a1_scope_edited_on_the_plan_page(web, authority, plan, department, other_department):
    client = web(authority)
    url = reverse("assessment:plan_edit", args=[plan.pk])
    assert "考核范围" in client.get(url).content.decode()
    response = client.post(url, {"scope": "1", "departments": [department.pk]})
    assert response.status_code == 302
    assert list(plan.units.values_list("department_id", flat=True)) == [department.pk]
