"""O8: the standard CKAN client, ``ckanapi``, unmodified — its CLI and ``RemoteCKAN`` —
against a live server, and the calls ckanext-harvest's CKAN harvester makes.

``ckanapi`` calls ``/api/action/<name>`` (POST with a JSON body, or GET with ``-g`` /
``get_only``); harvesters call ``/api/3/action/<name>`` with GET. Both are served.
"""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import ckanapi
import httpx
import pytest
from django.utils import timezone

from catalog.models import OpenType
from opendata.models import Dataset

pytestmark = pytest.mark.django_db(transaction=True)

CKANAPI = str(Path(sys.executable).with_name("ckanapi"))


@pytest.fixture
def site(live_server, publish, open_resource, settings):
    settings.OPENDATA = {**settings.OPENDATA, "THROTTLE_RATES": {"api_anon": "100000/min"}}
    estate = publish(keywords="不动产，登记")
    clinics = publish(open_type=OpenType.CONDITIONAL, resource=open_resource(
        open_type=OpenType.CONDITIONAL, name="医疗机构执业许可信息", theme="health",
        summary="医疗机构名称、执业地点。"))
    waste = publish(keywords="医疗废物", resource=open_resource(
        name="医疗废物处置信息", theme="health", summary="医疗废物集中处置单位名单。"))
    return live_server.url, estate, clinics, waste


def cli(url: str, *args: str) -> str:
    # ``dump`` starts its workers as ``ckanapi`` from PATH.
    env = {**os.environ, "PATH": f"{Path(CKANAPI).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([CKANAPI, *args, "-r", url], capture_output=True, text=True,
                          timeout=60, check=False, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("get_only", [False, True], ids=["post", "get"])
def test_o8_remote_ckan_catalog_calls(site, department, get_only):
    url, estate, clinics, waste = site
    org = department.uscc.lower()
    with ckanapi.RemoteCKAN(url, get_only=get_only) as ckan:
        assert sorted(ckan.action.package_list()) == sorted(
            d.name for d in (estate, clinics, waste))
        found = ckan.action.package_search(q="医疗")
        assert {r["name"] for r in found["results"]} == {clinics.name, waste.name}
        titled = ckan.action.package_search(q="title:医疗")
        assert titled["count"] == 2
        assert ckan.action.package_search(q="title:医疗 AND groups:health",
                                          fq="tags:医疗废物")["count"] == 1
        assert [r["name"] for r in ckan.action.package_search(fq="-groups:health")[
            "results"]] == [estate.name]
        ordered = [r["name"] for r in ckan.action.package_search(sort="name asc")["results"]]
        assert ordered == sorted(ordered) and len(ordered) == 3
        pages = [ckan.action.package_search(sort="name asc", rows=1, start=i)["results"][0][
            "name"] for i in range(3)]
        assert pages == ordered
        faceted = ckan.action.package_search(
            rows=0, **{"facet.field": ["organization", "groups", "tags", "res_format"],
                       "facet.limit": 10})
        assert faceted["facets"]["groups"] == {"health": 2, "real_estate": 1}
        assert faceted["facets"]["organization"] == {org: 3}
        assert faceted["search_facets"]["tags"]["items"]
        shown = ckan.action.package_show(id=estate.name)
        assert shown["title"] == estate.title and shown["num_resources"] == 4
        assert ckan.action.organization_list() == [org]
        assert ckan.action.organization_list(all_fields=True)[0]["package_count"] == 3
        assert len(ckan.action.organization_show(id=org, include_datasets=True)[
            "packages"]) == 3
        assert sorted(ckan.action.group_list()) == ["health", "real_estate"]
        assert set(ckan.action.tag_list()) >= {"不动产", "登记", "医疗废物"}
        assert {lic["id"] for lic in ckan.action.license_list()} >= {"cc-by-4.0"}
        assert ckan.action.status_show()["ckan_version"].startswith("2.")
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id="no-such-dataset")
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_show()
        with pytest.raises(ckanapi.SearchQueryError):
            ckan.action.package_search(fq="nonsense:1")


