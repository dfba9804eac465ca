"""Importing operations from the provider's OpenAPI 3 document (JSON or YAML).

The document is parsed (PyYAML reads JSON too), validated with openapi-spec-validator and
walked with jsonschema-path (which resolves ``$ref``). Each GET or POST operation becomes
a candidate: its name (the ``operationId``, else method and path), path, query and path
parameters, where the records are in the 200 JSON answer (the first array of objects
within three levels, else the answer itself) and the records' fields. Parameters and
fields are matched to the entry's data items by the item's field identifier, so the
provider starts from a filled-in operation and corrects it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext as _
from jsonschema_path import SchemaPath
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from catalog.models import Resource

MAX_BYTES = 2 * 1024 * 1024


class ImportFailed(ValueError):
    """The document cannot be used; the message is for the provider (Chinese)."""


@dataclass
class Candidate:
    name: str
    label: str
    method: str
    path: str
    params: list[dict[str, Any]] = field(default_factory=list)
    records_path: str = ""
    fields: list[str] = field(default_factory=list)

    def operation_data(self, resource: Resource) -> dict[str, Any]:
        """The data of ``operation_save`` with parameters and fields matched to items."""
        by_field = {i.field_name.lower(): i for i in resource.items.filter(retired=False)
                    if i.field_name}
        params = []
        for p in self.params:
            item = by_field.get(p["name"].lower())
            params.append({**p, "item": item.pk if item is not None and item.is_key else None})
        field_map = {f: by_field[f.lower()].pk for f in self.fields if f.lower() in by_field}
        return {"name": self.name, "label": self.label, "method": self.method,
                "path": self.path, "params": params, "records_path": self.records_path,
                "field_map": field_map}


def _load(text: str) -> dict[str, Any]:
    if len(text.encode()) > MAX_BYTES:
        raise ImportFailed(_("OpenAPI 文档超过 2 MB。"))
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ImportFailed(_("无法解析该文档（应为 JSON 或 YAML）：%(e)s") % {"e": exc}) from None
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3"):
        raise ImportFailed(_("这不是 OpenAPI 3 文档（缺少 openapi: 3.x）。"))
    try:
        validate(document)
    except OpenAPIValidationError as exc:
        raise ImportFailed(_("OpenAPI 文档不合规范：%(e)s") % {"e": exc.message}) from None
    return document


def _name(op: SchemaPath, method: str, path: str) -> str:
    raw = op.get("operationId") or f"{method}_{path}"
    name = re.sub(r"[^a-z0-9_-]+", "_", re.sub(r"(?<!^)(?=[A-Z])", "_", str(raw)).lower())
    name = re.sub(r"_+", "_", name).strip("_-") or "operation"
    return (name if name[0].isalpha() else f"op_{name}")[:48]


def _records(schema: SchemaPath | None) -> tuple[str, list[str]]:
    """Where the records are (dotted path) and their fields."""
    if schema is None:
        return "", []

    def walk(node: SchemaPath, path: list[str], depth: int) -> tuple[str, list[str]] | None:
        if node.get("type") == "array" and "items" in node:
            items = node / "items"
            if "properties" in items:
                return ".".join(path), list((items / "properties").keys())
        if "properties" in node and depth < 3:
            for key in (node / "properties").keys():
                found = walk(node / "properties" / key, [*path, key], depth + 1)
                if found is not None:
                    return found
        return None

    found = walk(schema, [], 0)
    if found is not None:
        return found
    return "", list((schema / "properties").keys()) if "properties" in schema else []


def _answer_schema(op: SchemaPath) -> SchemaPath | None:
    responses = op / "responses"
    for status in ("200", "201", "default"):
        if status in responses:
            content = responses / status / "content"
            if not content.exists():
                return None
            for media in content.keys():
                if "json" in media and "schema" in content / media:
                    return content / media / "schema"
    return None


def _parameters(path_item: SchemaPath, op: SchemaPath) -> list[dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for holder in (path_item, op):
        if "parameters" not in holder:
            continue
        for p in holder / "parameters":
            location = p.get("in")
            if location not in ("query", "path"):
                continue
            found[(p["name"], location)] = {
                "name": p["name"], "in": location,
                "required": bool(p.get("required")) or location == "path",
                "description": str(p.get("description") or "")[:200]}
    return list(found.values())


def openapi_candidates(text: str) -> list[Candidate]:
    """The GET and POST operations of the document (``ImportFailed`` when unusable)."""
    document = _load(text)
    root = SchemaPath.from_dict(document)
    candidates = []
    if "paths" not in root:
        return []
    paths = root / "paths"
    for path in paths.keys():
        path_item = paths / path
        for method in ("get", "post"):
            if method not in path_item:
                continue
            op = path_item / method
            records_path, fields = _records(_answer_schema(op))
            label = str(op.get("summary") or op.get("operationId") or f"{method.upper()} {path}")
            candidates.append(Candidate(
                name=_name(op, method, path), label=label[:100], method=method.upper(),
                path=path, params=_parameters(path_item, op), records_path=records_path,
                fields=fields))
    if not candidates:
        raise ImportFailed(_("文档中没有 GET 或 POST 操作。"))
    return candidates
