"""Reading an upload as text columns: CSV directly, XLSX converted to CSV, JSON by key.

Each reader returns a :class:`Source`: the DuckDB relation that yields every record as
VARCHAR columns ``c0 … cN`` in file order, and the header it found, so the ingest step
can match headers to data items and check every value in SQL.
"""

import csv
import datetime as dt
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dataplane.masking import quote_literal

DELIMITERS = (",", "\t", ";", "|")
XLSX_MAX_ENTRIES = 10_000


class SourceProblem(ValueError):
    """The file cannot be read at all; the message is for the user (Chinese).

    ``cells`` lists (record, column name, message) of the cells at fault, if any."""

    def __init__(self, message: str, cells: list[tuple[int | None, str, str]] | None = None):
        super().__init__(message)
        self.cells = cells or []


@dataclass(frozen=True)
class Source:
    relation: str                 # SQL relation of VARCHAR columns c0..cN
    header: tuple[str, ...]       # the file's column names, in order
    rejects: bool                 # whether malformed records land in ``reject_errors``


def _columns_struct(count: int) -> str:
    return "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(count)) + "}"


def _sniff_delimiter(line: str) -> str:
    """The candidate delimiter that splits the header into the most fields."""
    return max(DELIMITERS, key=lambda d: (len(next(csv.reader([line], delimiter=d))), d == ","))


def csv_source(path: Path) -> Source:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    if not first.strip():
        raise SourceProblem("文件为空，或第一行不是表头。")
    delimiter = _sniff_delimiter(first.rstrip("\r\n"))
    header = tuple(next(csv.reader([first.rstrip("\r\n")], delimiter=delimiter)))
    relation = (
        f"read_csv({quote_literal(str(path))}, header=true, auto_detect=false, "
        f"delim={quote_literal(delimiter)}, quote='\"', escape='\"', "
        f"columns={_columns_struct(len(header))}, store_rejects=true, "
        "skip=0, null_padding=false)"
    )
    return Source(relation=relation, header=header, rejects=True)


def json_source(con: duckdb.DuckDBPyConnection, path: Path) -> Source:
    """A JSON array of objects or JSON lines; keys are the column names."""
    literal = quote_literal(str(path))
    try:
        keys = [row[0] for row in con.sql(
            f"SELECT DISTINCT unnest(json_keys(j)) FROM read_json_objects({literal}, "
            "format='auto') t(j) WHERE json_type(j) = 'OBJECT'").fetchall()]
    except duckdb.Error as exc:
        raise SourceProblem(f"JSON 格式错误：{_first_line(exc)}。请检查文件是否为对象数组或"
                            "每行一个对象（JSON Lines）。") from None
    if not keys:
        raise SourceProblem("JSON 文件中没有记录，或记录不是对象（应为 [{\"字段\": 值}, …]）。")
    columns = "{" + ", ".join(f"{quote_literal(k)}: 'VARCHAR'" for k in keys) + "}"
    select = ", ".join(f'"{k.replace(chr(34), chr(34) * 2)}" AS c{i}' for i, k in enumerate(keys))
    relation = (f"(SELECT {select} FROM read_json({literal}, format='auto', "
                f"columns={columns}))")
    return Source(relation=relation, header=tuple(keys), rejects=False)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300]


def xlsx_check(path: Path, *, max_uncompressed: int) -> None:
    """Refuse zip bombs before openpyxl opens the file."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise SourceProblem("文件不是有效的 XLSX 文件，请用 Excel 或 WPS 另存为 .xlsx 后重新上传。") from None
    if len(infos) > XLSX_MAX_ENTRIES:
        raise SourceProblem("XLSX 文件内部条目过多，疑似异常文件，已拒绝。")
    if sum(info.file_size for info in infos) > max_uncompressed:
        raise SourceProblem("XLSX 文件解压后过大，请拆分文件或改用 CSV 格式上传。")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_to_csv(path: Path, target: Path, *, max_uncompressed: int,
                progress: Callable[[int], None] | None = None) -> Path:
    """Stream the first worksheet into a UTF-8 CSV (read-only mode, row by row)."""
    import openpyxl  # heavy import, only for XLSX uploads

    xlsx_check(path, max_uncompressed=max_uncompressed)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise SourceProblem(f"无法读取 XLSX 文件：{_first_line(exc)}") from None
    try:
        sheet = workbook.worksheets[0]
        _refuse_uncached_formulas(sheet)
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            width = 0
            for count, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(v) for v in row]
                if count == 1:
                    while cells and not cells[-1]:
                        cells.pop()
                    width = len(cells)
                # Blank trailing cells are formatting, not data: rows take the header's width.
                while len(cells) > width and not cells[-1]:
                    cells.pop()
                writer.writerow(cells + [""] * (width - len(cells)))
                if progress is not None and count % 50_000 == 0:
                    progress(count)
    finally:
        workbook.close()
    return target


def _refuse_uncached_formulas(sheet) -> None:
    """Formula cells without a computed value would read as blanks: refuse the file,
    naming each cell (record number as in the report: sheet row 2 is record 1)."""
    from portal.spreadsheets import uncached_formulas

    missing = uncached_formulas(sheet)
    if not missing:
        return
    header = [_cell_text(v) for v in next(sheet.iter_rows(max_row=1, values_only=True), ())]
    cells = []
    for cell in missing:
        name = header[cell.column - 1] if cell.column <= len(header) else ""
        cells.append((cell.row - 1 if cell.row > 1 else None, name or cell.coordinate,
                      f"单元格 {cell.coordinate} 是公式，但文件中没有它的计算结果。"))
    raise SourceProblem(
        f"文件中有 {len(missing)}{'+' if len(missing) >= 20 else ''} 个公式单元格没有计算结果"
        f"（如 {missing[0].coordinate}），导入会变成空值。请在 Excel 或 WPS 中打开文件、"
        "重新计算并保存（或把公式粘贴为数值）后重新上传。", cells)
