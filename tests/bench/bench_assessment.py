"""Benchmark of the assessment computation (A2): every indicator for 200 departments over
a year of activity — 100k share requests and 1M access-log rows at full scale.

    DATABASE_URL=postgres://…/assessment_dev make bench PYTEST_ARGS=-k assessment
    BENCH_SCALE=0.02 .venv/bin/python -m pytest tests/bench -o python_files='bench_*.py' -s -k assessment

``BENCH_SCALE`` scales the activity (default 1 on PostgreSQL, 0.02 on SQLite); the number
of departments stays 200. Prints the query count and the time of one computation.
"""

import os
import random
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Plan, Score
from assessment.services.compute import compute_scores
from assessment.services.plans import plan_create
from catalog.models import Census, CensusEntry, ChangeEvent, Project, Resource
from dataplane.models import AccessLogEntry, DataVersion, ResourceData
from opendata.models import Dataset
from portal.models import Department, Region, Role
from portal.validators import uscc_check_digit
from sharing.models import Objection, ShareRequest

pytestmark = pytest.mark.django_db

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
SCALE = float(os.environ.get("BENCH_SCALE", "1" if POSTGRES else "0.02"))
DEPARTMENTS = 200
CITIES = 2
CITY_DEPARTMENTS = 10
RESOURCES_PER_DEPARTMENT = 5
REQUESTS = int(100_000 * SCALE)
ACCESS_ROWS = int(1_000_000 * SCALE)
YEAR = 2025
TZ = ZoneInfo("Asia/Shanghai")
MAX_QUERIES = 60
MAX_READS = 30
MAX_SECONDS = 60


def moment(rng: random.Random) -> datetime:
    return datetime(YEAR, 1, 1, tzinfo=TZ) + timedelta(seconds=rng.randrange(364 * 86400))


def build_departments(region) -> list[Department]:
    cities = [Region.objects.create(code=f"46{i + 1:02d}00", name=f"城市{i + 1}", level="city",
                                    parent=region) for i in range(CITIES)]
    rows = []
    for n in range(DEPARTMENTS):
        city = cities[n % CITIES] if n < CITIES * CITY_DEPARTMENTS else None
        first17 = f"11460000MC{n:07d}"
        rows.append(Department(name=f"基准部门{n}", short_name=f"基准{n}",
                               uscc=first17 + uscc_check_digit(first17),
                               region=city or region, kind=Department.Kind.GOVERNMENT))
    return Department.objects.bulk_create(rows)


def build_catalog(departments, rng) -> list[Resource]:
    now = datetime(YEAR, 2, 1, tzinfo=TZ)
    resources = Resource.objects.bulk_create([
        Resource(name=f"资源{d.pk}-{i}", provider=d, classification="departmental", summary="摘要",
                 format="database", sharing_type=rng.choice(["unconditional", "conditional"]),
                 update_cycle="monthly", status="registered", code=f"B{d.pk:05d}{i:03d}",
                 registered_at=now, locality="海南省", sharing_method=["online_query"])
        for d in departments for i in range(RESOURCES_PER_DEPARTMENT)], batch_size=2000)
    ChangeEvent.objects.bulk_create([
        ChangeEvent(department=d, kind="law_revised", title="修订",
                    occurred_on=date(YEAR, 1 + i, 1), due_on=date(YEAR, 1 + i, 22),
                    status=rng.choice(["open", "done", "done"]),
                    completed_at=moment(rng) if rng.random() < 0.7 else None)
        for d in departments for i in range(10)], batch_size=2000)
    census = Census.objects.create(year=YEAR, title="普查", due_on=date(YEAR, 6, 30))
    CensusEntry.objects.bulk_create([
        CensusEntry(census=census, resource=r, department_id=r.provider_id,
                    status=rng.choice(["pending", "confirmed", "updated"]))
        for r in resources], batch_size=2000)
    Project.objects.bulk_create([
        Project(code=f"BP{d.pk:06d}", name="项目", department=d, status="approved",
                approved_on=date(YEAR, 3, 1)) for d in departments])
    return resources


