"""Benchmark of the catalog pages (C9): the platform-wide search (Chinese text + two facets,
first page) and a department's catalog page, against the bare SQL of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/catalog_dev make bench PYTEST_ARGS=-k catalog
    BENCH_SCALE=0.01 .venv/bin/python -m pytest tests/bench -o python_files='bench_*.py' -s -k catalog

At ``BENCH_SCALE=1`` (the default on PostgreSQL) the catalog holds 100,000 registered
entries with 1,000,000 data items across 200 departments, written with ``COPY``; on SQLite
the default scale is 0.01. Each page is measured ``RUNS`` times four ways: through the whole
Django stack (session, middleware, view, template); its data alone (the selector calls
the view makes, materialised); the bare hand-written SQL of the page's rows; and the bare
SQL of everything the page shows (rows, their items, total and facet counts). Prints
p50/p95 of each, the p95 ratios, and the number of SQL queries of each page at the full
size and on a small catalog (they must be equal).
"""

import json
import os
import random
import statistics
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import DataItem, Resource
from catalog.selectors import (
    CatalogQuery,
    KnownCountPaginator,
    catalog_search,
    department_catalog_list,
    department_status_counts,
)
from portal.models import Department, Region, Role
from portal.search import search_vectors_rebuild, segment
from portal.validators import uscc_check_digit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
SCALE = float(os.environ.get("BENCH_SCALE", "1" if POSTGRES else "0.01"))
DEPARTMENTS = 200
RESOURCES = max(int(100_000 * SCALE), DEPARTMENTS)
ITEMS_PER_RESOURCE = 10
RUNS = int(os.environ.get("BENCH_RUNS", "60"))
SEARCH = {"q": "不动产", "classification": "departmental", "sharing_type": "unconditional"}

SUBJECTS = ["不动产登记", "人口基础", "营业执照", "医疗机构执业", "社会保险参保", "企业年报",
            "道路运输许可", "食品经营许可", "建设工程规划许可", "排污许可", "学籍", "婚姻登记",
            "住房公积金缴存", "机动车登记", "税务登记", "药品经营许可", "林权登记", "渔业捕捞许可",
            "特种设备登记", "养老服务机构", "残疾人证", "低保救助", "建筑企业资质", "执业医师注册",
            "律师执业", "农机购置补贴", "水利工程", "气象观测", "统计调查", "专利授权"]
SUFFIXES = ["信息", "数据", "台账", "名录", "记录"]
ITEM_NAMES = ["姓名", "公民身份号码", "统一社会信用代码", "单位名称", "登记日期", "坐落", "面积",
              "权利人", "证照编号", "有效期", "发证机关", "联系电话", "地址", "类别", "状态",
              "金额", "审批结果", "经办人", "备注", "项目编码"]
CLASSIFICATIONS = ["departmental"] * 6 + ["thematic"] * 3 + ["foundational"]
SHARING = ["unconditional"] * 6 + ["conditional"] * 3 + ["not_shared"]
FORMATS = ["database", "spreadsheet", "electronic_file", "service_interface", "image"]
CYCLES = ["realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "irregular"]
OPEN_TYPES = ["not_open"] * 3 + ["unconditional", "conditional"]
THEMES = {"foundational": ["population", "legal_entity", "real_estate"],
          "thematic": ["health", "social_security", "market_supervision", "transport"],
          "departmental": [""]}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn, runs: int = RUNS) -> list[float]:
    fn()  # warm caches once
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def build_departments() -> list[Department]:
    region, _ = Region.objects.get_or_create(code="460000", defaults={"name": "海南省", "level": "province"})
    rows = []
    for n in range(DEPARTMENTS):
        first17 = f"11460000MD{n:07d}"
        rows.append(Department(name=f"基准厅局{n}", short_name=f"基准{n}",
                               uscc=first17 + uscc_check_digit(first17), region=region))
    return Department.objects.bulk_create(rows)


class _Vocabulary:
    """Segmented search text per name and provider, computed once (jieba is the slow part)."""

    def __init__(self, departments):
        self.names = [s + x for s in SUBJECTS for x in SUFFIXES]
        self.name_tokens = {n: segment([n]) for n in self.names}
        self.item_tokens = segment(ITEM_NAMES)
        self.dept_tokens = {d.pk: segment([d.name, d.short_name]) for d in departments}


