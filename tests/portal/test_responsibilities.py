"""Responsibility lists (责任清单, docs/rules.md R12): per department, the duties its
region's pack assigns with the rule, who is responsible and the open items — seen by
the department itself, the center and the authority; anyone else gets 404."""

import pytest
from django.urls import reverse

from portal.models import Role, RulePack
from tests.factories import DepartmentFactory
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
