"""Department pages (C1, C6, C9): one-page entry form with item rows, inline validation,
drafts, submission, the department catalog and the platform-wide catalog."""

import pytest
from django.urls import reverse

from catalog.models import Resource
from tests.catalog.factories import make_resource

pytestmark = pytest.mark.django_db


def entry_post(items, **overrides):
    data = {
        "name": "不动产登记信息", "classification": "departmental", "theme": "",
        "summary": "不动产权利人和坐落", "format": "database", "format_subtype": "PostgreSQL",
        "subjects": ["individual"], "locality": "海南省", "sharing_type": "unconditional",
        "sharing_method": ["online_query"], "update_cycle": "daily", "open_type": "not_open",
        "security_level": "internal", "contact_name": "王五", "contact_phone": "0898-66000000",
        "save": "1",
    }
    data.update(overrides)
    data.update({"items-TOTAL_FORMS": str(len(items)), "items-INITIAL_FORMS": "0",
                 "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "500"})
    for index, values in enumerate(items):
        for key, value in values.items():
            data[f"items-{index}-{key}"] = value
    return data


THREE = [{"name": "姓名", "data_type": "string", "length": "50", "sensitivity": "personal"},
         {"name": "身份证号码", "data_type": "string", "length": "18", "sensitivity": "sensitive",
          "is_key": "on"},
         {"name": "不动产坐落", "data_type": "string", "length": "200", "sensitivity": "none"}]


def test_c1_clerk_creates_entry_with_three_items_on_one_page(web, clerk):
    client = web(clerk)
    page = client.get(reverse("catalog:resource_create"))
    assert page.status_code == 200 and "items-TOTAL_FORMS" in page.content.decode()
    response = client.post(reverse("catalog:resource_create"), entry_post(THREE + [{"name": ""}]))
    resource = Resource.objects.get()
    assert response.status_code == 302 and response.url == reverse("catalog:resource_detail", args=[resource.pk])
    assert list(resource.items.values_list("name", flat=True)) == ["姓名", "身份证号码", "不动产坐落"]
    assert resource.items.get(name="身份证号码").is_key
    assert resource.sharing_method == ["online_query"] and resource.subjects == ["individual"]


def test_c1_every_item_row_control_has_a_label_for_screen_readers(web, clerk):
    """C1: the item table's inputs (rows and the row template) each have a <label for>."""
    import re

    body = web(clerk).get(reverse("catalog:resource_create")).content.decode()
    controls = re.findall(
        r'(<label>)?<(?:input|select|textarea)([^>]*)\bid="(id_items-(?:0|__prefix__)-[^"]+)"',
        body)
    visible = [(wrapped, control_id) for wrapped, attrs, control_id in controls
               if 'type="hidden"' not in attrs]
    assert len(visible) == 2 * 10, visible  # the first row and the template, ten each
    unlabelled = [control_id for wrapped, control_id in visible
                  if not wrapped and f'for="{control_id}"' not in body]
    assert not unlabelled, unlabelled


def test_c2_inline_errors_name_the_field_and_nothing_is_saved(web, clerk):
    client = web(clerk)
    response = client.post(reverse("catalog:resource_create"),
                           entry_post(THREE, sharing_type="conditional"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "有条件共享的资源须填写“法律依据”" in body and "共享条件" in body
    assert not Resource.objects.exists()


def test_item_row_errors_are_shown_on_the_row(web, clerk):
    client = web(clerk)
    rows = [THREE[0], {"name": "金额", "data_type": "decimal", "length": ""}]
    response = client.post(reverse("catalog:resource_create"), entry_post(rows))
    assert "字符型和数值型信息项须填写“数据长度”" in response.content.decode()


def test_adding_rows_works_without_javascript(web, clerk):
    client = web(clerk)
    data = entry_post(THREE)
    data.pop("save")
    data["add_rows"] = "1"
    response = client.post(reverse("catalog:resource_create"), data)
    assert response.status_code == 200
    assert 'name="items-5-name"' in response.content.decode()
    assert not Resource.objects.exists()


def test_editing_removes_a_row_marked_for_deletion(web, clerk, department):
    resource = make_resource(department, status=Resource.Status.DRAFT)
    items = list(resource.items.order_by("position"))
    client = web(clerk)
    rows = [{"id": str(i.pk), "name": i.name, "data_type": "string", "length": "50"} for i in items]
    rows[1]["DELETE"] = "on"
    data = entry_post(rows)
    data["items-INITIAL_FORMS"] = "3"
    client.post(reverse("catalog:resource_edit", args=[resource.pk]), data)
    assert list(resource.items.values_list("name", flat=True)) == ["姓名", "不动产坐落"]


def test_c6_data_admin_submits_from_the_detail_page(web, data_admin, clerk, department):
    resource = make_resource(department, status=Resource.Status.DRAFT)
    page = web(clerk).get(reverse("catalog:resource_detail", args=[resource.pk])).content.decode()
    assert "提交审核" not in page
    client = web(data_admin)
    assert "提交审核" in client.get(reverse("catalog:resource_detail", args=[resource.pk])).content.decode()
    client.post(reverse("catalog:resource_action", args=[resource.pk, "submit"]))
    resource.refresh_from_db()
    assert resource.status == Resource.Status.SUBMITTED


def test_c9_drafts_are_hidden_from_other_departments(web, other_clerk, department, center, authority):
    draft = make_resource(department, status=Resource.Status.DRAFT)
    registered = make_resource(department, name="已注册资源")
    client = web(other_clerk)
    assert client.get(reverse("catalog:resource_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("catalog:resource_detail", args=[registered.pk])).status_code == 200
    assert web(center).get(reverse("catalog:resource_detail", args=[draft.pk])).status_code == 200
    client = web(authority)
    assert client.get(reverse("catalog:resource_detail", args=[draft.pk])).status_code == 404
    admin_list = client.get(reverse("admin:catalog_resource_changelist")).content.decode()
    assert "已注册资源" in admin_list and draft.name not in admin_list


def test_c9_public_users_do_not_reach_the_catalog(web, make_user):
    client = web(make_user())
    assert client.get(reverse("catalog:browse")).status_code == 404


def test_c9_department_catalog_lists_every_state_with_counts(web, clerk, department, other_department):
    make_resource(department, status=Resource.Status.DRAFT, name="草稿一")
    make_resource(department, status=Resource.Status.SUBMITTED, name="待审二")
    make_resource(other_department, name="别人的")
    body = web(clerk).get(reverse("catalog:department")).content.decode()
    assert "草稿一" in body and "待审二" in body and "别人的" not in body


@pytest.mark.parametrize("count", [3, 30])
def test_c9_department_page_runs_constant_queries(web, clerk, department, count, django_assert_max_num_queries):
    for n in range(count):
        make_resource(department, status=Resource.Status.DRAFT, name=f"资源{n}")
    client = web(clerk)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("catalog:department")).status_code == 200
