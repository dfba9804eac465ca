"""National scale (C9, O8): how the catalog pages and CKAN ``package_search`` grow from
100,000 to 1,000,000 registered entries (1,000,000 to 10,000,000 data items).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/catalog_dev make bench PYTEST_ARGS=-k national
    BENCH_NATIONAL=10000,100000 make bench PYTEST_ARGS=-k national      # a quick look

PostgreSQL only. The catalog is grown in place, each step in bulk SQL (``INSERT …
SELECT`` over ``generate_series``, the jieba-segmented search text of every name and
department computed once in Python), with one open dataset per open entry (about 40 %).
At every size in ``BENCH_NATIONAL`` (default ``100000,1000000``) each page is requested
``BENCH_RUNS`` (60) times through the whole Django stack (test client: session,
middleware, view, template or JSON) and its p50/p95 printed; at the end the growth of
each page (p95 at the largest size / p95 at the smallest). Goal: the search page p95
≤ 300 ms at 1,000,000 entries and growth well below the 10× of the data.
"""

import json
import os
import time

import pytest
from django.db import connection
from django.test import Client

from catalog.models import Resource
from opendata.vocab import Licence
from portal.models import Role
from portal.search import segment
from tests.bench.bench_catalog import (
    CLASSIFICATIONS,
    CYCLES,
    FORMATS,
    ITEM_NAMES,
    OPEN_TYPES,
    SEARCH,
    SHARING,
    SUBJECTS,
    SUFFIXES,
    THEMES,
    build_departments,
    percentile,
)
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")), reason="national scale needs PostgreSQL"),
]

SIZES = [int(n) for n in os.environ.get("BENCH_NATIONAL", "100000,1000000").split(",")]
RUNS = int(os.environ.get("BENCH_RUNS", "60"))
ITEMS = 10
CKAN = {"q": "不动产", "rows": "20",
        "facet.field": json.dumps(["organization", "groups", "license_id"])}
DATASET_THEMES = ["health", "transport", "education", "market_supervision", "ecology",
                  "tourism", "social_security", "urban_construction", "real_estate", "economy"]


def _pick(array: str, salt: int) -> str:
    """SQL choosing one element of ``array`` per row, pseudo-randomly and reproducibly."""
    return f"({array})[1 + abs(hashint4(g * 31 + {salt})) %% cardinality({array})]"


