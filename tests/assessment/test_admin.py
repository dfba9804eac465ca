"""P6 for the assessment: the authority's admin goes through the services and shows only
what the authority manages."""

import pytest
from django.urls import reverse

from assessment.models import Plan, RectificationNotice
from portal.models import Role
from tests.assessment.helpers import activated

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_web(web, authority):
    return web(authority)


@pytest.mark.parametrize("model", ["plan", "score", "computationrun", "selfassessment",
                                   "scoreobjection", "rectificationnotice", "annualreport",
                                   "complaint"])
def test_p6_changelists_open_for_the_authority(admin_web, plan, model):
    response = admin_web.get(reverse(f"admin:assessment_{model}_changelist"))
    assert response.status_code == 200


def test_p6_center_has_no_assessment_admin(web, make_user, plan):
    center = make_user(roles=[Role.CENTER_REVIEWER])
    response = web(center).get(reverse("admin:assessment_plan_changelist"))
    assert response.status_code == 403


def test_p6_plan_added_in_admin_gets_default_scope_and_indicators(admin_web, region, department):
    response = admin_web.post(reverse("admin:assessment_plan_add"), {
        "region": region.pk, "year": 2023, "title": "2023 年度考核", "description": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Plan.objects.get(year=2023)
    assert plan.units.filter(department=department).exists() and plan.indicators.exists()


def test_p6_admin_actions_call_services(admin_web, plan, authority):
    admin_web.post(reverse("admin:assessment_plan_changelist"),
                   {"action": "activate", "_selected_action": [plan.pk]})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACTIVE
    response = admin_web.post(reverse("admin:assessment_plan_changelist"),
                              {"action": "activate", "_selected_action": [plan.pk]}, follow=True)
    assert "不能执行" in response.content.decode()


def test_p6_notice_proposal_issued_from_admin(admin_web, plan, authority, department):
    from datetime import date

    from tests.assessment import builders

    builders.change_event(department, due_on=date(2025, 5, 6), status="open")
    activated(plan, authority)
    notice = RectificationNotice.objects.get()
    admin_web.post(reverse("admin:assessment_rectificationnotice_changelist"),
                   {"action": "issue", "_selected_action": [notice.pk]})
    notice.refresh_from_db()
    assert notice.status == RectificationNotice.Status.ISSUED
