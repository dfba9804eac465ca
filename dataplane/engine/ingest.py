"""Validating a whole upload and converting it once into Parquet (S9).

The upload is read as text (every column VARCHAR), each value is checked against the
declared type of its data item with ``TRY_CAST``-style expressions over the **whole**
file in one DuckDB scan, malformed records are collected by DuckDB's CSV reader
(``store_rejects``), and only a file without problems is written as Parquet — typed,
compressed, in upload order. Nothing here touches the database: the caller decides what
to do with the :class:`IngestReport`.

Row numbers in the report count data records from 1, the header excluded (record 1 is
line 2 of a CSV file, row 2 of a spreadsheet).
"""

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from dataplane.masking import quote_ident, quote_literal

from .duck import EngineConfig, engine_connect
from .encoding import EncodingProblem, to_utf8
from .sources import Source, SourceProblem, csv_source, json_source, xlsx_to_csv
from .types import EXPECTED, STORAGE_TYPE, TEXT_TYPES, Column, cast_sql, invalid_sql

FORMATS = ("csv", "xlsx", "json")
VALUE_PREVIEW = 60

REJECT_MESSAGES = {
    "TOO MANY COLUMNS": "列数多于表头",
    "MISSING COLUMNS": "列数少于表头",
    "UNQUOTED VALUE": "引号不成对（值中含有未闭合的双引号）",
    "LINE SIZE OVER MAXIMUM": "该行过长",
    "INVALID ENCODING": "含有无法识别的字符（编码错误）",
}

Progress = Callable[[int, str], None]


@dataclass
class Problem:
    row: int | None
    column: str
    message: str
    value: str = ""


@dataclass
class IngestReport:
    ok: bool = False
    rows: int = 0
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    schema: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def fail(self, message: str, *, column: str = "", row: int | None = None) -> "IngestReport":
        self.problems.append(Problem(row=row, column=column, message=message))
        self.problem_count = max(self.problem_count, len(self.problems))
        return self


def _normalise(name: str) -> str:
    return name.strip().lstrip("\ufeff").casefold()


def match_header(header: Sequence[str], columns: Sequence[Column],
                 report: IngestReport) -> dict[int, int]:
    """Map each column (by index in ``columns``) to its position in ``header``."""
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(header):
        positions.setdefault(_normalise(name), []).append(index)
    mapping: dict[int, int] = {}
    used: set[int] = set()
    for number, column in enumerate(columns):
        found = [i for alias in (column.name, *column.aliases) if alias
                 for i in positions.get(_normalise(alias), [])]
        found = sorted(set(found))
        if not found:
            report.fail(f"缺少信息项“{column.name}”对应的列，请在表头中加上这一列。",
                        column=column.name)
        elif len(found) > 1:
            report.fail(f"信息项“{column.name}”对应了多列（第 "
                        + "、".join(str(i + 1) for i in found) + " 列），请只保留一列。",
                        column=column.name)
        else:
            mapping[number] = found[0]
            used.add(found[0])
    extra = [name for i, name in enumerate(header) if i not in used and name.strip()]
    if extra:
        report.warnings.append("以下列不是本资源的信息项，已忽略：" + "、".join(extra[:20]))
    return mapping


def _text(position: int, column: Column) -> str:
    raw = f"c{position}"
    return f"NULLIF({raw}, '')" if column.type in TEXT_TYPES else f"NULLIF(trim({raw}), '')"


def _checks(column: Column, position: int) -> list[tuple[str, str]]:
    """(condition that is true for a bad value, message) pairs for one column."""
    text = _text(position, column)
    checks = []
    if column.type not in TEXT_TYPES:
        checks.append((invalid_sql(column.type, text), EXPECTED[column.type]))
    elif column.length:
        checks.append((f"(length({text}) > {int(column.length)})",
                       f"长度超过 {int(column.length)} 个字符"))
    return checks


def _not_blank(positions: Sequence[int]) -> str:
    return "coalesce(" + ", ".join(f"NULLIF(trim(c{p}), '')" for p in positions) + ") IS NOT NULL"


def _open_source(con, source: Path, fmt: str, work_dir: Path, encoding: str,
                 config: EngineConfig, progress: Progress) -> tuple[Source, str]:
    if fmt == "xlsx":
        sheet = xlsx_to_csv(
            source, work_dir / "sheet.csv", max_uncompressed=config.xlsx_max_uncompressed,
            progress=lambda n: progress(10, f"已读取 {n} 行"),
        )
        return csv_source(sheet), "xlsx"
    text, found = to_utf8(source, work_dir, encoding, strip_bom=fmt == "json")
    if fmt == "json":
        return json_source(con, text), found
    return csv_source(text), found


def _rejects(con, source: Source, header: Sequence[str], report: IngestReport,
             limit: int) -> int:
    if not source.rejects:
        return 0
    total = con.sql("SELECT count(*) FROM reject_errors").fetchall()[0][0]
    rows = con.sql(
        "SELECT line, column_name, CAST(error_type AS VARCHAR), csv_line FROM reject_errors "
        f"ORDER BY line LIMIT {int(limit)}").fetchall()
    for line, column_name, error_type, csv_line in rows:
        column = ""
        if column_name and column_name.startswith("c") and column_name[1:].isdigit():
            index = int(column_name[1:])
            column = header[index] if index < len(header) else ""
        report.problems.append(Problem(
            row=int(line) - 1 if line else None, column=column,
            message=REJECT_MESSAGES.get(error_type, "格式错误"),
            value=(csv_line or "").strip()[:VALUE_PREVIEW],
        ))
    return int(total)


