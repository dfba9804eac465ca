"""Benchmarks of sharing (S3): the reminder and escalation sweep over 100,000 open requests
in mixed states, and the "requests to us" page of a busy provider.

    DATABASE_URL=postgres://…/sharing_dev make bench PYTEST_ARGS="-k bench_sharing"
    BENCH_SCALE=0.02 .venv/bin/python -m pytest tests/bench -o python_files='bench_*.py' -s -k bench_sharing

``BENCH_SCALE`` scales the number of open requests (default 1 on PostgreSQL = 100,000,
0.02 on SQLite). Prints query counts and times; the sweep's query count does not grow
with the rows (it is printed at a tenth of the scale too). The notifications' emails are
queued after commit as background tasks and are not part of the measured sweep.
"""

import os
import random
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import SharingMethod
from portal.deadlines import deadlines_sweep as deadline_sweep
from portal.models import Notification, Role
from portal.workdays import add_working_days
from sharing.models import Purpose, ShareRequest
from tests.factories import DepartmentFactory, UserFactory
from tests.sharing.factories import resource_with_items

pytestmark = pytest.mark.django_db

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
SCALE = float(os.environ.get("BENCH_SCALE", "1" if POSTGRES else "0.02"))
OPEN_REQUESTS = int(100_000 * SCALE)
PROVIDERS = 50
S = ShareRequest.Status
# Open steps in the mix (weights) — and some closed rows the sweep must not read.
OPEN_MIX = [(S.PROVIDER_REVIEW, 60), (S.PREREVIEW, 10), (S.NEGOTIATING, 12),
            (S.COORDINATING, 8), (S.ENABLEMENT, 10)]
CLOSED_SHARE = 0.2


def build_world():
    """Providers with a data administrator and a head each, one applicant department,
    the center and the authority, and one resource per provider."""
    applicant = DepartmentFactory(name="基准申请部门")
    providers = [DepartmentFactory() for _ in range(PROVIDERS)]
    for department in providers + [applicant]:
        UserFactory(department=department, roles=[Role.DATA_ADMIN])
        UserFactory(department=department, roles=[Role.HEAD])
    UserFactory(roles=[Role.CENTER_REVIEWER])
    UserFactory(roles=[Role.AUTHORITY])
    resources = [resource_with_items(provider=p) for p in providers]
    reverse("sharing:request_detail", args=[1])  # a running worker has its URLconf loaded
    return applicant, resources


def sweep_day():
    """The sweep's day: today, or the next working day when today is not one."""
    return add_working_days(timezone.localdate() - timedelta(days=1), 1)


def build_requests(applicant, resources, count: int, seed: int = 7) -> None:
    """``count`` open requests due between 5 calendar days ago and 20 working days ahead,
    plus closed ones (no due date)."""
    rng = random.Random(seed)
    today = sweep_day()
    due_days = [today + timedelta(days=d) for d in range(-5, 0)] + [
        add_working_days(today, n) for n in range(0, 21)]
    statuses = [s for s, weight in OPEN_MIX for _ in range(weight)]
    base = ShareRequest.objects.count()
    rows = []
    closed = int(count * CLOSED_SHARE)
    for n in range(count + closed):
        resource = rng.choice(resources)
        is_open = n < count
        rows.append(ShareRequest(
            number=f"BM{base + n:010d}", applicant=applicant, provider_id=resource.provider_id,
            resource=resource, purpose=Purpose.DATA_VERIFICATION, purpose_detail="基准",
            knowledge_scope="基准", security_measures="基准", period_start=today,
            period_end=today + timedelta(days=365), method=SharingMethod.ONLINE_QUERY,
            status=rng.choice(statuses) if is_open else S.APPROVED,
            due_on=rng.choice(due_days) if is_open else None, step_seq=1,
            submitted_at=timezone.now()))
    ShareRequest.objects.bulk_create(rows, batch_size=5000)


def timed_sweep(today=None):
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        reports = deadline_sweep(today=today)
        seconds = time.perf_counter() - started
    return len(ctx.captured_queries), seconds, reports


def describe(label: str, queries: int, seconds: float, reports) -> str:
    reminded = sum(r.reminded for r in reports.values())
    escalated = sum(r.escalated for r in reports.values())
    sent = sum(r.notifications for r in reports.values())
    return (f"[sharing sweep] {label}: {queries} queries, {seconds:.2f} s — {reminded:,} "
            f"reminded, {escalated:,} escalated, {sent:,} notifications")


