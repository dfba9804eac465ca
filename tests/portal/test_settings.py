"""Production settings pass Django's deployment checks; the UI is Chinese with English."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_check_deploy(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k3y-" + "x9!Qz" * 12,
        DJANGO_ALLOWED_HOSTS="portal.example.gov.cn",
        PORTAL_ACCESSLOG_KEYS="2026:" + "Lg7#pQ2z" * 5,
        PORTAL_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _without_key(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "PORTAL_", "CELERY_", "DATABASE_", "REDIS_"))}
    env.update(DJANGO_DEBUG="0", PORTAL_VAR_DIR=str(tmp_path))
    return env


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    """No DJANGO_SECRET_KEY and no DJANGO_DEBUG=1: the web application and Celery stop
    with a message that says what to set, and the deployment check fails."""
    env = _without_key(tmp_path)
    for entry in ("portal.wsgi", "portal.asgi"):
        web = subprocess.run([sys.executable, "-c", f"import {entry}"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert web.returncode != 0, entry
        assert "DJANGO_SECRET_KEY is not set" in web.stderr and "DJANGO_DEBUG=1" in web.stderr
        assert "PORTAL_ACCESSLOG_KEYS is not set" in web.stderr
    worker = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo",
         "--loglevel=ERROR"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert worker.returncode != 0 and "DJANGO_SECRET_KEY is not set" in worker.stderr
    deploy = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert deploy.returncode != 0 and "portal.E001" in deploy.stderr
    assert "dataplane.E001" in deploy.stderr


def test_the_development_key_exists_only_in_debug(tmp_path):
    probe = "from django.conf import settings; import django; django.setup(); " \
            "print(repr(settings._wrapped.SECRET_KEY))"
    env = _without_key(tmp_path)
    run = lambda env: subprocess.run(  # noqa: E731
        [sys.executable, "-c", f"import os; os.environ['DJANGO_SETTINGS_MODULE']="
         f"'portal.settings'; {probe}"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120)
    assert run(env).stdout.strip() == "''"
    assert "dev-only" in run({**env, "DJANGO_DEBUG": "1"}).stdout


@pytest.mark.django_db
def test_p5_chinese_by_default_english_available(client):
    page = client.get(reverse("portal:login")).content.decode()
    assert "政务用户登录" in page and 'lang="zh-CN"' in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("portal:login")).content.decode()
    assert "Government user sign-in" in page and 'lang="en"' in page
