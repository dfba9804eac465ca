"""Benchmark of harvesting (O8): ``BENCH_HARVEST`` (20,000) remote datasets from a CKAN
site — a real HTTP server on 127.0.0.1 (``tests/opendata/upstream.py``) answering
``package_search`` in pages of 1,000 and ``package_list`` — into harvested datasets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_dev \\
        .venv/bin/python -m pytest tests/bench -o python_files='bench_*.py' -s -k harvest

Prints the first run's datasets/s and the memory peak of the harvesting process (Python
allocations, ``tracemalloc``, and the resident set's high-water mark), then a second run
with nothing changed at the source: how many requests it made and how long it took.
"""

import os
import resource
import time
import tracemalloc

import pytest

from opendata.harvest.models import HarvestedDataset, HarvestJob, HarvestSource
from opendata.harvest.services import harvest_job_run
from tests.opendata.upstream import Upstream, package

pytestmark = pytest.mark.django_db(transaction=True)

COUNT = int(os.environ.get("BENCH_HARVEST", "20000"))


def _run(source) -> HarvestJob:
    job = HarvestJob.objects.create(source=source)
    return harvest_job_run(job_id=job.pk)


def test_bench_harvest_20000_remote_datasets(department):
    with Upstream() as upstream:
        upstream.packages = {p["id"]: p for p in (package(n) for n in range(1, COUNT + 1))}
        source = HarvestSource.objects.create(name="bench", kind="ckan", url=upstream.url,
                                              department=department)
        tracemalloc.start()
        started = time.perf_counter()
        first = _run(source)
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert (first.status, first.created) == ("done", COUNT), first.reason
        assert HarvestedDataset.objects.count() == COUNT
        upstream.hits.clear()
        started = time.perf_counter()
        second = _run(source)
        again = time.perf_counter() - started
        assert (second.created, second.updated, second.withdrawn) == (0, 0, 0)
        print(f"\nharvest: {COUNT} remote datasets in {seconds:.1f} s = "
              f"{COUNT / seconds:.0f} datasets/s, {first.requests} requests; "
              f"memory peak {peak / 2**20:.1f} MiB (Python allocations), "
              f"process RSS high-water {rss_mb:.0f} MiB")
        print(f"harvest, nothing changed: {second.requests} requests "
              f"({len(upstream.hits)} seen by the source), {again:.2f} s")
