"""The import map of docs/architecture.md: which app may import which.

Every Python file of every app is parsed (``ast``, so imports inside functions and under
``TYPE_CHECKING`` count as much as those at the top), and so are the two ways Django
names another app without importing it: a lazy model reference (``ForeignKey("app.Model")``)
and ``apps.get_model("app", …)``. Known exceptions are listed in the document with their
reason, and here; an exception that is no longer needed fails too, so the list only
shrinks.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
APPS = ("portal", "catalog", "dataplane", "sharing", "opendata", "assessment")
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}

# (importing file, imported app) → why it is still there; docs/architecture.md lists them.
KNOWN_EXCEPTIONS = {
    ("portal/asgi.py", "sharing"): "entry point: sharing.gateway.asgi",
    ("dataplane/models/accesslog.py", "sharing"): "model reference: AccessLogEntry.grant",
    ("dataplane/models/monitoring.py", "sharing"): "model reference: Anomaly.grant",
    ("dataplane/models/tokens.py", "sharing"): "model reference: SystemTokenScope.grants",
}


def import_map() -> dict[str, set[str]]:
    """The map as the document states it: the table under "## Import map"."""
    section = DOC.read_text(encoding="utf-8").split("## Import map", 1)[1].split("\n## ", 1)[0]
    allowed = {}
    for line in section.splitlines():
        cells = [c.strip(" `") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] in APPS:
            allowed[cells[0]] = {a.strip(" `") for a in cells[1].split(",")} & set(APPS)
    return allowed


def _app_of(dotted: str) -> str | None:
    top = dotted.split(".", 1)[0]
    return top if top in APPS else None


def references(source: str) -> Iterator[tuple[int, str]]:
    """(line, app) for every name of an app in ``source``: imports at any depth, lazy
    model references and ``get_model`` calls with a literal app label."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if app := _app_of(alias.name):
                    yield node.lineno, app
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if app := _app_of(node.module):
                yield node.lineno, app
        elif isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if name in RELATION_FIELDS and "." in first.value:
                if app := _app_of(first.value):
                    yield node.lineno, app
            elif name == "get_model":
                if app := _app_of(first.value):
                    yield node.lineno, app


def violations() -> dict[tuple[str, str], list[str]]:
    allowed = import_map()
    found: dict[tuple[str, str], list[str]] = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:  # they follow the models
                continue
            relative = path.relative_to(ROOT).as_posix()
            for line, other in references(path.read_text(encoding="utf-8")):
                if other != app and other not in allowed[app]:
                    found.setdefault((relative, other), []).append(f"{relative}:{line}")
    return found


def test_the_document_states_a_map_for_every_app():
    allowed = import_map()
    assert set(allowed) == set(APPS)
    assert allowed["portal"] == set(), "the ground imports no app"
    assert not allowed["dataplane"] & {"sharing", "opendata"}
    assert "opendata" not in allowed["sharing"] and "sharing" not in allowed["opendata"]


def test_every_app_imports_only_what_the_map_allows():
    unexpected = {key: lines for key, lines in violations().items()
                  if key not in KNOWN_EXCEPTIONS}
    assert unexpected == {}, "imports outside docs/architecture.md's map"


def test_every_known_exception_is_still_needed_and_documented():
    found = violations()
    doc = DOC.read_text(encoding="utf-8")
    for (path, app), reason in KNOWN_EXCEPTIONS.items():
        assert (path, app) in found, f"{path} no longer uses {app}: drop the exception"
        assert f"`{path}`" in doc and reason.split(": ", 1)[1] in doc, (path, reason)


def test_the_check_sees_every_way_of_naming_an_app():
    source = '''
from typing import TYPE_CHECKING
import sharing.models
if TYPE_CHECKING:
    from opendata.models import Dataset

def later():
    from assessment import selectors
    return apps.get_model("catalog", "Resource")

class Row(models.Model):
    grant = models.ForeignKey("dataplane.DataVersion", on_delete=models.CASCADE)
    own = models.ForeignKey("self", on_delete=models.CASCADE)
'''
    assert sorted(app for _line, app in references(source)) == [
        "assessment", "catalog", "dataplane", "opendata", "sharing"]
    assert re.search(r"^## Import map", DOC.read_text(encoding="utf-8"), re.M)
