"""One settings pattern (portal/conf.py): every app's settings are declared once with their
defaults, overridden by ``settings.<APP>``, checked for typos and listed in the README;
every environment variable the settings module reads is in docs/deploy.md."""

import importlib
import re
from pathlib import Path

from django.core import checks

from portal.checks import check_app_settings
from portal.conf import APP_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "catalog", "dataplane", "sharing", "opendata", "assessment")
for _app in APPS:
    importlib.import_module(f"{_app}.conf")


def _table_cells(path: Path) -> str:
    return "\n".join(line for line in path.read_text().splitlines() if line.startswith("| "))


def test_every_app_setting_is_in_the_readme_table_and_nothing_else_is():
    readme = _table_cells(ROOT / "README.md")
    declared = {f"{ns}.{name}" for ns, app in APP_SETTINGS.items() for name in app.defaults}
    listed = set(re.findall(r"`((?:PORTAL|CATALOG|DATAPLANE|SHARING_GATEWAY|SHARING|OPENDATA|"
                            r"ASSESSMENT)\.[A-Z_]+)`", readme))
    assert set(APP_SETTINGS) == {"PORTAL", "CATALOG", "DATAPLANE", "SHARING", "SHARING_GATEWAY",
                                 "OPENDATA", "ASSESSMENT"}
    assert declared - listed == set(), "settings missing from the README table"
    assert listed - declared == set(), "README lists settings no app declares"


def test_every_environment_variable_of_the_settings_module_is_in_the_deploy_table():
    source = (ROOT / "portal" / "settings.py").read_text()
    names = set(re.findall(r"(?:environ\.get|env_int|env_bool|env_list|environ\[)\(?\"([A-Z0-9_]+)\"",
                           source))
    names |= set(re.findall(r"=\(\"([A-Z0-9_]+)\", ", source))
    names |= {f"OPENDATA_{scope}_{who}_RATE" for scope in ("API", "DOWNLOAD", "PAGE", "FORM")
              for who in ("ANON", "TOKEN")}
    assert len(names) > 50
    deploy = _table_cells(ROOT / "docs" / "deploy.md")
    missing = sorted(name for name in names if f"`{name}`" not in deploy)
    assert missing == []


def test_an_override_replaces_the_default_and_a_dict_setting_merges_key_by_key(settings):
    from opendata.conf import opendata_setting
    settings.OPENDATA = {"PREVIEW_ROWS": 3, "THROTTLE_RATES": {"api_anon": "3/min"}}
    assert opendata_setting("PREVIEW_ROWS") == 3
    rates = opendata_setting("THROTTLE_RATES")
    assert rates["api_anon"] == "3/min" and rates["api_token"] == "600/min"
    assert rates["form_anon"] == "10/hour"
    settings.OPENDATA = {}
    assert opendata_setting("PREVIEW_ROWS") == 10


def test_a_misspelt_key_fails_the_system_check(settings):
    assert check_app_settings(None) == []
    settings.DATAPLANE = {**settings.DATAPLANE, "UPLOAD_MAX_MB": 10}
    settings.OPENDATA = {"PREVIEW_ROW": 5}
    errors = check_app_settings(None)
    assert [(e.id, e.level) for e in errors] == [("portal.E010", checks.ERROR)] * 2
    assert "settings.DATAPLANE has no setting 'UPLOAD_MAX_MB'" in errors[0].msg
    assert "UPLOAD_MAX_BYTES" in errors[0].msg
    assert "settings.OPENDATA has no setting 'PREVIEW_ROW'" in errors[1].msg


def test_app_code_reads_settings_only_through_the_readers():
    """No app module reads an app namespace or a former flat name from django settings."""
    flat = re.compile(r"settings\.(?:PORTAL|CATALOG|DATAPLANE|SHARING|OPENDATA|ASSESSMENT)\w*"
                      r"|getattr\(settings, \"(?:PORTAL|CATALOG|DATAPLANE|SHARING|OPENDATA|"
                      r"ASSESSMENT)")
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name in {"settings.py", "conf.py"}:
                continue
            text = path.read_text()
            offenders += [f"{path.relative_to(ROOT)}: {m}" for m in flat.findall(text)]
    assert offenders == []
