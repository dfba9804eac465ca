"""The department pages of C7 (change events), C8 (census) and C11 (projects)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import CensusEntry, ChangeEvent, Project, Resource
from tests.catalog.factories import make_resource

pytestmark = pytest.mark.django_db


def test_c7_data_admin_records_and_completes_a_change_event(web, data_admin, department):
    client = web(data_admin)
    response = client.post(reverse("catalog:change_events"), {
        "kind": "law_revised", "title": "《档案法》修订", "occurred_on": timezone.localdate().isoformat(),
        "description": ""})
    event = ChangeEvent.objects.get()
    assert response.url == reverse("catalog:change_event_detail", args=[event.pk])
    page = client.get(response.url).content.decode()
    assert "《档案法》修订" in page and f"{event.due_on:%Y-%m-%d}" in page
    client.post(response.url, {"note": "已修订 2 条目录"})
    event.refresh_from_db()
    assert event.status == ChangeEvent.Status.DONE


def test_c7_clerk_cannot_record_and_other_departments_do_not_see(web, clerk, other_clerk, data_admin, department):
    assert web(clerk).post(reverse("catalog:change_events"), {"kind": "other", "title": "x"}).status_code == 403
    event = services.change_event_record(actor=data_admin, department=department, kind="other", title="内部事项")
    assert web(other_clerk).get(reverse("catalog:change_event_detail", args=[event.pk])).status_code == 404


def test_c8_department_confirms_entries_on_the_census_page(web, center, data_admin, department):
    make_resource(department, name="甲")
    make_resource(department, name="乙")
    census = services.census_open(actor=center, year=2026, due_on=timezone.localdate() + timedelta(days=10))
    client = web(data_admin)
    page = client.get(reverse("catalog:census_detail", args=[census.pk])).content.decode()
    assert "甲" in page and "确认所选目录无变化" in page
    ids = list(census.entries.values_list("pk", flat=True))
    client.post(reverse("catalog:census_detail", args=[census.pk]), {"entry": ids})
    assert set(census.entries.values_list("status", flat=True)) == {CensusEntry.Status.CONFIRMED}
    assert "100.0%" in client.get(reverse("catalog:census_detail", args=[census.pk])).content.decode()


def test_c11_project_pages(web, clerk, data_admin, department):
    client = web(clerk)
    response = client.post(reverse("catalog:projects"), {"code": "XM-1", "name": "政务云迁移项目"})
    project = Project.objects.get()
    assert response.url == reverse("catalog:project_detail", args=[project.pk])
    page = client.get(response.url).content.decode()
    assert "为项目编制目录" in page
    form = client.get(reverse("catalog:resource_create"), {"project": project.pk}).content.decode()
    assert f'<option value="{project.pk}" selected>' in form
    entry = make_resource(department, status=Resource.Status.DRAFT, name="迁移资源清单")
    Resource.objects.filter(pk=entry.pk).update(project=project)
    web(data_admin).post(reverse("catalog:project_detail", args=[project.pk]), {"action": "submit"})
    assert Project.objects.get().status == Project.Status.SUBMITTED
