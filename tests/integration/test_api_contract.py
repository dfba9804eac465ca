"""The OpenAPI description is the API's contract (API.md), checked from outside.

schemathesis — an independent client that reads only ``/api/schema/`` — runs a bounded,
seeded pass over every operation of the real portal served by gunicorn on the test's
PostgreSQL database with the demo data loaded, once as a department's data
administrator (API token) and once anonymously. Any 5xx, undocumented status code or
content type, or response that violates its schema fails the test. The figures (cases
run, failures) are printed.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.core.management import call_command
from django.db import connection

from portal.models import User
from portal.services.tokens import token_create
from tests.integration.conftest import free_port, needs_postgres

pytestmark = [pytest.mark.integration, needs_postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,response_headers_conformance")
EXAMPLES = os.environ.get("PORTAL_CONTRACT_EXAMPLES", "4")
SEED = os.environ.get("PORTAL_CONTRACT_SEED", "20261204")
UNTHROTTLED = {name: "100000/min" for name in (
    "PORTAL_ANON_RATE", "PORTAL_TOKEN_RATE", "PORTAL_DATA_TOKEN_RATE",
    "OPENDATA_API_ANON_RATE", "OPENDATA_API_TOKEN_RATE", "OPENDATA_DOWNLOAD_ANON_RATE",
    "OPENDATA_DOWNLOAD_TOKEN_RATE", "OPENDATA_PAGE_ANON_RATE", "OPENDATA_PAGE_TOKEN_RATE")}
UNTHROTTLED.update(OPENDATA_FORM_ANON_RATE="100000/hour", OPENDATA_FORM_TOKEN_RATE="100000/hour")


@pytest.fixture
def portal_server(settings, tmp_path):
    """gunicorn serving the portal on the test database (demo data loaded)."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    db = connection.settings_dict
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(UNTHROTTLED,
               DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                            f"{db['PORT'] or 5432}/{db['NAME']}",
               PORTAL_MEDIA_ROOT=str(settings.MEDIA_ROOT), PORTAL_VAR_DIR=str(tmp_path / "var"),
               CELERY_TASK_ALWAYS_EAGER="1", PORTAL_HTTPS="0", PORTAL_STATIC_MANIFEST="0")
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--timeout", "120"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.terminate()
                raise AssertionError(log.read_text()[-3000:]) from None
            time.sleep(0.3)
    yield base, log
    server.terminate()
    server.wait(timeout=30)


def schemathesis(base: str, report: Path, *headers: str) -> tuple[int, str]:
    cli = Path(sys.executable).with_name("schemathesis")
    args = [str(cli), "run", f"{base}/api/schema/", "--checks", CHECKS,
            "--phases", "examples,fuzzing", "--max-examples", EXAMPLES, "--seed", SEED,
            "--workers", "2", "--request-timeout", "60", "--no-color",
            "--report", "junit", "--report-dir", str(report)]
    for header in headers:
        args += ["-H", header]
    run = subprocess.run(args, cwd=report.parent, capture_output=True, text=True, timeout=900)
    return run.returncode, run.stdout + run.stderr


def figures(output: str) -> str:
    summary = re.search(r"(\d+) generated.*", output)
    return summary.group(0) if summary else "no summary"


def test_api_contract_holds_for_a_department_and_for_anonymous(portal_server, tmp_path):
    base, log = portal_server
    _token, key = token_create(actor=User.objects.get(username="gat_admin"), name="contract")
    results = {
        "department (gat_admin, token)": schemathesis(base, tmp_path / "department",
                                                      f"Authorization: Token {key}"),
        "anonymous": schemathesis(base, tmp_path / "anonymous"),
    }
    for who, (_code, output) in results.items():
        print(f"\nschemathesis as {who}: {figures(output)}")
    for who, (code, output) in results.items():
        assert code == 0, f"schemathesis as {who}:\n{output[-8000:]}"
    assert "Internal Server Error" not in log.read_text()
