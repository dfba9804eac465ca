"""A Frictionless Data Package (``datapackage.json``) per open dataset (O8).

One tabular resource: the published CSV (UTF-8 with BOM, Chinese headers — the fields'
titles), with its size, SHA-256 and a Table Schema typed from the generated snapshot's
columns (a masked column is text). Frictionless tools (``frictionless validate``) read
the descriptor and check the file against it.
"""

from __future__ import annotations

from catalog.models import OpenType

from .dcat import Urls
from .models import Dataset
from .vocab import LICENCES, DistributionFormat, Licence

# Table Schema types of the data plane's column types; datetimes leave as
# "YYYY-MM-DD HH:MM:SS" in CSV (the data plane's writers).
FIELD_TYPES = {"string": ("string", None), "text": ("string", None),
               "integer": ("integer", None), "decimal": ("number", None),
               "date": ("date", None), "datetime": ("datetime", "%Y-%m-%d %H:%M:%S"),
               "boolean": ("boolean", None)}


def _field(column: dict) -> dict:
    kind, fmt = FIELD_TYPES.get(column.get("type") or "string", ("string", None))
    field = {"name": column.get("title") or column["name"], "type": kind,
             "description": column["name"]}
    if fmt:
        field["format"] = fmt
    return field


def datapackage(dataset: Dataset, urls: Urls) -> dict:
    """The descriptor of ``dataset`` (its CSV once generated)."""
    licence = LICENCES[dataset.licence]
    package = {
        "profile": "tabular-data-package",
        "name": dataset.name,
        "id": str(dataset.uuid),
        "title": dataset.title,
        "description": dataset.description,
        "homepage": urls.dataset(dataset),
        "keywords": list(dataset.keywords or []),
        "licenses": [{"name": dataset.licence, "title": str(Licence(dataset.licence).label),
                      "path": licence.url or urls.licence(dataset.licence)}],
        "contributors": [{"title": dataset.publisher.name, "role": "publisher"}],
        "resources": [],
    }
    if dataset.modified_at:
        package["created"] = dataset.modified_at.isoformat()
    csv = next((d for d in dataset.distributions.all()
                if d.format == DistributionFormat.CSV and d.file), None)
    if csv is not None and dataset.data_status == Dataset.DataStatus.READY:
        resource = {
            "name": "data", "profile": "tabular-data-resource",
            "path": urls.distribution(dataset, DistributionFormat.CSV),
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
            "schema": {"fields": [_field(c) for c in dataset.data_columns or []]},
        }
        if csv.byte_size is not None:
            resource["bytes"] = csv.byte_size
        if csv.checksum:
            resource["hash"] = f"sha256:{csv.checksum}"
        if OpenType.CONDITIONAL in (dataset.open_type, dataset.resource.open_type):
            resource["description"] = "有条件开放：下载需持获批申请人的个人令牌。"
        package["resources"].append(resource)
    return package