def _value_checks(columns: Sequence[Column], mapping: dict[int, int]) -> list[tuple[int, str, str]]:
    return [(number, condition, message)
            for number, column in enumerate(columns) if number in mapping
            for condition, message in _checks(column, mapping[number])]


def _count_problems(con, source: Source, checks, filter_sql: str,
                    report: IngestReport) -> list[tuple[int, str, str, int]]:
    """One scan of the whole file: the record count and how many values fail each check.

    Returns the failing checks with their counts."""
    counts = con.sql(
        "SELECT count(*)" + "".join(f", count_if({c})" for _n, c, _m in checks)
        + f" FROM {source.relation} WHERE {filter_sql}"
    ).fetchall()[0]
    report.rows = int(counts[0])
    return [(number, condition, message, int(n)) for (number, condition, message), n
            in zip(checks, counts[1:], strict=True) if n]


def _detail_problems(con, source: Source, columns: Sequence[Column], mapping: dict[int, int],
                     bad, filter_sql: str, report: IngestReport, limit: int) -> None:
    """The first ``limit`` failing values with their record numbers."""
    flags = ", ".join(f"{condition} AS f{i}" for i, (_n, condition, _m, _c) in enumerate(bad))
    values = ", ".join(f"c{mapping[number]} AS v{i}" for i, (number, *_rest) in enumerate(bad))
    any_bad = " OR ".join(condition for _n, condition, _m, _c in bad)
    rows = con.sql(
        f"SELECT __row, {flags}, {values} FROM (SELECT row_number() OVER () AS __row, * "
        f"FROM {source.relation}) WHERE ({any_bad}) AND {filter_sql} "
        f"ORDER BY __row LIMIT {int(limit)}"
    ).fetchall()
    width = len(bad)
    for row in rows:
        for i, (number, _condition, message, _count) in enumerate(bad):
            if row[1 + i]:
                report.problems.append(Problem(
                    row=int(row[0]), column=columns[number].name,
                    message=f"“{columns[number].name}”{message}",
                    value=str(row[1 + width + i])[:VALUE_PREVIEW],
                ))
    del report.problems[limit:]
    for number, _condition, message, count in bad:
        report.summary.append(f"“{columns[number].name}”共有 {count} 个值{message}。")


def ingest(source: Path, fmt: str, columns: Sequence[Column], target: Path, *,
           work_dir: Path, encoding: str = "auto", config: EngineConfig | None = None,
           progress: Progress | None = None) -> IngestReport:
    """Check ``source`` against ``columns`` and, if it is clean, write ``target`` (Parquet)."""
    config = config or EngineConfig()
    progress = progress or (lambda percent, message: None)
    report = IngestReport()
    if fmt not in FORMATS:
        return report.fail("不支持的文件格式，请上传 CSV、XLSX 或 JSON 文件。")
    con = engine_connect(config, work_dir=work_dir)
    try:
        progress(5, "正在识别编码与表头")
        try:
            src, report.encoding = _open_source(con, source, fmt, work_dir, encoding, config,
                                                progress)
        except (EncodingProblem, SourceProblem) as exc:
            report.fail(str(exc))
            for row, column, message in getattr(exc, "cells", ()):
                report.fail(message, column=column, row=row)
            return report
        mapping = match_header(src.header, columns, report)
        if report.problems:
            report.problem_count = len(report.problems)
            return report
        filter_sql = _not_blank(sorted(mapping.values()))
        progress(20, "正在逐行校验数据类型")
        try:
            bad = _count_problems(con, src, _value_checks(columns, mapping), filter_sql, report)
            # Malformed records come first: after one, record numbers may shift.
            structural = _rejects(con, src, src.header, report, config.max_problems)
            if structural:
                report.summary.append(f"共有 {structural} 条记录格式错误，请先修正这些记录。")
                report.problem_count = structural
                return report
            if bad:
                _detail_problems(con, src, columns, mapping, bad, filter_sql, report,
                                 config.max_problems)
                report.problem_count = sum(count for *_rest, count in bad)
                return report
        except duckdb.Error as exc:
            return report.fail(f"文件无法解析：{str(exc).strip().splitlines()[0][:300]}")
        if report.rows == 0:
            return report.fail("文件中没有数据行。")
        progress(60, "正在写入列式存储文件")
        select = ", ".join(
            f"{cast_sql(column.type, _text(mapping[number], column))} "
            f"AS {quote_ident(column.name)}"
            for number, column in enumerate(columns)
        )
        con.execute(
            f"COPY (SELECT {select} FROM {src.relation} WHERE {filter_sql}) "
            f"TO {quote_literal(str(target))} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {config.row_group_size})"
        )
        report.schema = [
            {"item_id": c.item_id, "name": c.name, "type": str(c.type),
             "storage": STORAGE_TYPE[c.type]}
            for c in columns
        ]
        report.ok = True
        progress(90, "校验通过")
        return report
    finally:
        con.close()
