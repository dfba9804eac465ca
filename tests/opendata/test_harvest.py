"""O8 harvesting: the center registers remote catalogs (CKAN, DCAT-AP in three
serializations) mapped to a publishing department; a run creates, updates and withdraws
harvested datasets with their origin, incrementally and without duplicates, skips a
broken record with its error, and records an outage as a failed job with the reason.
The remote site is a real HTTP server on 127.0.0.1 (``tests/opendata/upstream.py``)."""

import pytest
from django.utils import timezone

from opendata.harvest.models import HarvestedDataset, HarvestJob, HarvestRecord
from opendata.harvest.services import harvest_due, harvest_job_queue, harvest_source_register
from portal.errors import NotPermitted
from tests.opendata.upstream import Upstream, package

pytestmark = pytest.mark.django_db


@pytest.fixture
def upstream():
    with Upstream() as server:
        yield server


def run(center, source, *, full=False, capture=None):
    """Queue a job and let Celery (eager) run it on commit, as in production."""
    with capture(execute=True):
        job = harvest_job_queue(actor=center, source=source, full=full)
    job.refresh_from_db()
    return job


def register(center, department, upstream, kind="ckan", url=None):
    return harvest_source_register(actor=center, name=f"{kind} 来源", kind=kind,
                                   url=url or upstream.url, department=department)


def test_o8_ckan_harvest_creates_updates_withdraws_incrementally(
        center, department, upstream, django_capture_on_commit_callbacks):
    upstream.packages = {p["id"]: p for p in (package(1), package(2), package(3, title=""))}
    source = register(center, department, upstream)
    first = run(center, source, capture=django_capture_on_commit_callbacks)
    assert (first.status, first.created, first.errors, first.incremental_since) == (
        "done", 2, 1, None)
    broken = first.records.get(action=HarvestRecord.Action.ERROR)
    assert broken.remote_id == package(3)["id"] and "title" in broken.message
    harvested = HarvestedDataset.objects.get(remote_id=package(1)["id"])
    assert harvested.publisher == department and harvested.origin_publisher == "远程市数据局"
    assert harvested.origin_url == f"{upstream.url}/dataset/remote-dataset-1"
    assert harvested.theme == "transport" and harvested.resources[0]["format"] == "CSV"

    # A broken record keeps the watermark: the next run asks again from the start,
    # and the fixed record arrives; nothing else is written twice.
    upstream.packages[package(3)["id"]] = package(3)
    second = run(center, source, capture=django_capture_on_commit_callbacks)
    assert (second.created, second.updated, second.unchanged, second.errors) == (1, 0, 2, 0)
    assert HarvestedDataset.objects.filter(source=source).count() == 3

    # Nothing changed: an incremental run asks package_list and one search page.
    upstream.hits.clear()
    quiet = run(center, source, capture=django_capture_on_commit_callbacks)
    assert quiet.incremental_since is not None
    assert (quiet.created, quiet.updated, quiet.withdrawn, quiet.processed) == (0, 0, 0, 0)
    assert quiet.requests == len(upstream.hits) == 2
    assert any("metadata_modified" in hit for hit in upstream.hits)

    # A change and a removal at the origin show at the next run.
    later = timezone.now().replace(tzinfo=None).isoformat()
    upstream.packages[package(1)["id"]] = package(1, title="远程数据集 1（修订）", modified=later)
    del upstream.packages[package(2)["id"]]
    changed = run(center, source, capture=django_capture_on_commit_callbacks)
    assert (changed.updated, changed.withdrawn, changed.processed) == (1, 1, 1)
    assert HarvestedDataset.objects.get(remote_id=package(1)["id"]).title == "远程数据集 1（修订）"
    gone = HarvestedDataset.objects.get(remote_id=package(2)["id"])
    assert gone.status == "withdrawn" and gone.withdraw_reason
    assert HarvestedDataset.objects.filter(source=source).count() == 3