def grow(start: int, end: int, departments, vocabulary) -> None:
    """Entries ``start+1 … end`` (registered), their items and open datasets, in SQL."""
    names, name_tokens, item_tokens, dept_ids, dept_tokens = vocabulary
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO catalog_resource (
                id, code, name, provider_id, classification, theme, summary, format,
                format_subtype, subjects, locality, sharing_type, sharing_conditions,
                sharing_method, usage_requirements, legal_basis_kind, legal_basis, update_cycle,
                is_open, open_type, open_conditions, is_disclosure, security_level,
                publication_date, contact_name, contact_phone, contact_email, status,
                review_warnings, review_comment, review_round, submitted_at, registered_at,
                retire_reason, created_at, updated_at, search_text, search_vector)
            SELECT g, '3-N' || lpad(g::text, 9, '0'), n.name, d.id, c.classification,
                   CASE c.classification WHEN 'foundational' THEN {_pick('%(found)s::text[]', 3)}
                        WHEN 'thematic' THEN {_pick('%(thematic)s::text[]', 4)} ELSE '' END,
                   n.name || '的登记和变更记录', {_pick('%(formats)s::text[]', 5)}, '', '[]', '海南省',
                   s.sharing, CASE s.sharing WHEN 'conditional' THEN '限履职使用' ELSE '' END,
                   CASE s.sharing WHEN 'not_shared' THEN '[]' ELSE '["online_query"]' END::jsonb,
                   '', CASE s.sharing WHEN 'unconditional' THEN '' ELSE 'law' END,
                   CASE s.sharing WHEN 'unconditional' THEN '' ELSE '《某法》第十条' END,
                   {_pick('%(cycles)s::text[]', 6)}, o.open_type <> 'not_open', o.open_type, '',
                   abs(hashint4(g * 31 + 7)) %% 20 = 0, 'internal', now()::date, '联系人',
                   '0898-66000000', '', 'registered', '[]', '', 1, now(),
                   now() - g * interval '1 second', '', now(), now() - g * interval '1 second',
                   n.tokens || ' ' || %(items)s || ' ' || d.tokens,
                   to_tsvector('simple', n.tokens || ' ' || %(items)s || ' ' || d.tokens)
            FROM generate_series(%(start)s + 1, %(end)s) g
            CROSS JOIN LATERAL (SELECT (%(names)s::text[])[1 + abs(hashint4(g)) %% cardinality(%(names)s::text[])]
                                AS name, (%(ntokens)s::text[])[1 + abs(hashint4(g)) %% cardinality(%(names)s::text[])]
                                AS tokens) n
            CROSS JOIN LATERAL (SELECT (%(dept_ids)s::bigint[])[1 + g %% cardinality(%(dept_ids)s::bigint[])] AS id,
                                (%(dept_tokens)s::text[])[1 + g %% cardinality(%(dept_ids)s::bigint[])] AS tokens) d
            CROSS JOIN LATERAL (SELECT {_pick('%(classes)s::text[]', 1)} AS classification) c
            CROSS JOIN LATERAL (SELECT {_pick('%(sharing)s::text[]', 2)} AS sharing) s
            CROSS JOIN LATERAL (SELECT {_pick('%(open)s::text[]', 8)} AS open_type) o
        """, {
            "start": start, "end": end, "names": names, "ntokens": name_tokens,
            "items": item_tokens, "dept_ids": dept_ids, "dept_tokens": dept_tokens,
            "classes": CLASSIFICATIONS, "sharing": SHARING, "open": OPEN_TYPES,
            "formats": FORMATS, "cycles": CYCLES, "found": THEMES["foundational"],
            "thematic": THEMES["thematic"]})
        cursor.execute("""
            INSERT INTO catalog_dataitem (id, resource_id, position, name, field_name, data_type,
                length, description, sensitivity, sharing_type, is_key, is_base, retired)
            SELECT (r - 1) * %(items)s + p, r, p,
                   (%(names)s::text[])[1 + (r + p) %% cardinality(%(names)s::text[])], '', 'string', 50, '',
                   'none', '', p = 1, false, false
            FROM generate_series(%(start)s + 1, %(end)s) r, generate_series(1, %(items)s) p
        """, {"start": start, "end": end, "items": ITEMS, "names": ITEM_NAMES})
        cursor.execute("""
            INSERT INTO opendata_dataset (
                step_seq, search_text, search_vector, uuid, name, resource_id, publisher_id,
                title, description, keywords, theme, licence, open_type, open_conditions,
                update_cycle, spatial, contact_name, contact_phone, contact_email, status,
                review_comment, withdraw_reason, created_at, updated_at, data_status,
                data_error, data_file, data_columns, view_count, download_count,
                api_call_count, rating_count, rating_total, first_published_at, published_at,
                modified_at)
            SELECT 0, r.search_text, r.search_vector, gen_random_uuid(), 'n-' || r.id, r.id,
                   r.provider_id, r.name, r.summary, '[]', (%(themes)s::text[])[1 + r.id %% 10],
                   %(licence)s, r.open_type, '', r.update_cycle, '海南省', '', '', '',
                   'published', '', '', now(), now(), 'none', '', '', '[]', r.id %% 5000, 0, 0,
                   0, 0, r.registered_at, r.registered_at, r.updated_at
            FROM catalog_resource r WHERE r.id > %(start)s AND r.id <= %(end)s AND r.is_open
        """, {"start": start, "end": end, "themes": DATASET_THEMES,
              "licence": Licence.values[0]})
        for table in ("catalog_resource", "catalog_dataitem", "opendata_dataset"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
            cursor.execute(f"VACUUM ANALYZE {table}")


def vocabulary(departments):
    names = [s + x for s in SUBJECTS for x in SUFFIXES]
    return (names, [segment([n]) for n in names], segment(ITEM_NAMES),
            [d.pk for d in departments], [segment([d.name, d.short_name]) for d in departments])


def measure(fn) -> list[float]:
    fn()
    out = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


# Transactional: VACUUM cannot run inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_bench_national_scale(settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    departments = build_departments()
    words = vocabulary(departments)
    clerk = UserFactory(department=departments[7], roles=[Role.CLERK], two_factor_exempt=True)
    staff, public = Client(), Client()
    staff.force_login(clerk)
    pages = {
        "search page (text + 2 facets)": lambda: staff.get("/catalog/", SEARCH),
        "department page": lambda: staff.get("/catalog/mine/"),
        "CKAN package_search (3 facets)": lambda: public.get("/api/3/action/package_search",
                                                            CKAN),
    }
    results: dict[str, dict[int, list[float]]] = {name: {} for name in pages}
    loaded = 0
    print()
    for size in SIZES:
        start = time.perf_counter()
        grow(loaded, size, departments, words)
        loaded = size
        entries = Resource.objects.count()
        print(f"[national] {entries:,} entries, {entries * ITEMS:,} items, "
              f"{Resource.objects.filter(provider=departments[7]).count():,} of them the "
              f"clerk's department's; grown in "
              f"{time.perf_counter() - start:.0f} s")
        for name, page in pages.items():
            response = page()
            assert response.status_code == 200, (name, response.status_code)
            results[name][size] = times = measure(page)
            print(f"[national]   {name:<32} p50 {percentile(times, 50):7.1f} ms   "
                  f"p95 {percentile(times, 95):7.1f} ms")
    small, large = SIZES[0], SIZES[-1]
    print(f"[national] growth from {small:,} to {large:,} entries ({large / small:.0f}× the data):")
    for name, by_size in results.items():
        print(f"[national]   {name:<32} p50 {percentile(by_size[large], 50) / percentile(by_size[small], 50):5.2f}×"
              f"   p95 {percentile(by_size[large], 95) / percentile(by_size[small], 95):5.2f}×")