def daily(applicant, resources, count: int, seed: int):
    """``count`` open requests as the daily sweep finds them: yesterday's sweep — the first
    ever over this backlog — has run (first figure), then today's (second figure)."""
    build_requests(applicant, resources, count, seed=seed)
    today = sweep_day()
    catch_up = timed_sweep(today - timedelta(days=1))
    return catch_up, timed_sweep(today), timed_sweep(today)


def test_bench_reminder_and_escalation_sweep():
    applicant, resources = build_world()
    small = max(OPEN_REQUESTS // 10, 50)
    _c, small_daily, _a = daily(applicant, resources, small, seed=1)
    ShareRequest.objects.all().delete()
    Notification.objects.all().delete()

    catch_up, today, again = daily(applicant, resources, OPEN_REQUESTS, seed=2)
    print(f"\n[sharing sweep] {connection.vendor}: {OPEN_REQUESTS:,} open requests "
          f"(+{int(OPEN_REQUESTS * CLOSED_SHARE):,} closed) in mixed states, {PROVIDERS} "
          f"providers; due dates from 5 days ago to 20 working days ahead")
    print(describe("first sweep over the whole backlog (5 overdue days, both reminder "
                   "levels at once)", *catch_up))
    print(describe("daily sweep (the previous day's sweep has run)", *today))
    print(describe("daily sweep run again the same day", *again))
    print(describe(f"daily sweep at {small:,} open requests", *small_daily))
    assert sum(r.notifications for r in again[2].values()) == 0


def test_bench_requests_to_us_page(client, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    applicant, resources = build_world()
    provider_admin = UserFactory(department=resources[0].provider, roles=[Role.DATA_ADMIN],
                                 two_factor_exempt=True)
    client.force_login(provider_admin)
    url = reverse("sharing:requests_incoming")
    figures = []
    for count in (50, max(OPEN_REQUESTS // PROVIDERS * 4, 500)):
        build_requests(applicant, resources[:1], count - ShareRequest.objects.count(), seed=count)
        client.get(url)  # warm the caches of the shell
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, {"page": 2})
            seconds = time.perf_counter() - started
        assert response.status_code == 200
        figures.append((count, len(ctx.captured_queries), seconds))
    for count, queries, seconds in figures:
        print(f"\n[sharing requests-to-us] {connection.vendor}: {count:,} requests to one "
              f"provider: {queries} queries, {seconds * 1000:.0f} ms")


FIVE_PACKS = {  # shipped packs, four given reminder days of their own
    "national-2025": None, "national-2016": [2, 1], "hainan-2018": [3],
    "yushui-2018": [5, 2], "hengyang-2021": [4, 2, 1],
}


def test_bench_sweep_queries_with_one_and_five_packs():
    """The sweep's query count with every request timed by one pack, then by five packs
    with different reminder days (docs/rules.md): the same figure both times."""
    from portal.models import Region, RulePack
    from portal.rules import region_rules, rule_pack_save

    applicant, resources = build_world()
    count = max(OPEN_REQUESTS // 2, 50)
    build_requests(applicant, resources, count, seed=3)
    today = sweep_day()
    default = region_rules(None)
    ShareRequest.objects.update(rule_version=default)
    one = timed_sweep(today)

    ShareRequest.objects.all().delete()
    Notification.objects.all().delete()
    build_requests(applicant, resources, count, seed=3)
    versions = []
    for position, (code, days) in enumerate(FIVE_PACKS.items()):
        pack = RulePack.objects.get(code=code)
        if days:
            pack.rules = {**pack.rules, "sharing.reminder_days": {
                **pack.rules["sharing.reminder_days"], "value": days}}
            rule_pack_save(actor=None, pack=pack)
        region = Region.objects.create(code=f"99{position:04d}", name=f"基准区划{position}",
                                       rule_pack=pack)
        providers = [r.provider for r in resources[position::len(FIVE_PACKS)]]
        for provider in providers:
            provider.region = region
            provider.save(update_fields=["region"])
        version = region_rules(region.pk)
        ShareRequest.objects.filter(provider__in=providers).update(rule_version=version)
        versions.append(version.pk)
    in_use = ShareRequest.objects.values("rule_version").distinct().count()
    five = timed_sweep(today)
    print(f"\n[sharing sweep] {connection.vendor}: {count:,} open requests, "
          f"{PROVIDERS} providers")
    print(describe("one sweep, 1 pack in use", *one))
    print(describe(f"one sweep, {in_use} packs in use (reminder days 3·1, 2·1, 3, 5·2, "
                   f"4·2·1)", *five))
    assert in_use == len(FIVE_PACKS)
    assert one[0] == five[0], "the sweep's query count depends on the packs in use"