def resource_rows(departments, rng):
    vocab = _Vocabulary(departments)
    now = timezone.now()
    for pk in range(1, RESOURCES + 1):
        department = departments[pk % DEPARTMENTS]
        name = vocab.names[rng.randrange(len(vocab.names))]
        classification = rng.choice(CLASSIFICATIONS)
        sharing = rng.choice(SHARING)
        open_type = rng.choice(OPEN_TYPES)
        yield {
            "id": pk, "code": f"3-{department.organisation_code}-{pk:06d}", "name": name,
            "provider_id": department.pk, "classification": classification,
            "theme": rng.choice(THEMES[classification]), "summary": f"{name}的登记和变更记录",
            "format": rng.choice(FORMATS), "format_subtype": "", "subjects": "[]",
            "locality": "海南省", "sharing_type": sharing,
            "sharing_conditions": "限履职使用" if sharing == "conditional" else "",
            "sharing_method": json.dumps(["online_query"] if sharing != "not_shared" else []),
            "usage_requirements": "", "legal_basis_kind": "law" if sharing != "unconditional" else "",
            "legal_basis": "《某法》第十条" if sharing != "unconditional" else "",
            "update_cycle": rng.choice(CYCLES), "is_open": open_type != "not_open",
            "open_type": open_type, "open_conditions": "", "is_disclosure": rng.random() < 0.05,
            "security_level": "internal", "publication_date": now.date(),
            "contact_name": "联系人", "contact_phone": "0898-66000000", "contact_email": "",
            "status": "registered", "review_warnings": "[]", "review_comment": "", "review_round": 1,
            "submitted_at": now, "registered_at": now - timedelta(seconds=pk), "retire_reason": "",
            "created_at": now, "updated_at": now - timedelta(seconds=pk),
            "search_text": " ".join((vocab.name_tokens[name], vocab.item_tokens,
                                     vocab.dept_tokens[department.pk])),
        }


def item_rows():
    pk = 0
    for resource_id in range(1, RESOURCES + 1):
        for position in range(1, ITEMS_PER_RESOURCE + 1):
            pk += 1
            yield {"id": pk, "resource_id": resource_id, "position": position,
                   "name": ITEM_NAMES[(resource_id + position) % len(ITEM_NAMES)],
                   "field_name": "", "data_type": "string", "length": 50, "description": "",
                   "sensitivity": "none", "sharing_type": "", "is_key": position == 1,
                   "is_base": False, "retired": False}


def copy_rows(model, rows) -> None:
    """COPY on PostgreSQL (fast), bulk_create elsewhere; explicit ids, sequence reset."""
    rows = iter(rows)
    first = next(rows)
    columns = list(first)
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write_row([first[c] for c in columns])
                for row in rows:
                    copy.write_row([row[c] for c in columns])
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        return
    batch = [first]
    for row in rows:
        batch.append(row)
        if len(batch) >= 5000:
            model.objects.bulk_create([model(**_model_values(model, r)) for r in batch])
            batch = []
    if batch:
        model.objects.bulk_create([model(**_model_values(model, r)) for r in batch])


def _model_values(model, row):
    out = dict(row)
    for name in ("subjects", "sharing_method", "review_warnings"):
        if name in out:
            out[name] = json.loads(out[name])
    return out


