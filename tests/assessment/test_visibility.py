"""A4: publication shows only published results to the public; before publication a
department sees only its own unit's scores (404 for anything else)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from assessment.selectors import plans_visible, scores_visible, units_visible
from assessment.services.plans import plan_publish, plan_unpublish
from portal.models import AuditEvent, Role
from tests.assessment.helpers import activated, manual_scores_given

pytestmark = pytest.mark.django_db


def unit_url(unit):
    return reverse("assessment:unit_detail", args=[unit.plan_id, unit.pk])


@pytest.fixture
def active(plan, authority):
    plan = activated(plan, authority)
    manual_scores_given(plan, authority)
    return plan


def test_a4_department_sees_own_unpublished_scores_only(client, web, active, unit_a, unit_b, admin_a):
    web(admin_a)
    assert client.get(unit_url(unit_a)).status_code == 200
    response = client.get(unit_url(unit_b))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED,
                                     actor=admin_a).exists()
    assert set(units_visible(admin_a).filter(plan=active)) == {unit_a}
    assert {s.unit_id for s in scores_visible(admin_a)} == {unit_a.pk}


def test_a4_draft_plan_is_invisible_to_departments(client, web, plan, unit_a, admin_a):
    web(admin_a)
    assert client.get(reverse("assessment:plan_detail", args=[plan.pk])).status_code == 404
    assert client.get(unit_url(unit_a)).status_code == 404


def test_a4_public_sees_nothing_before_publication(client, web, active, unit_a):
    assert client.get(reverse("assessment:public_results", args=[2025])).status_code == 404
    assert client.get(reverse("assessment:public_unit", args=[2025, unit_a.pk])).status_code == 404
    assert client.get(reverse("assessment:plan_export", args=[active.pk, "xlsx"])).status_code == 404
    assert client.get(reverse("assessment:unit_export", args=[active.pk, unit_a.pk])).status_code == 404


def test_a4_publication_shows_ranking_to_the_public(client, web, active, authority, unit_a, unit_b):
    plan_publish(actor=authority, plan=active)
    response = client.get(reverse("assessment:public_results", args=[2025]))
    assert response.status_code == 200
    content = response.content.decode()
    assert unit_a.name in content and unit_b.name in content and active.title in content
    assert client.get(reverse("assessment:public_unit", args=[2025, unit_b.pk])).status_code == 200
    assert client.get(reverse("assessment:plan_export", args=[active.pk, "pdf"])).status_code == 200


def test_a4_after_publication_everyone_signed_in_sees_all_units(client, web, active, authority,
                                                                 unit_b, admin_a):
    plan_publish(actor=authority, plan=active)
    web(admin_a)
    assert client.get(unit_url(unit_b)).status_code == 200


def test_a4_withdrawn_publication_disappears_from_public(client, web, active, authority):
    plan_publish(actor=authority, plan=active)
    plan_unpublish(actor=authority, plan=active, reason="数据更正")
    assert client.get(reverse("assessment:public_results", args=[2025])).status_code == 404
    assert active.pk not in plans_visible(AnonymousUser()).values_list("pk", flat=True)


@pytest.mark.parametrize("role", [Role.CLERK, Role.DATA_ADMIN, Role.SECURITY_OFFICER, Role.HEAD])
def test_a4_every_member_of_a_unit_sees_its_scores_and_no_other(client, web, make_user, active,
                                                                department, unit_a, unit_b, role):
    user = make_user(department=department, roles=[role])
    web(user)
    assert client.get(unit_url(unit_a)).status_code == 200
    assert client.get(unit_url(unit_b)).status_code == 404


def test_a4_lower_government_unit_is_seen_by_its_authority(client, web, active, city, city_authority):
    unit = active.units.get(region=city)
    web(city_authority)
    assert client.get(unit_url(unit)).status_code == 200


def test_a4_center_and_other_roles_without_department_see_only_published(make_user, active):
    center = make_user(roles=[Role.CENTER_REVIEWER])
    assert not units_visible(center).filter(plan=active).exists()
