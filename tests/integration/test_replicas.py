"""Read replicas (scale-out): public pages read a real PostgreSQL streaming replica, and a
user who wrote reads the primary for a while (read-your-writes).

``TEST_DATABASE_REPLICA_URL`` names a streaming replica of the ``DATABASE_URL`` server
(``.ci/run`` starts one with ``pg_basebackup``). Replay on the replica is paused during the
test, so whether a page saw the replica or the primary shows in what it lists.
"""

import os
import time

import dj_database_url
import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Resource
from opendata.models import Dataset
from portal.models import Role
from portal.search import search_index_update
from tests.catalog.factories import make_resource
from tests.catalog.test_pages import THREE, entry_post

REPLICA_URL = os.environ.get("TEST_DATABASE_REPLICA_URL", "")
ALIAS = "replica1"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not REPLICA_URL or not os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")),
        reason="needs PostgreSQL with a streaming replica: set TEST_DATABASE_REPLICA_URL"),
    pytest.mark.django_db(transaction=True, databases=["default", ALIAS] if REPLICA_URL
                          else ["default"]),
]
if REPLICA_URL:
    # Declared before the test databases are set up, as a test mirror of ``default`` (never
    # created, migrated or flushed); the fixture points it at the real replica.
    connections.settings[ALIAS] = {**connections.settings["default"],
                                   "TEST": {"MIRROR": "default"}}


def _replica_sql(sql: str, params=()):
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _caught_up() -> None:
    """Wait until the replica has replayed everything the primary wrote so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    while not _replica_sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])[0]:
        assert time.monotonic() < deadline, "the replica does not catch up"
        time.sleep(0.05)


def _pause() -> None:
    _caught_up()
    _replica_sql("SELECT pg_wal_replay_pause()")
    deadline = time.monotonic() + 30
    while _replica_sql("SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _resume() -> None:
    _replica_sql("SELECT pg_wal_replay_resume()")


@pytest.fixture
def replica(settings):
    """The replica as the alias ``replica1`` of the test database, routed as in production."""
    parsed = dj_database_url.parse(REPLICA_URL)
    wrapper = connections[ALIAS]
    wrapper.close()
    wrapper.settings_dict = {**connections["default"].settings_dict, "HOST": parsed["HOST"],
                             "PORT": parsed["PORT"]}
    settings.PORTAL = {**settings.PORTAL, "REPLICA_ALIASES": [ALIAS]}
    assert _replica_sql("SELECT pg_is_in_recovery()")[0], "TEST_DATABASE_REPLICA_URL is no replica"
    try:
        yield ALIAS
    finally:
        _resume()
        wrapper.close()


def _published(department, title: str) -> Dataset:
    resource = make_resource(department, name=title, is_open=True, open_type="unconditional")
    now = timezone.now()
    dataset = Dataset.objects.create(
        name=f"ds-{resource.pk}", resource=resource, publisher=department, title=title,
        description=f"{title}，每日更新。", keywords=["医疗"], theme="health",
        open_type="unconditional", update_cycle="daily", spatial="海南省", status="published",
        first_published_at=now, published_at=now, modified_at=now)
    search_index_update([dataset])
    return dataset


def test_public_search_is_served_by_the_replica(replica, department):
    _published(department, "海口市医疗机构名录")
    _caught_up()
    visitor = Client()
    with CaptureQueriesContext(connections[replica]) as on_replica:
        page = visitor.get(reverse("opendata:search"), {"q": "医疗机构"})
    assert page.status_code == 200 and "海口市医疗机构名录" in page.content.decode()
    assert any("opendata_dataset" in q["sql"] for q in on_replica.captured_queries)

    _pause()
    _published(department, "三亚市医疗机构名录")
    assert Dataset.objects.filter(title="三亚市医疗机构名录").exists()  # on the primary
    body = visitor.get(reverse("opendata:search"), {"q": "医疗机构"}).content.decode()
    assert "海口市医疗机构名录" in body and "三亚市医疗机构名录" not in body  # the replica lags

    _resume()
    _caught_up()
    body = visitor.get(reverse("opendata:search"), {"q": "医疗机构"}).content.decode()
    assert "三亚市医疗机构名录" in body
    # Pages outside the routed set never read the replica, even for a visitor.
    with CaptureQueriesContext(connections[replica]) as on_replica:
        assert visitor.get(reverse("opendata:signup")).status_code == 200
    assert not on_replica.captured_queries


def test_a_clerk_sees_her_own_save_at_once(replica, department, make_user, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    clerk = make_user(department=department, roles=[Role.CLERK], two_factor_exempt=True)
    reviewer = make_user(roles=[Role.CENTER_REVIEWER], two_factor_exempt=True)
    draft = make_resource(department, status=Resource.Status.DRAFT, name="不动产登记信息")
    detail = reverse("catalog:resource_detail", args=[draft.pk])
    clerk_client, reviewer_client = Client(), Client()
    clerk_client.force_login(clerk)
    reviewer_client.force_login(reviewer)
    _pause()

    rows = [{"id": str(i.pk), "name": i.name, "data_type": "string", "length": "50"}
            for i in draft.items.order_by("position")]
    data = entry_post(rows or THREE, name="不动产权属登记信息")
    data["items-INITIAL_FORMS"] = str(len(rows))
    saved = clerk_client.post(reverse("catalog:resource_edit", args=[draft.pk]), data)
    assert saved.status_code == 302 and saved.url == detail
    Resource.objects.get(pk=draft.pk, name="不动产权属登记信息")  # written to the primary

    # The writer reads the primary: her save is there at once …
    with CaptureQueriesContext(connections[replica]) as on_replica:
        assert "不动产权属登记信息" in clerk_client.get(detail).content.decode()
    assert not on_replica.captured_queries
    # … while a reader who wrote nothing is served by the (paused) replica.
    with CaptureQueriesContext(connections[replica]) as on_replica:
        stale = reviewer_client.get(detail).content.decode()
    assert on_replica.captured_queries
    assert "不动产登记信息" in stale and "不动产权属登记信息" not in stale

    _resume()
    _caught_up()
    assert "不动产权属登记信息" in reviewer_client.get(detail).content.decode()
