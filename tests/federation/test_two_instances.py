"""O8 and the cascade, end to end between TWO instances of the portal: a city (lower)
and a province (upper), each its own gunicorn server on 127.0.0.1 with its own database.

The province harvests the city's open data through the city's CKAN API (kind "portal")
and pulls the city's registered catalog over the government-only cascade endpoint with a
token the city issued; then the city retires an entry, revises another and withdraws
its open dataset, and the province's next pull shows all three. The province's own pages
and API show the results: the harvested dataset with its origin, the cascaded entries in
its platform catalog search, and an application for one refused with the origin's link.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    """One portal: its own SQLite database, media and work directories, and server."""

    def __init__(self, name: str, base: Path, template: Path) -> None:
        self.dir = base / name
        self.dir.mkdir()
        db = self.dir / "db.sqlite3"
        shutil.copy(template, db)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**_env(db), "PORTAL_MEDIA_ROOT": str(self.dir / "media"),
                    "PORTAL_DATA_WORK_DIR": str(self.dir / "work"),
                    "OPENDATA_BASE_URL": self.url}
        self.server = None

    def run(self, step: str, *args: str) -> dict:
        call = f"from tests.federation.instance import {step}; {step}(*{list(args)!r})"
        done = subprocess.run([sys.executable, "manage.py", "shell", "-c", call], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=300,
                              check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        return json.loads(line.removeprefix("RESULT "))

    def start(self) -> None:
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", "1", "--threads", "4", "--timeout", "120"], cwd=ROOT, env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/robots.txt", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.url} did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)


def _env(db: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DATABASE_REPLICA_URLS",
                        "PORTAL_STORAGE_URL")}
    env.update({"DATABASE_URL": f"sqlite:///{db}", "DJANGO_SECRET_KEY": "federation-test",
                "PORTAL_HTTPS": "0", "PORTAL_STATIC_MANIFEST": "0",
                "CELERY_TASK_ALWAYS_EAGER": "1", "OPENDATA_API_ANON_RATE": "10000/min",
                "PORTAL_LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "portal.settings"})
    return env


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    base = tmp_path_factory.mktemp("federation")
    template = base / "migrated.sqlite3"
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT,
                          env=_env(template), capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    city, province = Instance("city", base, template), Instance("province", base, template)
    try:
        city.start()
        province.start()
        yield city, province
    finally:
        city.stop()
        province.stop()


def test_harvest_and_cascade_between_two_instances(instances):
    city, province = instances
    seeded = city.run("seed_lower")
    # The cascade endpoint is for government accounts only.
    endpoint = f"{city.url}/api/v1/catalog/cascade/entries/"
    assert httpx.get(endpoint).status_code == 401
    page = httpx.get(endpoint, params={"limit": 1},
                     headers={"Authorization": f"Token {seeded['token']}"}).json()
    assert len(page["results"]) == 1 and page["next"]

    registered = province.run("upper_register", city.url, seeded["token"])
    first = province.run("upper_pull")
    assert first["job"] == {"status": "done", "created": 1, "updated": 0, "withdrawn": 0,
                            "reason": ""}
    assert first["run"]["status"] == "done" and first["run"]["created"] == 2
    [harvested] = first["harvested"]
    assert harvested["title"] == "不动产登记信息" and harvested["origin_url"].startswith(city.url)
    assert [(e["code"], e["status"], e["provider"], e["region"]) for e in first["entries"]] == [
        ("3-CITY-00001", "registered", "示范市自然资源局", "示范市"),
        ("3-CITY-00002", "registered", "示范市自然资源局", "示范市")]
    assert first["entries"][0]["items"] == 6
    assert first["entries"][0]["origin"].startswith(city.url)

    # The province's own faces show them: the public harvested list, and the platform
    # catalog's search for its government users (with the city's department as a facet).
    listing = httpx.get(f"{province.url}/open/harvested/", params={"q": "不动产"}).text
    assert "不动产登记信息" in listing and "示范市开放平台" in listing
    search = httpx.get(f"{province.url}/api/v1/catalog/resources/",
                       params={"search": "规划许可"},
                       headers={"Authorization": f"Token {registered['token']}"}).json()
    assert [r["code"] for r in search["results"]] == ["3-CITY-00002"]

    # Changes at the origin reach the province at its next pull, and nothing doubles.
    city.run("change_lower")
    second = province.run("upper_pull")
    assert (second["job"]["updated"], second["job"]["withdrawn"], second["job"]["created"]) \
        == (0, 1, 0)
    assert second["harvested"][0]["status"] == "withdrawn"
    assert (second["run"]["created"], second["run"]["updated"], second["run"]["retired"]) \
        == (0, 1, 1)
    assert [(e["code"], e["status"]) for e in second["entries"]] == [
        ("3-CITY-00001", "registered"), ("3-CITY-00002", "retired")]
    assert second["entries"][0]["summary"] == "不动产登记信息（2026 年修订）"
