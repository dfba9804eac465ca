"""A1–A4 in a real browser: the authority creates a plan, computes it, reviews one
department's self-assessment, publishes; the public sees the ranking without signing in."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import Plan, PlanIndicator, Score
from assessment.services import review
from portal.models import Department, Role
from tests.assessment import builders
from tests.e2e.conftest import screenshot
from tests.factories import DepartmentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def province(region, make_user, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    authority_department = DepartmentFactory(region=region, name="省大数据局",
                                             kind=Department.Kind.AUTHORITY)
    police = DepartmentFactory(region=region, name="省公安厅")
    health = DepartmentFactory(region=region, name="省卫健委")
    authority = make_user(username="wang_authority", department=authority_department,
                          roles=[Role.AUTHORITY], two_factor_exempt=True)
    head = make_user(username="zhao_head", department=police, roles=[Role.HEAD])
    for _ in range(3):
        builders.resource(police)
    builders.resource(health)
    return {"authority": authority, "head": head, "police": police, "health": health}


def test_authority_plans_computes_reviews_publishes_and_public_sees_ranking(
        page, login, browser, live_server, province):
    today = timezone.localdate()
    login("wang_authority")

    # A1: create the plan for 2025 with its timetable.
    page.goto("/assessment/plans/new/")
    page.get_by_label("考核层级（行政区划）").select_option(label="海南省")
    page.get_by_label("考核年度").fill("2025")
    page.get_by_label("自评截止").fill(f"{today + timedelta(days=20):%Y-%m-%d}")
    page.get_by_label("评审截止").fill(f"{today + timedelta(days=40):%Y-%m-%d}")
    page.get_by_label("计划公布日期").fill(f"{today + timedelta(days=60):%Y-%m-%d}")
    page.get_by_role("button", name="创建方案").click()
    expect(page.get_by_text("考核方案已创建")).to_be_visible()
    plan = Plan.objects.get(year=2025)

    # A2: start the assessment, which computes every indicator; compute again on demand.
    page.get_by_role("button", name="启动考核").click()
    expect(page.get_by_text("考核已启动")).to_be_visible()
    page.get_by_role("button", name="计算指标").click()
    heat = page.locator("table.heat")
    assert heat.get_by_role("row", name="省公安厅").is_visible()
    screenshot(page, "assessment-plan-heat-table")

    # The police department's head self-assesses (the department side is tested elsewhere).
    police_unit = plan.units.get(department=province["police"])
    indicator = plan.indicators.get(code="organisation")
    assessment = review.self_assessment_save(
        actor=province["head"], unit=police_unit, indicator=indicator, claimed_score="4",
        statement="已建立共享工作制度，明确第一责任人。")
    review.self_assessment_submit(actor=province["head"], assessment=assessment)

    # A3: review that department.
    page.goto(f"/assessment/plans/{plan.pk}/units/{police_unit.pk}/")
    row = page.locator("#indicator-organisation")
    row.get_by_label("评审得分（0–4）").fill("3.5")
    row.get_by_label("评审意见").fill("制度完备，奖惩机制尚待细化。")
    row.get_by_role("button", name="保存评审").click()
    expect(page.get_by_text("评审得分已保存")).to_be_visible()
    assert Score.objects.get(unit=police_unit, indicator=indicator).score == 3.5
    screenshot(page, "assessment-unit-report")

    # A4: publication waits until every manual indicator of every unit is scored.
    page.goto(f"/assessment/plans/{plan.pk}/")
    blockers = page.locator(".publish-blockers li", has_text="项人工评审指标未评分")
    expect(blockers).to_be_visible()  # said before anyone tries
    page.get_by_role("button", name="公布结果").click()
    expect(page.locator("ul.messages", has_text="项人工评审指标未评分")).to_be_visible()
    assert Plan.objects.get(pk=plan.pk).status != Plan.Status.PUBLISHED
    for score in Score.objects.filter(plan=plan, indicator__kind=PlanIndicator.Kind.MANUAL,
                                      base_score__isnull=True, adjusted_score__isnull=True):
        review.score_review(actor=province["authority"], score=score, points_given="0",
                            comment="未提交自评材料。")
    page.goto(f"/assessment/plans/{plan.pk}/")
    page.get_by_role("button", name="公布结果").click()
    expect(page.get_by_text("考核结果已公布")).to_be_visible()

    # The public, without signing in, sees the ranking.
    public = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    public.goto("/assessment/results/2025/")
    ranking = public.locator("ol.ranking li")
    assert ranking.first.get_by_text("省公安厅").is_visible()
    assert public.locator("ol.ranking").get_by_text("省卫健委").is_visible()
    screenshot(public, "assessment-public-ranking")
    public.context.close()