@pytest.fixture(scope="module")
def catalog(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        start = time.perf_counter()
        departments = build_departments()
        rng = random.Random(2026)
        copy_rows(Resource, resource_rows(departments, rng))
        copy_rows(DataItem, item_rows())
        search_vectors_rebuild(Resource)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The search-vector UPDATE left a dead copy of every row behind.
                cursor.execute("VACUUM FULL ANALYZE catalog_resource")
                cursor.execute("ANALYZE catalog_dataitem")
        department = departments[7]
        clerk = UserFactory(department=department, roles=[Role.CLERK])
        print(f"\n[catalog] {RESOURCES:,} entries, {RESOURCES * ITEMS_PER_RESOURCE:,} items, "
              f"{DEPARTMENTS} departments on {connection.vendor}; loaded in "
              f"{time.perf_counter() - start:.1f}s")
        # The test database is dropped at the end of the session; deleting a million rows
        # through the ORM would also write a million history rows.
        yield {"department": department, "clerk": clerk}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bare(sql: str, params: list):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    return run


SEARCH_SQL_PG = """
SELECT r.id, r.code, r.name, r.summary, r.classification, r.theme, r.sharing_type, r.format,
       r.update_cycle, r.open_type, d.name
FROM catalog_resource r JOIN portal_department d ON d.id = r.provider_id
WHERE r.status = 'registered' AND r.classification = %s AND r.sharing_type = %s
  AND r.search_vector @@ to_tsquery('simple', %s)
ORDER BY r.registered_at DESC, r.id DESC LIMIT 20
"""
SEARCH_SQL_LITE = SEARCH_SQL_PG.replace("r.search_vector @@ to_tsquery('simple', %s)",
                                        "r.search_text LIKE '%%' || %s || '%%'")
# The facet counts and total of the same rows, hand-written (PostgreSQL).
FACETS_SQL_PG = """
SELECT provider_id, classification, theme, sharing_type, format, update_cycle, open_type, COUNT(*)
FROM catalog_resource
WHERE status = 'registered' AND classification = %s AND sharing_type = %s
  AND search_vector @@ to_tsquery('simple', %s)
GROUP BY GROUPING SETS ((provider_id), (classification), (theme), (sharing_type), (format),
                        (update_cycle), (open_type), ())
"""
ITEMS_SQL = "SELECT resource_id, name FROM catalog_dataitem WHERE NOT retired AND resource_id IN ({}) ORDER BY resource_id, position"
DEPARTMENT_SQL = """
SELECT r.id, r.code, r.name, r.classification, r.sharing_type, r.status, r.updated_at
FROM catalog_resource r
WHERE r.provider_id = %s AND r.status <> 'applied'
ORDER BY r.updated_at DESC, r.id DESC LIMIT 25
"""


def summary(values: list[float]) -> str:
    return f"p50 {statistics.median(values):.2f} ms, p95 {percentile(values, 95):.2f} ms"


def ratio(a: list[float], b: list[float]) -> str:
    return f"{percentile(a, 95) / percentile(b, 95):.1f}×"


def report(title: str, *, http: list[float], data: list[float], rows: list[float],
           full: list[float], queries: int) -> None:
    """``http``: the page through the whole stack; ``data``: the page's selector calls,
    materialised; ``rows``: bare SQL of the page's rows; ``full``: bare SQL of everything
    the page shows (rows, their items, counts, facets)."""
    print(f"[catalog] {title} ({queries} SQL queries per page)\n"
          f"[catalog]   HTTP page            {summary(http)}\n"
          f"[catalog]   page data (ORM)      {summary(data)}\n"
          f"[catalog]   bare SQL, rows       {summary(rows)}\n"
          f"[catalog]   bare SQL, all data   {summary(full)}\n"
          f"[catalog]   p95 ratios: page data / bare all data {ratio(data, full)}, "
          f"page data / bare rows {ratio(data, rows)}, HTTP / bare rows {ratio(http, rows)}")


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_bench_catalog_pages(catalog, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    client = client_for(catalog["clerk"])
    department = catalog["department"]

    def search_page():
        response = client.get("/catalog/", SEARCH)
        assert response.status_code == 200
        return response

    def department_page():
        response = client.get("/catalog/mine/")
        assert response.status_code == 200
        return response

    body = search_page().content.decode()
    assert "已注册资源" in body
    postgres = connection.vendor == "postgresql"
    term = ["departmental", "unconditional", "不动产:*" if postgres else "不动产"]
    search_rows = bare(SEARCH_SQL_PG if postgres else SEARCH_SQL_LITE, term)
    assert search_rows(), "the benchmark query must match rows"
    facet_bare = bare(FACETS_SQL_PG, term) if postgres else None

    def search_all():
        rows = search_rows()
        if facet_bare is not None:
            facet_bare()
        bare(ITEMS_SQL.format(",".join(str(r[0]) for r in rows)), [])()

    query = CatalogQuery(q=SEARCH["q"], filters={"classification": [SEARCH["classification"]],
                                                  "sharing_type": [SEARCH["sharing_type"]]})

    def search_data():
        catalog_search(query)  # evaluates the page's rows and their item names

    dept_rows = bare(DEPARTMENT_SQL, [department.pk])

    def dept_all():
        rows = dept_rows()
        bare("SELECT status, COUNT(*) FROM catalog_resource WHERE provider_id = %s GROUP BY status",
             [department.pk])()
        bare("SELECT resource_id, COUNT(*) FROM catalog_dataitem WHERE NOT retired AND resource_id IN ({}) "
             "GROUP BY resource_id".format(",".join(str(r[0]) for r in rows)), [])()

    def dept_data():  # what the view asks: status counts (which give the total), first page
        counts = department_status_counts(department.pk)
        list(KnownCountPaginator(department_catalog_list(department.pk), 25,
                                 count=sum(counts.values())).get_page(1).object_list)

    search_queries = count_queries(search_page)
    rare_queries = count_queries(lambda: client.get("/catalog/", {**SEARCH, "q": "专利授权记录"}))
    dept_queries = count_queries(department_page)
    report("platform search (text + 2 facets, first page)", http=timed(search_page),
           data=timed(search_data), rows=timed(search_rows), full=timed(search_all),
           queries=search_queries)
    report("department catalog page", http=timed(department_page), data=timed(dept_data),
           rows=timed(dept_rows), full=timed(dept_all), queries=dept_queries)

    # The same pages on a small catalog run exactly as many queries.
    small = Department.objects.exclude(pk=department.pk).first()
    small_user = UserFactory(department=small, roles=[Role.CLERK])
    keep = list(Resource.objects.filter(provider=small).order_by("pk").values_list("pk", flat=True)[:3])
    with connection.cursor() as cursor:  # raw: no history rows for benchmark fixtures
        cursor.execute("DELETE FROM catalog_dataitem WHERE resource_id IN (SELECT id FROM catalog_resource "
                       "WHERE provider_id = %s AND NOT id = ANY(%s))" if connection.vendor == "postgresql" else
                       "DELETE FROM catalog_dataitem WHERE resource_id IN (SELECT id FROM catalog_resource "
                       "WHERE provider_id = %s AND id NOT IN (%s, %s, %s))",
                       [small.pk, keep] if connection.vendor == "postgresql" else [small.pk, *keep])
        cursor.execute("DELETE FROM catalog_resource WHERE provider_id = %s AND NOT (id IN (%s, %s, %s))",
                       [small.pk, *keep])
    small_client = client_for(small_user)
    small_dept = count_queries(lambda: small_client.get("/catalog/mine/"))
    print(f"[catalog] queries per page: department page {dept_queries} (3 entries: {small_dept}), "
          f"search {search_queries} (rare term: {rare_queries})")
    assert small_dept == dept_queries and rare_queries == search_queries
