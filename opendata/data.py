"""The published data of open datasets, on the data plane's engine (O3, O4).

Publishing generates, once per data version, a *masked snapshot* (Parquet) from the
catalog entry's current data version: only the approved fields, each through its
desensitization rule, as SQL inside DuckDB. The CSV, XLSX and JSON files are written from
the snapshot with the data plane's streaming writers, so memory stays flat; downloads
then serve those files, and the data API and the page preview query the snapshot. The raw
version is never read on a public request.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from catalog.models import Resource
from dataplane.conf import engine_config
from dataplane.conf import masking_secret as dataplane_masking_secret
from dataplane.conf import work_dir as dataplane_work_dir
from dataplane.engine.duck import engine_connect, engine_cursor
from dataplane.engine.export import stream_csv, stream_json_lines, write_xlsx
from dataplane.engine.query import (
    Filter,
    FilterError,
    Op,
    OutColumn,
    Query,
    Sort,
    parse_filter,
)
from dataplane.engine.types import ColumnType
from dataplane.masking import (
    MaskedColumn,
    MaskRule,
    preview_parquet,
)
from dataplane.models import DataVersion
from dataplane.storage import parquet_path

from .conf import opendata_setting
from .models import Dataset, DatasetField
from .vocab import DistributionFormat

MAX_PAGE_SIZE = 500
PREVIEW_CACHE_SECONDS = 3600


class DataUnavailable(Exception):
    """The dataset has no data to serve (not generated yet, or generation failed)."""


class DataError(Exception):
    """Generation cannot proceed; the message (Chinese) tells the department what to fix."""


# --- sources and storage ---------------------------------------------------------------------

def current_source_version(resource: Resource) -> DataVersion | None:
    """The entry's current data version, if it has one."""
    return DataVersion.objects.filter(resource=resource, status=DataVersion.Status.CURRENT).first()


def masking_secret() -> bytes:
    """The key of keyed hashing for open data.

    Derived from the data plane's key but distinct from it, so a pseudonym in open data
    cannot be matched against the same person's pseudonym in data shared with departments.
    """
    return hmac.new(dataplane_masking_secret(), b"opendata", hashlib.sha256).digest()


def _engine(work: Path | None = None):
    """Generation gets its own database spilling to ``work``; queries a cheap cursor on
    the process's shared database."""
    if work is None:
        return engine_cursor(engine_config())
    return engine_connect(engine_config(), work_dir=work)


# --- generation ----------------------------------------------------------------------------

@dataclass
class GeneratedFile:
    format: str
    path: Path
    size: int
    checksum: str


@dataclass
class Generated:
    version: DataVersion
    snapshot: Path
    columns: list[dict[str, str]]
    row_count: int
    files: list[GeneratedFile]


def _masked_columns(dataset: Dataset, version: DataVersion) -> tuple[list[OutColumn],
                                                                        list[dict[str, str]]]:
    """The snapshot's columns: approved fields, named by the dataset, masked by rule."""
    schema = {entry.get("item_id"): entry for entry in version.schema or []}
    masked, described = [], []
    fields = DatasetField.objects.filter(dataset=dataset, included=True).select_related("item")
    for field in fields:
        entry = schema.get(field.item_id)
        if entry is None:
            raise DataError(_("数据版本 v%(n)s 中没有信息项“%(name)s”，请上传包含该项的数据或在开放字段中取消该项。")
                            % {"n": version.number, "name": field.title})
        rule = MaskRule(field.mask_rule, field.mask_params) if field.mask_rule else None
        masked.append(OutColumn(name=field.column, type=ColumnType(entry.get("type") or "string"),
                                rule=rule, source=entry["name"]))
        described.append({"name": field.column, "title": field.title,
                          "type": ColumnType.STRING.value if rule else entry.get("type", "string")})
    if not masked:
        raise DataError(_("没有开放任何信息项。"))
    return masked, described


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _write(path: Path, chunks) -> None:
    with open(path, "wb") as out:
        for chunk in chunks:
            out.write(chunk)


def _json_array(lines: Iterator[bytes]) -> Iterator[bytes]:
    """JSON lines → one JSON array, chunk by chunk (a JSON text holds no raw newline)."""
    yield b"["
    first = True
    for chunk in lines:
        for line in chunk.split(b"\n"):
            if line:
                yield (b"\n" if first else b",\n") + line
                first = False
    yield b"\n]\n"


def generate(dataset: Dataset, work_dir: Path) -> Generated:
    """Write the masked snapshot and the three files of ``dataset`` into ``work_dir``."""
    version = current_source_version(dataset.resource)
    if version is None or not version.parquet_file:
        raise DataError(_("目录资源还没有可用的数据版本。"))
    masked, described = _masked_columns(dataset, version)
    snapshot = work_dir / "data.parquet"
    con = _engine(work_dir)
    try:
        source = Query(path=parquet_path(version.parquet_file), columns=masked,
                       secret=masking_secret())
        con.execute(*source.copy_parquet_sql(str(snapshot)))
        query = Query(path=str(snapshot), columns=_out_columns(described))
        sql, params = query.count_sql()
        row_count = con.sql(sql, params=params or None).fetchall()[0][0]
        titles = [c["title"] for c in described]
        files = []
        sql, params = query.rows_sql(for_files=True)
        _write(work_dir / "data.csv", stream_csv(con, sql, params, titles))
        sql, params = query.json_lines_sql()
        _write(work_dir / "data.json", _json_array(stream_json_lines(con, sql, params)))
        sql, params = query.rows_sql(for_files=True, xml_safe=True)
        write_xlsx(con, sql, params, titles, str(work_dir / "data.xlsx"))
    finally:
        con.close()
    for fmt in (DistributionFormat.CSV, DistributionFormat.XLSX, DistributionFormat.JSON):
        path = work_dir / f"data.{fmt}"
        size, checksum = _hash_file(path)
        files.append(GeneratedFile(fmt, path, size, checksum))
    return Generated(version, snapshot, described, row_count, files)


