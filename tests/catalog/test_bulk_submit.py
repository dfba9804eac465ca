"""C6: a clerk's drafts reach the data administrator, who submits many at once and sees
a result per entry (an entry that fails stays a draft and says why)."""

import pytest
from django.urls import reverse

from catalog.models import Resource
from catalog.services import resource_create, resource_delete
from portal.models import InboxItem
from tests.catalog.factories import entry_data, items_data

pytestmark = pytest.mark.django_db


def _draft(clerk, department, name):
    return resource_create(actor=clerk, provider=department, data=entry_data(name=name),
                           items=items_data())


def _open_drafts_task(user):
    return InboxItem.objects.filter(user=user, key__startswith=f"catalog:drafts:{user.department_id}#",
                                    done_at__isnull=True)


def test_c6_drafts_task_and_bulk_submit_with_a_result_per_entry(web, clerk, data_admin, department):
    drafts = [_draft(clerk, department, name) for name in ("不动产登记信息", "房屋交易信息", "土地出让信息")]
    task = _open_drafts_task(data_admin).get()
    assert "3 条待提交" in task.title and task.url.endswith("?status=draft")
    assert not _open_drafts_task(clerk).exists()  # the clerk does not submit

    page = web(clerk).get(reverse("catalog:resource_detail", args=[drafts[0].pk])).content.decode()
    assert "须由本部门数据管理员提交" in page and data_admin.display_name in page

    # One draft breaks C2 after it was saved: conditional sharing without a legal basis.
    Resource.objects.filter(pk=drafts[2].pk).update(sharing_type="conditional", legal_basis="",
                                                    sharing_conditions="限核验")
    client = web(data_admin)
    listing = client.get(reverse("catalog:department") + "?status=draft").content.decode()
    assert "提交全部 3 条草稿" in listing and 'name="resource"' in listing
    result = client.post(reverse("catalog:department_submit"), {"all": "1"})
    body = result.content.decode()
    assert result.status_code == 200 and "已提交信息中心审核 2 条，未提交 1 条" in body
    assert body.count("已提交审核") == 2 and "土地出让信息" in body and "依据" in body
    statuses = dict(Resource.objects.filter(pk__in=[d.pk for d in drafts]).values_list("name", "status"))
    assert statuses == {"不动产登记信息": "submitted", "房屋交易信息": "submitted", "土地出让信息": "draft"}
    assert "1 条待提交" in _open_drafts_task(data_admin).get().title

    resource_delete(actor=clerk, resource=drafts[2])
    assert not _open_drafts_task(data_admin).exists()


def test_c6_bulk_submit_is_for_the_data_administrator_only(web, clerk, department):
    draft = _draft(clerk, department, "不动产登记信息")
    response = web(clerk).post(reverse("catalog:department_submit"), {"resource": [draft.pk]})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Resource.Status.DRAFT


def test_c6_chosen_entries_only_and_other_departments_untouched(web, clerk, data_admin, department,
                                                                 other_clerk, other_department):
    mine = [_draft(clerk, department, n) for n in ("不动产登记信息", "房屋交易信息")]
    theirs = _draft(other_clerk, other_department, "土地出让信息")
    web(data_admin).post(reverse("catalog:department_submit"),
                         {"resource": [mine[0].pk, theirs.pk]})
    assert Resource.objects.get(pk=mine[0].pk).status == Resource.Status.SUBMITTED
    assert Resource.objects.get(pk=mine[1].pk).status == Resource.Status.DRAFT
    assert Resource.objects.get(pk=theirs.pk).status == Resource.Status.DRAFT
