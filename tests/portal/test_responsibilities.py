"""Responsibility lists (责任清单, docs/rules.md R12): per department, the duties its
region's pack assigns with the rule, who is responsible and the open items — seen by
the department itself, the center and the authority; anyone else gets 404."""

import pytest
from django.urls import reverse

from portal.models import Region, Role, RulePack
from tests.factories import DepartmentFactory, RegionFactory
from tests.sharing.factories import FilingFactory, make_request, resource_with_items

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("viewer, sees", [
    ("admin", 200), ("clerk", 200), ("center", 200), ("authority", 200), ("outsider", 404)])
def test_r12_who_sees_a_departments_list(viewer, sees, make_user, department, web):
    """R12: role × the department's list: its members, the center and the authority."""
    users = {
        "admin": lambda: make_user(department=department, roles=[Role.DATA_ADMIN]),
        "clerk": lambda: make_user(department=department, roles=[Role.CLERK]),
        "center": lambda: make_user(roles=[Role.CENTER_REVIEWER]),
        "authority": lambda: make_user(roles=[Role.AUTHORITY]),
        "outsider": lambda: make_user(department=DepartmentFactory(), roles=[Role.DATA_ADMIN]),
    }
    response = web(users[viewer]()).get(reverse("portal:responsibilities"),
                                        {"department": department.pk})
    assert response.status_code == sees


def test_r12_the_list_follows_the_pack_and_counts_open_items(make_user, region, department,
                                                             other_department, web):
    """R12: under guizhou-2020 the provider's list has the extension consent (its head)
    besides the answers; the open answer is counted; national-2016 has no extension."""
    region.rule_pack = RulePack.objects.get(code="guizhou-2020")
    region.save()
    make_user(department=other_department, roles=[Role.HEAD], last_name="张",
              first_name="局长")
    admin = make_user(department=other_department, roles=[Role.DATA_ADMIN], last_name="李",
                      first_name="管理")
    FilingFactory(department=department)
    applicant = make_user(department=department, roles=[Role.DATA_ADMIN])
    make_request(applicant, resource_with_items(provider=other_department), submit_by=applicant)
    page = web(admin).get(reverse("portal:responsibilities")).content.decode()
    assert "答复其他部门的共享申请" in page and "15 个工作日（《贵州省政府数据共享开放条例》" in page
    assert "同意延长答复期限" in page and "张局长" in page and "李管理" in page
    answers_row = page.split("答复其他部门的共享申请", 1)[1].split("</tr>", 1)[0]
    assert answers_row.rstrip().endswith("<td>1</td>")
    region.rule_pack = RulePack.objects.get(code="national-2016")
    region.save()
    page = web(admin).get(reverse("portal:responsibilities")).content.decode()
    assert "同意延长答复期限" not in page and "目录" in page


@pytest.mark.parametrize("viewer, sees", [
    ("admin", 200), ("center", 200), ("authority", 200), ("outsider", 404), ("anonymous", 401)])
def test_r12_the_api_gives_the_list_to_the_same_people(viewer, sees, make_user, department,
                                                       region):
    """R12 over the API (``/api/v1/departments/{id}/responsibilities/``): the same matrix as
    the page; the rows carry the rule with its article and the people by role."""
    from rest_framework.test import APIClient

    region.rule_pack = RulePack.objects.get(code="guizhou-2020")
    region.save()
    users = {
        "admin": lambda: make_user(department=department, roles=[Role.DATA_ADMIN],
                                   last_name="李", first_name="管理"),
        "center": lambda: make_user(roles=[Role.CENTER_REVIEWER]),
        "authority": lambda: make_user(roles=[Role.AUTHORITY]),
        "outsider": lambda: make_user(department=DepartmentFactory(), roles=[Role.DATA_ADMIN]),
        "anonymous": lambda: None,
    }
    api = APIClient()
    user = users[viewer]()
    if user is not None:
        api.force_authenticate(user)
    response = api.get(f"/api/v1/departments/{department.pk}/responsibilities/")
    assert response.status_code == sees
    if sees != 200:
        return
    body = response.json()
    assert body["rule_pack"] == "guizhou-2020" and body["department"] == department.pk
    answers = next(row for row in body["results"] if row["duty"] == "答复其他部门的共享申请")
    assert answers["rule"].startswith("15 个工作日（《贵州省政府数据共享开放条例》")
    assert answers["open"] == 0
    people = {entry["role"]: entry["people"] for entry in answers["responsible"]}
    assert people.get("数据管理员") == (["李管理"] if viewer == "admin" else [])


def test_r1_rule_packs_over_the_api_current_and_earlier_versions(make_user, department,
                                                                 region):
    """R1: ``/api/v1/rule-packs/`` lists every pack at its current version with each rule's
    value and article; ``?version=`` reads an earlier one; a region's governing pack says
    whether it is inherited."""
    from rest_framework.test import APIClient

    from portal.rules import rule_pack_save

    api = APIClient()
    api.force_authenticate(make_user(department=department, roles=[Role.CLERK]))
    listing = api.get("/api/v1/rule-packs/").json()
    codes = [pack["code"] for pack in listing["results"]]
    assert {"national-2025", "national-2016", "guizhou-2020"} <= set(codes)
    assert len(codes) == RulePack.objects.count()
    pack = RulePack.objects.get(code="national-2016")
    first = pack.version
    pack.rules["sharing.answer"] = {**pack.rules["sharing.answer"], "value": 12}
    rule_pack_save(actor=None, pack=pack)
    current = api.get("/api/v1/rule-packs/national-2016/").json()
    answer = next(rule for rule in current["rules"] if rule["key"] == "sharing.answer")
    assert (current["version"], answer["value"], answer["article"]) == (first + 1, 12, "第十二条")
    assert answer["description"] == "12 个工作日（《政务信息资源共享管理暂行办法》第十二条）"
    earlier = api.get(f"/api/v1/rule-packs/national-2016/?version={first}").json()
    assert next(r for r in earlier["rules"] if r["key"] == "sharing.answer")["value"] == 10
    assert api.get("/api/v1/rule-packs/national-2016/?version=99").status_code == 404
    assert api.get("/api/v1/rule-packs/national-2016/?version=x").status_code == 400
    assert api.get("/api/v1/rule-packs/no-such-pack/").status_code == 404
    county = RegionFactory(code="460102", name="某区", parent=region, level=Region.Level.COUNTY)
    governing = api.get(f"/api/v1/regions/{region.pk}/rules/").json()
    assert governing["code"] == RulePack.objects.get(is_default=True).code
    assert governing["inherited"] is True
    region.rule_pack = pack
    region.save()
    assert api.get(f"/api/v1/regions/{region.pk}/rules/").json()["inherited"] is False
    inherited = api.get(f"/api/v1/regions/{county.pk}/rules/").json()
    assert (inherited["code"], inherited["inherited"]) == ("national-2016", True)
