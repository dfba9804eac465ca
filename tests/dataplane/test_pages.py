"""The data pages for each kind of user, the masking page, tasks and the demo loader."""

import pytest
from django.core.management import call_command

from catalog.models import DataType
from dataplane.masking import MaskKind
from dataplane.models import AccessLogEntry, DataVersion, MaskingRule
from portal.models import Notification, Role
from tests.dataplane.conftest import item
from tests.sharing.factories import DataItemFactory, ResourceFactory

pytestmark = pytest.mark.django_db


PAGE_MATRIX = [
    # (who, page, status)
    ("provider_admin", "resource", 200), ("consumer", "resource", 200),
    ("provider_admin", "masking", 200), ("provider_security", "masking", 200),
    ("consumer", "masking", 403),
    ("provider_admin", "version", 200), ("consumer", "version", 403),
    ("consumer", "index", 200), ("provider_admin", "index", 200),
    ("consumer", "log", 200), ("consumer", "monitoring", 200), ("consumer", "tokens", 200),
]


@pytest.mark.parametrize(("who", "page", "status"), PAGE_MATRIX)
def test_page_matrix(who, page, status, request, loaded, granted, resource, web):
    user = request.getfixturevalue(who)
    url = {
        "resource": f"/data/r/{resource.code}/", "masking": f"/data/r/{resource.code}/masking/",
        "version": f"/data/r/{resource.code}/versions/{loaded.pk}/", "index": "/data/",
        "log": "/data/log/", "monitoring": "/data/monitoring/", "tokens": "/data/tokens/",
    }[page]
    assert web(user).get(url).status_code == status


def test_resource_page_tells_the_consumer_what_it_may_see(loaded, granted, consumer, web,
                                                         resource):
    page = web(consumer).get(f"/data/r/{resource.code}/")
    text = page.content.decode()
    assert "依据共享授权" in text and "脱敏后可见" in text and "未授权" in text
    assert "上传新版本" not in text  # consumers do not upload
    items = {i.name: i for i in page.context["items"]}
    assert items["姓名"].granted and not items["住址"].granted and items["身份证号码"].masked


def test_index_lists_provided_and_usable_resources(loaded, granted, consumer, provider_admin, web,
                                                  resource):
    assert resource in web(provider_admin).get("/data/").context["provided"]
    assert granted in web(consumer).get("/data/").context["grants"]


def test_masking_page_sets_rules_and_previews(loaded, resource, provider_security, web):
    client = web(provider_security)
    target = item(resource, "身份证号码")
    response = client.post(f"/data/r/{resource.code}/masking/",
                           {"item": target.pk, "kind": MaskKind.ID_NUMBER, "keep_head": "4"})
    assert response.status_code == 302
    rule = MaskingRule.objects.get(item=target)
    assert rule.kind == MaskKind.ID_NUMBER and rule.params == {"keep_head": 4}
    page = client.get(f"/data/r/{resource.code}/masking/?preview=1")
    text = page.content.decode()
    assert "4601**********1234" in text and "460100199001011234" in text
    preview_entry = AccessLogEntry.objects.order_by("-seq").first()
    assert preview_entry.action == AccessLogEntry.Action.PREVIEW  # even previews are logged
    client.post(f"/data/r/{resource.code}/masking/", {"item": target.pk, "kind": ""})
    assert not MaskingRule.objects.filter(item=target).exists()
    bad = client.post(f"/data/r/{resource.code}/masking/",
                      {"item": target.pk, "kind": MaskKind.HASH, "length": "3"}, follow=True)
    assert not MaskingRule.objects.filter(item=target).exists()
    assert "脱敏规则填写有误" in bad.content.decode()


def test_periodic_tasks_run(loaded, granted, consumer):
    from dataplane.tasks import (
        monitor_sweep_task,
        usage_reports_task,
        versions_overdue_task,
    )

    assert monitor_sweep_task.delay().get() == 0
    assert usage_reports_task.delay().get() == 0
    assert versions_overdue_task.delay().get() == 0


def test_demo_loader_is_idempotent(make_user, provider):
    resource = ResourceFactory(provider=provider)
    for position, (name, data_type) in enumerate([
            ("姓名", DataType.STRING), ("公民身份号码", DataType.STRING),
            ("联系电话", DataType.STRING), ("出生日期", DataType.DATE),
            ("登记金额", DataType.DECIMAL)]):
        DataItemFactory(resource=resource, name=name, data_type=data_type, length=50,
                        position=position)
    make_user(department=provider, roles=[Role.DATA_ADMIN])
    call_command("seed_demo_dataplane", "--resources", "1", "--rows", "50")
    version = DataVersion.objects.get(resource=resource)
    assert version.status == DataVersion.Status.CURRENT, version.report
    assert version.row_count == 50
    assert set(MaskingRule.objects.values_list("kind", flat=True)) == {
        MaskKind.NAME, MaskKind.ID_NUMBER, MaskKind.MOBILE}
    call_command("seed_demo_dataplane", "--resources", "1", "--rows", "50")
    assert DataVersion.objects.filter(resource=resource).count() == 1
    assert Notification.objects.filter(key=f"dataversion:{version.pk}:done").count() == 1


ADMIN_PAGES = ["dataversion", "maskingrule", "accesslogentry", "anomaly", "usagereport",
               "systemtokenscope"]


@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_admin_lists_for_the_center(model, loaded, granted, consumer, make_user, web, api,
                                    resource):
    """P6: the center sees the data plane in the admin, read-only."""
    api(consumer).get(f"/api/v1/sharing/resources/{resource.code}/rows/")
    center = make_user(roles=[Role.CENTER_REVIEWER])
    client = web(center)
    assert client.get(f"/admin/dataplane/{model}/").status_code == 200
    assert client.get(f"/admin/dataplane/{model}/add/").status_code == 403
    entry = AccessLogEntry.objects.first()
    page = client.get(f"/admin/dataplane/accesslogentry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
