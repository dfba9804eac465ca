"""Fixtures for open-data tests: open catalog entries with data, published datasets."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import OpenType, Resource, Sensitivity
from portal.models import Role
from tests.catalog.factories import item, make_resource

ROWS = [
    {"姓名": "张三丰", "身份证号码": "460100199001011234", "手机号码": "13800138000",
     "区县": "美兰区", "登记面积": "120.5", "登记日期": "2024-03-01"},
    {"姓名": "李四", "身份证号码": "460100198502023456", "手机号码": "13900139000",
     "区县": "龙华区", "登记面积": "88", "登记日期": "2024-04-15"},
    {"姓名": "王五", "身份证号码": "460200197703035678", "手机号码": "13700137000",
     "区县": "秀英区", "登记面积": "64.2", "登记日期": "2024-05-20"},
]

ITEMS = [
    item("姓名", field_name="name", sensitivity=Sensitivity.PERSONAL),
    item("身份证号码", field_name="id_number", length=18, sensitivity=Sensitivity.SENSITIVE),
    item("手机号码", field_name="mobile", length=11, sensitivity=Sensitivity.PERSONAL),
    item("区县", field_name="district"),
    item("登记面积", field_name="area", data_type="decimal", length=12),
    item("登记日期", field_name="registered_on", data_type="date", length=None),
]


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    header = list(rows[0])
    out.write(",".join(header) + "\n")
    for row in rows:
        out.write(",".join(row[h] for h in header) + "\n")
    return out.getvalue().encode()


_counter = {"n": 0}


@pytest.fixture
def center(make_user):
    return make_user(username="center", roles=[Role.CENTER_REVIEWER])


@pytest.fixture
def data_admin(make_user, department):
    return make_user(username="od_admin", department=department, roles=[Role.DATA_ADMIN])


@pytest.fixture
def clerk(make_user, department):
    return make_user(username="od_clerk", department=department, roles=[Role.CLERK])


@pytest.fixture
def head(make_user, department):
    return make_user(username="od_head", department=department, roles=[Role.HEAD])


@pytest.fixture
def other_admin(make_user, other_department):
    return make_user(username="od_other_admin", department=other_department,
                     roles=[Role.DATA_ADMIN])


@pytest.fixture
def public_user(make_user):
    return make_user(username="citizen", email="citizen@example.com")


@pytest.fixture
def open_resource(department):
    """``open_resource(open_type=..., items=..., status=...)``: a catalog entry."""

    def make(open_type=OpenType.UNCONDITIONAL, items=ITEMS, status=Resource.Status.REGISTERED,
             is_open=None, name="不动产登记信息", **overrides):
        _counter["n"] += 1
        overrides.setdefault("theme", "real_estate")
        return make_resource(
            department, status=status, items=items, code=f"3-TEST-{_counter['n']:05d}",
            name=name, is_open=open_type != OpenType.NOT_OPEN if is_open is None else is_open,
            open_type=open_type, **overrides)

    return make


@pytest.fixture
def upload(data_admin):
    """``upload(resource, rows)``: a processed, current data version."""
    from dataplane.services.versions import version_process, version_upload

    def do(resource, rows=ROWS):
        version = version_upload(actor=data_admin, resource=resource,
                                 upload=SimpleUploadedFile("data.csv", csv_bytes(rows)))
        version_process(version_id=version.pk)  # no-op if the queued task already ran it
        version.refresh_from_db()
        assert version.status == "current", version.report
        return version

    return do


@pytest.fixture
def publish(data_admin, center, upload, open_resource):
    """``publish(open_type=...)``: a published dataset with generated data."""
    from opendata.services import datasets as ds
    from opendata.services.distributions import dataset_data_generate

    def do(open_type=OpenType.UNCONDITIONAL, resource=None, rows=ROWS, **edits):
        resource = resource or open_resource(open_type=open_type)
        assert resource.open_type == open_type or open_type == OpenType.UNCONDITIONAL
        upload(resource, rows)
        dataset = ds.dataset_create(actor=data_admin, resource=resource)
        if edits:
            ds.dataset_edit(actor=data_admin, dataset=dataset, data=edits)
        ds.dataset_propose(actor=data_admin, dataset=dataset)
        ds.dataset_approve(actor=center, dataset=dataset)
        assert dataset_data_generate(dataset_id=dataset.pk)
        dataset.refresh_from_db()
        return dataset

    return do
