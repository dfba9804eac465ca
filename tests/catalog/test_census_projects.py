"""C8 annual census and C11 project catalogs."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from catalog import services
from catalog.models import Census, CensusEntry, Project, Resource
from portal.errors import Conflict, NotPermitted, ValidationFailed
from portal.models import InboxItem, Notification
from tests.catalog.factories import make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def census(center, department, other_department, data_admin, other_admin):
    make_resource(department, name="甲")
    make_resource(department, name="乙")
    # Items of its own, so a revision of 乙 does not overlap another department's entry (C5).
    make_resource(other_department, name="丙", items=("企业名称", "经营范围"))
    make_resource(department, name="草稿", status=Resource.Status.DRAFT)
    return services.census_open(actor=center, year=2026, due_on=timezone.localdate() + timedelta(days=30))


def test_c8_census_lists_every_registered_entry_and_tasks_each_department(census, data_admin, other_admin):
    assert census.entries.count() == 3
    assert InboxItem.objects.filter(key__startswith=f"catalog:census:{census.pk}:dept:").count() == 2
    progress = {row["department__name"]: row for row in services.census_progress(census)}
    assert sorted(row["total"] for row in progress.values()) == [1, 2]
    assert all(row["rate"] == 0 for row in progress.values())


def test_c8_only_the_center_opens_and_only_once(census, data_admin, center):
    with pytest.raises(NotPermitted):
        services.census_open(actor=data_admin, year=2027, due_on=date(2099, 1, 1))
    with pytest.raises(Conflict):
        services.census_open(actor=center, year=2026, due_on=date(2099, 1, 1))


def test_c8_confirm_revise_and_retire_complete_entries(census, data_admin, clerk, department, other_admin):
    first, second = census.entries.filter(department=department).order_by("resource__name")
    with pytest.raises(NotPermitted):
        services.census_entry_confirm(actor=other_admin, entry=first)
    services.census_entry_confirm(actor=data_admin, entry=first, comment="无变化")
    revision = services.resource_revise(actor=clerk, resource=second.resource)
    assert not InboxItem.objects.get(user=data_admin, key=f"catalog:census:{census.pk}:dept:{department.pk}").done_at
    services.resource_submit(actor=data_admin, resource=revision)
    second.refresh_from_db()
    assert second.status == CensusEntry.Status.UPDATED
    assert InboxItem.objects.get(user=data_admin, key=f"catalog:census:{census.pk}:dept:{department.pk}").done_at
    row = next(r for r in services.census_progress(census) if r["department_id"] == department.pk)
    assert row["rate"] == 100.0 and row["confirmed"] == 1 and row["updated"] == 1


def test_c8_reminders_once_per_department_and_stage(census, data_admin, other_admin, head, department, center):
    census.remind_on = timezone.localdate()
    census.save()
    assert services.census_remind() == 2
    assert services.census_remind() == 0
    services.census_entry_confirm(actor=other_admin, entry=census.entries.get(department=other_admin.department))
    overdue_day = census.due_on + timedelta(days=1)
    assert services.census_remind(today=overdue_day) == 1  # only the department still pending
    assert Notification.objects.filter(user=head, key__endswith=":reminder:overdue").exists()
    services.census_close(actor=center, census=census)
    assert Census.objects.get(pk=census.pk).status == Census.Status.CLOSED
    assert services.census_remind(today=overdue_day) == 0


@pytest.fixture
def project(clerk, department):
    return services.project_create(actor=clerk, department=department,
                                   data={"code": "XM-2026-001", "name": "不动产统一登记平台"})


def test_c11_project_needs_a_precompiled_catalog_before_approval(project, clerk, data_admin, authority, department):
    with pytest.raises(ValidationFailed) as exc:
        services.project_submit(actor=data_admin, project=project)
    assert "须编制信息资源目录" in exc.value.message
    entry = make_resource(department, status=Resource.Status.DRAFT, name="项目目录一")
    Resource.objects.filter(pk=entry.pk).update(project=project)
    services.project_submit(actor=data_admin, project=project)
    assert InboxItem.objects.filter(user=authority, key=f"catalog:project:{project.pk}:approval").exists()
    services.project_approve(actor=authority, project=project, comment="同意立项")
    project.refresh_from_db()
    assert project.status == Project.Status.APPROVED and project.approved_on


def test_c11_completion_requires_registered_entries(project, data_admin, center, authority, department):
    entry = make_resource(department, status=Resource.Status.DRAFT, name="项目目录")
    Resource.objects.filter(pk=entry.pk).update(project=project)
    services.project_submit(actor=data_admin, project=project)
    services.project_approve(actor=authority, project=project)
    with pytest.raises(ValidationFailed) as exc:
        services.project_complete(actor=authority, project=project)
    assert "项目目录" in exc.value.message
    services.resource_submit(actor=data_admin, resource=entry)
    services.resource_approve(actor=center, resource=entry)
    services.project_complete(actor=authority, project=project)
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED and project.completed_on


def test_c11_only_reviewers_decide_and_rejection_needs_reason(project, data_admin, authority, department):
    entry = make_resource(department, status=Resource.Status.DRAFT)
    Resource.objects.filter(pk=entry.pk).update(project=project)
    services.project_submit(actor=data_admin, project=project)
    with pytest.raises(NotPermitted):
        services.project_approve(actor=data_admin, project=project)
    with pytest.raises(ValidationFailed):
        services.project_reject(actor=authority, project=project, comment="")
    services.project_reject(actor=authority, project=project, comment="目录不完整")
    assert Project.objects.get(pk=project.pk).status == Project.Status.REJECTED
