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
        PORTAL_ALLOW_DEV_SECRET="0",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    env.update(DJANGO_DEBUG="0", PORTAL_ALLOW_DEV_SECRET="0", PORTAL_VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_p5_chinese_by_default_english_available(client):
    page = client.get(reverse("portal:login")).content.decode()
    assert "政务用户登录" in page and 'lang="zh-CN"' in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("portal:login")).content.decode()
    assert "Government user sign-in" in page and 'lang="en"' in page
