"""P6/O1/O2: the center's admin decides through the services and cannot publish what they
refuse; it cannot create or edit datasets directly."""

import pytest

from catalog.models import OpenType, Resource
from opendata.models import Dataset
from opendata.services import datasets as ds

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, center, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    center.two_factor_exempt = True
    center.save()
    client.force_login(center)
    return client


@pytest.fixture
def proposed(open_resource, upload, data_admin):
    resource = open_resource()
    upload(resource)
    return ds.dataset_propose(actor=data_admin,
                              dataset=ds.dataset_create(actor=data_admin, resource=resource))


def _action(client, name, objs, **extra):
    return client.post("/admin/opendata/dataset/", {
        "action": name, "_selected_action": [o.pk for o in objs], "index": 0, **extra},
        follow=True)


def test_o1_admin_cannot_add_or_edit_datasets(admin_client, proposed):
    assert admin_client.get("/admin/opendata/dataset/add/").status_code == 403
    response = admin_client.post(f"/admin/opendata/dataset/{proposed.pk}/change/",
                                 {"open_type": OpenType.NOT_OPEN, "title": "x"})
    assert response.status_code == 403
    proposed.refresh_from_db()
    assert proposed.open_type == OpenType.UNCONDITIONAL
    assert admin_client.get(f"/admin/opendata/dataset/{proposed.pk}/change/").status_code == 200


def test_o1_admin_approve_refuses_a_closed_entry(admin_client, proposed):
    Resource.objects.filter(pk=proposed.resource_id).update(open_type=OpenType.NOT_OPEN,
                                                            is_open=False)
    response = _action(admin_client, "approve", [proposed])
    assert "不予开放" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == Dataset.Status.PROPOSED


def test_o2_admin_actions_call_services(admin_client, proposed):
    response = _action(admin_client, "return_", [proposed], comment="")
    assert "退回时必须填写审核意见" in response.content.decode()
    _action(admin_client, "approve", [proposed], comment="同意发布")
    proposed.refresh_from_db()
    assert proposed.status == Dataset.Status.PUBLISHED
    _action(admin_client, "withdraw", [proposed], comment="源数据有误")
    proposed.refresh_from_db()
    assert proposed.status == Dataset.Status.WITHDRAWN and proposed.withdraw_reason == "源数据有误"


def test_admin_changelists_render(admin_client, proposed):
    for model in ("dataset", "datasetupdate", "accessapplication", "datarequest", "comment",
                  "dataproduct", "openplan"):
        assert admin_client.get(f"/admin/opendata/{model}/").status_code == 200, model


def test_department_user_has_no_open_data_admin(client, data_admin, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    data_admin.two_factor_exempt = True
    data_admin.save()
    client.force_login(data_admin)
    assert client.get("/admin/opendata/dataset/").status_code in (302, 403)