def test_o8_remote_ckan_datastore_search(site):
    url, estate, clinics, _waste = site
    resource_id = str(estate.distributions.get(format="csv").uuid)
    with ckanapi.RemoteCKAN(url) as ckan:
        page = ckan.action.datastore_search(resource_id=resource_id, limit=2, offset=1)
        assert page["total"] == 3 and [r["_id"] for r in page["records"]] == [2, 3]
        filtered = ckan.action.datastore_search(resource_id=resource_id,
                                                filters={"district": "龙华区"})
        assert [r["district"] for r in filtered["records"]] == ["龙华区"]
        assert ckan.action.datastore_search(resource_id=resource_id, q="秀英")["total"] == 1
        as_list = ckan.action.datastore_search(resource_id=resource_id,
                                               fields=["district", "area"], sort="area desc")
        as_text = ckan.action.datastore_search(resource_id=resource_id,
                                               fields="district,area", sort="area desc")
        assert as_list["records"] == as_text["records"]
        assert [r["area"] for r in as_list["records"]] == [120.5, 88.0, 64.2]
        assert set(as_list["records"][0]) == {"_id", "district", "area"}
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.datastore_search(resource_id=resource_id, fields=["nope"])
        hidden = str(clinics.distributions.get(format="api").uuid)
        with pytest.raises(ckanapi.NotFound):
            ckan.action.datastore_search(resource_id=hidden)


def test_o8_ckanapi_cli_action_search_and_dump(site, tmp_path):
    url, estate, _clinics, waste = site
    found = json.loads(cli(url, "action", "package_search", "q=title:医疗", "-j"))
    assert found["count"] == 2, found
    got = json.loads(cli(url, "action", "package_search", "fq=groups:health",
                         'facet.field:["groups"]', "rows:0", "-j", "-g"))
    assert got["facets"] == {"groups": {"health": 2}}
    lines = cli(url, "search", "datasets", "q=不动产").strip().splitlines()
    assert [json.loads(line)["name"] for line in lines] == [estate.name]
    out = tmp_path / "dump.jsonl"
    cli(url, "dump", "datasets", "--all", "-O", str(out), "-q")
    dumped = [json.loads(line) for line in out.read_text().splitlines()]
    assert {d["name"] for d in dumped} == set(Dataset.objects.values_list("name", flat=True))
    resource_id = str(waste.distributions.get(format="json").uuid)
    records = json.loads(cli(url, "action", "datastore_search", f"resource_id={resource_id}",
                             'fields:["district"]', "limit:1", "-j"))["records"]
    assert records == [{"_id": 1, "district": records[0]["district"]}]


def test_o8_ckan_harvester_incremental_calls(site):
    """What ckanext-harvest's CKAN harvester sends: GET /api/3/action/package_search with
    ``sort=id asc``, ``rows``/``start`` paging, and after a first run ``fq`` with a
    ``metadata_modified`` range since the last run."""
    url, estate, clinics, waste = site
    since = timezone.now()
    Dataset.objects.filter(pk=waste.pk).update(modified_at=since + timedelta(minutes=5))
    Dataset.objects.exclude(pk=waste.pk).update(modified_at=since - timedelta(days=2))
    endpoint = f"{url}/api/3/action/package_search"
    seen = []
    for start in (0, 2):
        body = httpx.get(endpoint, params={"rows": "2", "start": str(start),
                                           "sort": "id asc"}).json()
        assert body["success"] is True
        seen += [r["id"] for r in body["result"]["results"]]
    assert seen == sorted(str(d.uuid) for d in (estate, clinics, waste))
    stamp = (since - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    changed = httpx.get(endpoint, params={
        "fq": f"metadata_modified:[{stamp}Z TO *]", "rows": "100", "start": "0",
        "sort": "id asc"}).json()["result"]
    assert [r["name"] for r in changed["results"]] == [waste.name]
    before = httpx.get(endpoint, params={
        "fq": f"metadata_modified:[* TO {stamp}Z] AND groups:health"}).json()["result"]
    assert [r["name"] for r in before["results"]] == [clinics.name]
    bad = httpx.get(endpoint, params={"fq": "metadata_modified:[yesterday TO *]"})
    assert bad.status_code == 409
    assert bad.json()["error"]["__type"] == "Search Query Error"


def test_o8_both_action_paths_answer_with_the_ckan_envelope(site):
    url, estate, _clinics, _waste = site
    for path in ("/api/action/", "/api/3/action/"):
        ok = httpx.post(f"{url}{path}package_show", json={"id": estate.name})
        assert ok.status_code == 200 and ok.json()["result"]["name"] == estate.name
        unknown = httpx.get(f"{url}{path}package_create")
        assert unknown.status_code == 400
        assert unknown.json() | {"help": ""} == {
            "help": "", "success": False,
            "error": {"__type": "Bad request - Action name not known",
                      "message": "Bad request - Action name not known: package_create"}}
        missing = httpx.get(f"{url}{path}package_show", params={"id": "nope"})
        assert missing.status_code == 404
        assert missing.json()["error"]["__type"] == "Not Found Error"
        broken = httpx.post(f"{url}{path}package_search", content=b"[1, 2]",
                            headers={"Content-Type": "application/json"})
        assert broken.status_code == 400 and broken.json()["success"] is False