@contextlib.contextmanager
def work_directory() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=dataplane_work_dir(), prefix="opendata-") as work:
        yield Path(work)


# --- reading the snapshot -----------------------------------------------------------------

def _out_columns(described: Sequence[dict[str, str]]) -> list[OutColumn]:
    return [OutColumn(c["name"], ColumnType(c.get("type") or "string")) for c in described]


def columns_of(dataset: Dataset) -> list[OutColumn]:
    return _out_columns(dataset.data_columns or [])


def _require_data(dataset: Dataset) -> None:
    if dataset.data_status != Dataset.DataStatus.READY or not dataset.data_file:
        raise DataUnavailable(_("该数据集的数据正在生成或暂不可用，请稍后再试。"))


class QueryError(ValueError):
    """Bad filter, sort or field in a data API call; ``field`` names the parameter."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass
class RowsQuery:
    filters: list[tuple[str, str, str]]       # (column, op, raw value)
    sort: list[tuple[str, bool]]              # (column, descending)
    fields: list[str]
    q: str = ""
    limit: int = 20
    offset: int = 0


@dataclass
class RowsResult:
    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]
    total: int


def _by_name(dataset: Dataset) -> dict[str, OutColumn]:
    return {c.name: c for c in columns_of(dataset)}


def rows_query(dataset: Dataset, query: RowsQuery, *, count: bool = True) -> RowsResult:
    """Rows of the masked snapshot: filtered, searched, sorted and paginated (O4)."""
    _require_data(dataset)
    available = _by_name(dataset)
    described = [c for c in dataset.data_columns if not query.fields or c["name"] in query.fields]
    for name in query.fields:
        if name not in available:
            raise QueryError(_("没有字段“%(name)s”。") % {"name": name}, "fields")
    filters: list[Filter] = []
    for name, op, raw in query.filters:
        if name not in available:
            raise QueryError(_("没有字段“%(name)s”，不能按它筛选。") % {"name": name}, name)
        try:
            filters.append(parse_filter(available[name], Op(op), raw))
        except FilterError as exc:
            raise QueryError(str(exc), name) from None
        except ValueError:
            raise QueryError(_("不支持的筛选方式“%(op)s”。") % {"op": op}, name) from None
    for name, _desc in query.sort:
        if name not in available:
            raise QueryError(_("没有字段“%(name)s”，不能按它排序。") % {"name": name}, "sort")
    order = [Sort(available[name], descending) for name, descending in query.sort]
    read = Query(path=parquet_path(dataset.data_file.name), columns=_out_columns(described),
                 filters=filters, search=query.q, order=order)
    con = _engine()
    try:
        if count:
            sql, params = read.count_sql()
            total = con.sql(sql, params=params or None).fetchall()[0][0]
        else:
            total = -1
        sql, params = read.rows_sql(limit=query.limit, offset=query.offset)
        result = con.sql(sql, params=params or None)
        names = result.columns
        rows = [dict(zip(names, _jsonable(row), strict=True)) for row in result.fetchall()]
    finally:
        con.close()
    return RowsResult(columns=described, rows=rows, total=total)


def _jsonable(row: Sequence[Any]) -> list[Any]:
    out = []
    for value in row:
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        out.append(value)
    return out


def preview(dataset: Dataset, limit: int | None = None) -> RowsResult | None:
    """The first rows for the dataset page, cached per generated snapshot."""
    if dataset.data_status != Dataset.DataStatus.READY or not dataset.data_file:
        return None
    limit = limit or opendata_setting("PREVIEW_ROWS")
    key = f"opendata:preview:{dataset.pk}:{dataset.data_file.name}:{limit}"
    cached = cache.get(key)
    if cached is None:
        cached = rows_query(dataset, RowsQuery([], [], [], limit=limit), count=False)
        cache.set(key, cached, PREVIEW_CACHE_SECONDS)
    return cached


def masking_sample(dataset: Dataset, rules: Sequence[dict[str, Any]], *, limit: int = 10,
                   ) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Before/after pairs of the first rows of the current version under ``rules`` (O3).

    ``rules`` as in :func:`opendata.services.fields.field_rules_check`; only included
    items are shown. Returns the columns (name, title, rule) and the pairs.
    """
    version = current_source_version(dataset.resource)
    if version is None or not version.parquet_file:
        return [], []
    schema = {entry.get("item_id"): entry for entry in version.schema or []}
    titles = {f.item_id: f.title for f in dataset.fields.all()}
    from catalog.models import DataItem

    names = dict(DataItem.objects.filter(pk__in=[r["item"] for r in rules]).values_list(
        "pk", "name"))
    columns, described = [], []
    for rule in rules:
        entry = schema.get(int(rule["item"]))
        if not rule.get("included") or entry is None:
            continue
        mask = MaskRule(rule["mask_rule"], rule.get("mask_params") or {}) \
            if rule.get("mask_rule") else None
        columns.append(MaskedColumn(source=entry["name"], name=entry["name"], rule=mask))
        described.append({"name": entry["name"],
                          "title": titles.get(int(rule["item"])) or names.get(int(rule["item"]), ""),
                          "rule": rule.get("mask_rule") or ""})
    if not columns:
        return described, []
    with _engine() as con:
        pairs = preview_parquet(con, parquet_path(version.parquet_file), columns,
                                secret=masking_secret(), limit=limit)
    return described, pairs