def build_sharing(departments, resources, rng) -> None:
    ids = [d.pk for d in departments]
    requests = []
    for n in range(REQUESTS):
        resource = resources[n % len(resources)]
        due = date(YEAR, 1, 1) + timedelta(days=rng.randrange(360))
        answered = rng.random() < 0.9
        requests.append(ShareRequest(
            number=f"BR{n:09d}", applicant_id=rng.choice(ids), provider_id=resource.provider_id,
            resource=resource, purpose="work_reference", purpose_detail="x",
            knowledge_scope="x", security_measures="x", period_start=date(YEAR, 1, 1),
            period_end=date(YEAR + 1, 1, 1), method="online_query",
            status="approved" if answered else "provider_review", answer_started_on=due,
            answer_due_on=due, answered_at=moment(rng) if answered else None,
            answer=rng.choice(["approved", "partial", "refused"]) if answered else "",
            answered_late=answered and rng.random() < 0.1,
            answer_working_days=rng.randrange(1, 15) if answered else None))
        if len(requests) == 5000:
            ShareRequest.objects.bulk_create(requests)
            requests = []
    ShareRequest.objects.bulk_create(requests)
    Objection.objects.bulk_create([
        Objection(number=f"BO{n:08d}", reporter_id=rng.choice(ids),
                  provider_id=resources[n % len(resources)].provider_id,
                  resource=resources[n % len(resources)], kind="wrong", description="x",
                  status=rng.choice(["open", "corrected", "closed"]), created_at=moment(rng),
                  fix_working_days=rng.randrange(1, 10))
        for n in range(max(REQUESTS // 10, 50))], batch_size=5000)
    DataVersion.objects.bulk_create([
        DataVersion(resource=r, number=i + 1, status="superseded", source_name="d.csv",
                    source_format="csv", activated_at=moment(rng),
                    days_late=rng.choice([0, 0, 0, 5]))
        for r in resources for i in range(4)], batch_size=5000)
    ResourceData.objects.bulk_create([
        ResourceData(resource=r, next_due_on=date(YEAR, 12, 1) + timedelta(days=rng.randrange(60)))
        for r in resources], batch_size=5000)
    Dataset.objects.bulk_create([
        Dataset(name=f"bench-{r.pk}", resource=r, publisher_id=r.provider_id, title="数据集",
                description="x", theme="other", open_type="unconditional",
                update_cycle="monthly", status="published", first_published_at=moment(rng))
        for r in resources[::RESOURCES_PER_DEPARTMENT]], batch_size=2000)


def build_access_log(departments, resources) -> None:
    """1M rows: generated by the database on PostgreSQL, in batches elsewhere."""
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("""
                INSERT INTO dataplane_accesslogentry
                  (seq, at, username, department_id, resource_id, provider_id, action, channel,
                   allowed, purpose, parameters, items, masked_items, rows_returned, reason,
                   prev_hash, hash)
                SELECT 1000000000 + g,
                       TIMESTAMPTZ '2025-01-01 00:00+08' + (g %% 31449600) * INTERVAL '1 second',
                       '', d.ids[1 + g %% array_length(d.ids, 1)],
                       r.ids[1 + g %% array_length(r.ids, 1)], r.providers[1 + g %% array_length(r.ids, 1)],
                       CASE WHEN g %% 10 = 0 THEN 'download' ELSE 'query' END, 'api',
                       g %% 50 <> 0,
                       CASE WHEN g %% 20 = 0 THEN 'open:unconditional' ELSE 'work_reference' END,
                       '{}', '[]', '[]', g %% 100, '', '', md5(g::text) || md5(g::text)
                FROM generate_series(1, %s) AS g,
                     (SELECT array_agg(id ORDER BY id) AS ids FROM portal_department
                      WHERE id = ANY(%s)) AS d,
                     (SELECT array_agg(id ORDER BY id) AS ids,
                             array_agg(provider_id ORDER BY id) AS providers
                      FROM catalog_resource WHERE id = ANY(%s)) AS r
            """, [ACCESS_ROWS, [d.pk for d in departments], [r.pk for r in resources]])
        return
    start = datetime(YEAR, 1, 1, tzinfo=TZ)
    batch = []
    for g in range(ACCESS_ROWS):
        resource = resources[g % len(resources)]
        batch.append(AccessLogEntry(
            seq=1_000_000_000 + g, at=start + timedelta(seconds=g * 31 % 31_449_600),
            department_id=departments[g % len(departments)].pk, resource_id=resource.pk,
            provider_id=resource.provider_id, action="download" if g % 10 == 0 else "query",
            channel="api", allowed=g % 50 != 0,
            purpose="open:unconditional" if g % 20 == 0 else "work_reference",
            rows_returned=g % 100, prev_hash="", hash=f"{g:064d}"))
        if len(batch) == 10_000:
            AccessLogEntry.objects.bulk_create(batch)
            batch = []
    AccessLogEntry.objects.bulk_create(batch)


def change_some_data(rng: random.Random) -> None:
    """A week of work: open catalog changes completed, a few new objections answered."""
    events = list(ChangeEvent.objects.filter(status="open").values_list("pk", flat=True))
    done = rng.sample(events, len(events) // 3)
    ChangeEvent.objects.filter(pk__in=done).update(
        status="done", completed_at=datetime(YEAR, 3, 1, tzinfo=TZ))


def test_bench_assessment_compute_200_departments(make_user, region):
    rng = random.Random(2025)
    started = time.perf_counter()
    departments = build_departments(region)
    resources = build_catalog(departments, rng)
    build_sharing(departments, resources, rng)
    build_access_log(departments, resources)
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    built = time.perf_counter() - started
    authority = make_user(roles=[Role.AUTHORITY])
    plan = plan_create(actor=authority, region=region, year=YEAR)
    units = plan.units.count()

    timings = []
    for attempt in ("first (creates every score)", "after a data change", "nothing changed"):
        if attempt == "after a data change":
            change_some_data(rng)
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            compute_scores(plan=Plan.objects.get(pk=plan.pk))
            elapsed = time.perf_counter() - t0
        statements = [q["sql"].lstrip().split(" ", 1)[0].upper() for q in queries.captured_queries]
        timings.append((attempt, len(statements), statements.count("SELECT"), elapsed))

    scores = Score.objects.filter(plan=plan).count()
    print(f"\n[bench_assessment] {connection.vendor}, scale {SCALE}: {len(departments)} departments "
          f"({units} units), {REQUESTS} share requests, {ACCESS_ROWS} access-log rows "
          f"(built in {built:.1f} s)")
    for attempt, count, reads, elapsed in timings:
        print(f"[bench_assessment] compute, {attempt}: {count} queries ({reads} reads, "
              f"{count - reads} batched writes), {elapsed:.2f} s, {scores} scores")
    for _attempt, count, reads, elapsed in timings:
        assert reads <= MAX_READS  # one GROUP BY per source, whatever the number of units
        assert elapsed < MAX_SECONDS
        if POSTGRES:  # SQLite's 999-variable limit makes its write batches small
            assert count <= MAX_QUERIES