def test_o8_outage_is_a_failed_job_with_the_reason(center, department, upstream,
                                                   django_capture_on_commit_callbacks):
    upstream.packages = {p["id"]: p for p in (package(1),)}
    source = register(center, department, upstream)
    run(center, source, capture=django_capture_on_commit_callbacks)
    upstream.down = True
    job = run(center, source, capture=django_capture_on_commit_callbacks)
    assert job.status == HarvestJob.Status.FAILED and "503" in job.reason
    assert HarvestedDataset.objects.get().status == "active"  # nothing withdrawn
    source.refresh_from_db()
    assert source.watermark == HarvestJob.objects.get(status="done").started_at


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "rdf"])
def test_o8_dcat_harvest_in_each_serialization_follows_hydra_pages(
        center, department, upstream, ext, django_capture_on_commit_callbacks):
    upstream.packages = {p["id"]: p for p in (package(n) for n in range(1, 6))}
    source = register(center, department, upstream, kind="dcat",
                      url=f"{upstream.url}/catalog.{ext}")
    job = run(center, source, capture=django_capture_on_commit_callbacks)
    assert (job.status, job.created, job.requests) == ("done", 5, 3)  # 3 hydra pages
    record = HarvestedDataset.objects.get(remote_id=package(4)["id"])
    assert record.title == "远程数据集 4" and record.theme == "transport"
    assert record.keywords == sorted(["交通", "标签4"])
    assert record.origin_url == f"{upstream.url}/dataset/remote-dataset-4"
    del upstream.packages[package(5)["id"]]
    full = run(center, source, full=True, capture=django_capture_on_commit_callbacks)
    assert (full.withdrawn, full.created, full.updated) == (1, 0, 0)


def test_o8_only_the_center_registers_sources_and_the_sweep_follows_the_schedule(
        center, data_admin, department, upstream, django_capture_on_commit_callbacks):
    with pytest.raises(NotPermitted):
        register(data_admin, department, upstream)
    source = register(center, department, upstream)
    manual = harvest_source_register(actor=center, name="手动", kind="ckan", url=upstream.url,
                                     department=department, frequency="manual")
    with django_capture_on_commit_callbacks(execute=True):
        jobs = harvest_due()
    assert [j.source for j in jobs] == [source]
    assert not manual.jobs.exists()
    source.refresh_from_db()
    assert source.next_run_at > timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert harvest_due() == []  # not due again until the interval has passed


def test_o8_job_report_in_the_admin_and_origin_on_the_public_pages(
        center, department, upstream, client, settings, django_capture_on_commit_callbacks):
    upstream.packages = {p["id"]: p for p in (package(1), package(2, title=""))}
    source = register(center, department, upstream)
    job = run(center, source, capture=django_capture_on_commit_callbacks)
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    center.two_factor_exempt = True
    center.save()
    client.force_login(center)
    page = client.get(f"/admin/opendata/harvestjob/{job.pk}/change/").content.decode()
    assert '<progress max="100" value="100">' in page and "缺少数据集名称" in page
    assert 'http-equiv="refresh"' not in page
    HarvestJob.objects.filter(pk=job.pk).update(status="running", total=4, processed=1)
    running = client.get(f"/admin/opendata/harvestjob/{job.pk}/change/").content.decode()
    assert '<progress max="100" value="25">' in running and 'http-equiv="refresh"' in running
    client.logout()
    listing = client.get("/open/harvested/", {"q": "远程"}).content.decode()
    harvested = HarvestedDataset.objects.get()
    assert harvested.title in listing and source.name in listing
    detail = client.get(f"/open/harvested/{harvested.uuid}/").content.decode()
    assert harvested.origin_url in detail and "在来源平台查看" in detail
    HarvestedDataset.objects.update(status="withdrawn")
    assert client.get(f"/open/harvested/{harvested.uuid}/").status_code == 404
