"""Steps run *inside* one portal instance (``manage.py shell -c``) by the two-instance
test: each prints one JSON line for the test to read."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile


def _out(data) -> None:
    print("RESULT " + json.dumps(data, ensure_ascii=False, default=str))


def _center(name: str):
    from portal.models import Role
    from tests.factories import UserFactory

    return UserFactory(username=name, roles=[Role.CENTER_REVIEWER])


def seed_lower() -> None:
    """The city: a department with two registered entries (one open, published as an open
    dataset with data) and a read-only government account whose token the province uses."""
    from catalog.models import OpenType
    from dataplane.services.versions import version_process, version_upload
    from opendata.services import datasets as ds
    from opendata.services.distributions import dataset_data_generate
    from portal.models import Role
    from portal.services.calendar import calendar_seed_from_package
    from portal.services.tokens import token_create
    from tests.catalog.factories import make_resource
    from tests.factories import DepartmentFactory, RegionFactory, UserFactory
    from tests.opendata.conftest import ITEMS, ROWS, csv_bytes

    calendar_seed_from_package(years=[2025, 2026, 2027])
    city = RegionFactory(code="469900", name="示范市", level="city")
    department = DepartmentFactory(region=city, name="示范市自然资源局")
    admin = UserFactory(username="city_admin", department=department, roles=[Role.DATA_ADMIN])
    center = _center("city_center")
    estate = make_resource(department, items=[i for i in ITEMS], code="3-CITY-00001",
                           name="不动产登记信息", theme="real_estate", is_open=True,
                           open_type=OpenType.UNCONDITIONAL)
    make_resource(department, code="3-CITY-00002", name="建设工程规划许可信息")
    version = version_upload(actor=admin, resource=estate,
                             upload=SimpleUploadedFile("d.csv", csv_bytes(ROWS)))
    version_process(version_id=version.pk)
    dataset = ds.dataset_create(actor=admin, resource=estate)
    ds.dataset_propose(actor=admin, dataset=dataset)
    ds.dataset_approve(actor=center, dataset=dataset)
    dataset_data_generate(dataset_id=dataset.pk)
    reader = UserFactory(username="province_reader", department=department, roles=[])
    _token, key = token_create(actor=reader, name="province")
    _out({"token": key, "dataset": dataset.name})


def change_lower() -> None:
    """The city retires one entry, renames the other and withdraws its open dataset."""
    from catalog.models import Resource
    from opendata.models import Dataset
    from opendata.services import datasets as ds
    from portal.models import User

    planning = Resource.objects.get(code="3-CITY-00002")
    planning.status, planning.retire_reason = Resource.Status.RETIRED, "职能调整"
    planning.save()
    estate = Resource.objects.get(code="3-CITY-00001")
    estate.summary = "不动产登记信息（2026 年修订）"
    estate.save()
    ds.dataset_withdraw(actor=User.objects.get(username="city_admin"),
                        dataset=Dataset.objects.get(), reason="数据治理，暂停开放")
    _out({"ok": True})


def upper_register(lower_url: str, token: str) -> None:
    """The province: a harvest source for the city's open data and a cascade source for
    its catalog, both mapped to the province's own data bureau / the city region."""
    from catalog.cascade.services import cascade_source_register
    from opendata.harvest.services import harvest_source_register
    from portal.models import Role
    from portal.services.calendar import calendar_seed_from_package
    from portal.services.tokens import token_create
    from tests.factories import DepartmentFactory, RegionFactory, UserFactory

    calendar_seed_from_package(years=[2025, 2026, 2027])
    # Unified social credit codes are unique nationwide: the province's own departments
    # must not take the codes the city's factory-made departments have.
    DepartmentFactory.reset_sequence(500)
    province = RegionFactory(code="460000", name="示范省", level="province")
    city = RegionFactory(code="469900", name="示范市", level="city", parent=province)
    bureau = DepartmentFactory(region=province, name="示范省大数据局")
    center = _center("province_center")
    harvest_source_register(actor=center, name="示范市开放平台", kind="portal", url=lower_url,
                            department=bureau, frequency="hourly")
    cascade_source_register(actor=center, name="示范市政务平台", url=lower_url, region=city,
                            token=token)
    clerk = UserFactory(username="province_clerk", department=bureau, roles=[Role.CLERK])
    _token, key = token_create(actor=clerk, name="search")
    _out({"token": key})


def upper_pull() -> None:
    """The province's beat fires: the harvest sweep and the cascade sweep (Celery eager)."""
    from django.utils import timezone

    from catalog.cascade.models import CascadeRun, CascadeSource
    from catalog.models import Resource
    from catalog.tasks import cascade_sweep
    from opendata.harvest.models import HarvestedDataset, HarvestJob, HarvestSource
    from opendata.tasks import harvest_due_sweep

    HarvestSource.objects.update(next_run_at=timezone.now())  # the schedule is due
    CascadeSource.objects.update(next_run_at=timezone.now())
    harvest_due_sweep()
    cascade_sweep()
    job = HarvestJob.objects.order_by("-pk").first()
    run = CascadeRun.objects.order_by("-pk").first()
    _out({
        "job": {"status": job.status, "created": job.created, "updated": job.updated,
                "withdrawn": job.withdrawn, "reason": job.reason},
        "run": {"status": run.status, "created": run.created, "updated": run.updated,
                "retired": run.retired, "reason": run.reason},
        "harvested": [{"title": d.title, "status": d.status, "origin_url": d.origin_url}
                      for d in HarvestedDataset.objects.order_by("pk")],
        "entries": [{"code": r.code, "status": r.status, "summary": r.summary,
                     "provider": r.provider.name, "region": r.provider.region.name,
                     "items": r.items.count(),
                     "origin": r.cascade_origin.origin_url}
                    for r in Resource.objects.filter(cascade_origin__isnull=False)
                    .order_by("code")],
    })
