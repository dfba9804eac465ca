"""The catalog spreadsheet format (C10): one row per data item, the entry's columns
repeated (or left blank) on the rows of the same ``资源序号``.

The same columns serve the downloadable template, the import and the export, so an export
can be edited and imported again. Clerks' own sheets are read too: every column also
answers to the wording of the national compilation guide (《政务信息资源目录编制指南（试
行）》: 信息资源名称, 信息资源分类, 信息资源摘要, 信息项名称 …) and common variants, the header
row is found below any title rows (a two-row header with group cells such as 共享属性 over
共享类型 / 共享条件 / 共享方式 included), and merged cells are read as if every cell of the
range held the value. Reading checks the zip container before openpyxl opens it
(``read_only``; defusedxml is installed, so openpyxl parses XML safely). Writing escapes
cells that would start a formula (``= + - @``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _

from .models import (
    Classification,
    DataType,
    LegalBasisKind,
    OpenType,
    ResourceFormat,
    SecurityLevel,
    Sensitivity,
    SharingMethod,
    SharingType,
    Subject,
    Theme,
    UpdateCycle,
)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 20_000
MAX_EXPORT_RESOURCES = 20_000

SPLIT = re.compile(r"[、,，;；/\s]+")


class CellError(ValueError):
    """A cell that cannot be read; the message says what to write instead."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(choices) -> Callable[[Any], str]:
    by_label = {str(label): value for value, label in choices.choices}

    def parse(raw: Any) -> str:
        text = _text(raw)
        if not text:
            return ""
        if text in choices.values:
            return text
        if text in by_label:
            return by_label[text]
        matches = {v for label, v in by_label.items() if label.startswith(text) or text.startswith(label)}
        if len(matches) == 1:
            return matches.pop()
        raise CellError(_("“%(v)s”不是有效选项，可填：%(opts)s") % {"v": text, "opts": "、".join(by_label)})

    return parse


def _multi(choices) -> Callable[[Any], list[str]]:
    one = _choice(choices)

    def parse(raw: Any) -> list[str]:
        return [one(part) for part in SPLIT.split(_text(raw)) if part]

    return parse


def _bool(raw: Any) -> bool:
    text = _text(raw).lower()
    if text in ("", "否", "n", "no", "false", "0", "×"):
        return False
    if text in ("是", "y", "yes", "true", "1", "√"):
        return True
    raise CellError(_("请填写“是”或“否”"))


def _int(raw: Any) -> int | None:
    text = _text(raw)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise CellError(_("请填写正整数"))
    return int(text)


def _date(raw: Any) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _text(raw)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(_("日期格式应为 2026-03-01"))


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    scope: str  # "key", "resource" or "item"
    parse: Callable[[Any], Any] = _text
    required: bool = False
    note: str = ""
    # Other names the column goes by (the compilation guide's wording, common variants).
    aliases: tuple[str, ...] = ()
    # The enumeration its cells take (a drop-down in the template), and whether a cell may
    # hold several of them.
    choices: Any = None
    multi: bool = False

    def options(self) -> list[str]:
        if self.choices is None:
            return []
        if self.choices is bool:
            return ["是", "否"]
        return [str(label) for _value, label in self.choices.choices]


def _enum(choices, multi: bool = False) -> dict[str, Any]:
    return {"parse": (_multi if multi else _choice)(choices), "choices": choices, "multi": multi}


BOOL = {"parse": _bool, "choices": bool}


COLUMNS: tuple[Column, ...] = (
    Column("资源序号", "key", "key",
           note="同一资源的各信息项行填写相同序号（如 R1）；资源信息只需在第一行填写。"
                "没有这一列时，按资源名称归并（名称留空或合并单元格的行属于上一资源）",
           aliases=("序号", "资源编号", "目录序号")),
    Column("资源名称", "name", "resource", required=True,
           aliases=("信息资源名称", "政务信息资源名称", "数据资源名称", "目录名称")),
    Column("资源分类", "classification", "resource", required=True,
           note="基础信息资源 / 主题信息资源 / 部门信息资源",
           aliases=("信息资源分类", "资源属性分类", "目录分类"), **_enum(Classification)),
    Column("主题", "theme", "resource", note="基础、主题信息资源必填",
           aliases=("主题分类", "所属主题", "主题领域", "资源主题"), **_enum(Theme)),
    Column("资源摘要", "summary", "resource", required=True,
           aliases=("信息资源摘要", "摘要", "资源描述", "信息资源描述", "内容摘要")),
    Column("资源格式", "format", "resource", required=True,
           note="电子文件 / 电子表格 / 数据库 / 图形图像 / 流媒体 / 自描述格式 / 服务接口",
           aliases=("信息资源格式", "资源格式分类", "格式"), **_enum(ResourceFormat)),
    Column("格式细类", "format_subtype", "resource", note="如 PostgreSQL、XLSX、JSON",
           aliases=("格式类型", "具体格式", "资源格式细类", "格式说明")),
    Column("信息主体", "subjects", "resource",
           note="企业（法人）、自然人、项目、行政权力，多个用顿号分隔",
           aliases=("信息资源主体", "数据主体"), **_enum(Subject, multi=True)),
    Column("信息属地", "locality", "resource", aliases=("属地", "信息资源属地", "所属地区")),
    Column("共享类型", "sharing_type", "resource", required=True,
           note="无条件共享 / 有条件共享 / 不予共享",
           aliases=("信息资源共享类型", "共享属性", "共享类别"), **_enum(SharingType)),
    Column("共享条件", "sharing_conditions", "resource", note="有条件共享必填",
           aliases=("信息资源共享条件",)),
    Column("共享方式", "sharing_method", "resource",
           note="系统对接、前置机、联机查询、批量下载、文件，多个用顿号分隔",
           aliases=("信息资源共享方式", "共享方式类型"), **_enum(SharingMethod, multi=True)),
    Column("使用要求", "usage_requirements", "resource", aliases=("共享使用要求", "使用条件")),
    Column("依据类型", "legal_basis_kind", "resource",
           note="法律 / 行政法规 / 党中央、国务院政策文件 / 地方性法规 / 规章 / 其他政策文件",
           aliases=("依据类别", "法律依据类型"), **_enum(LegalBasisKind)),
    Column("法律依据", "legal_basis", "resource", note="有条件共享、不予共享必填",
           aliases=("共享依据", "不予共享依据", "依据", "法律法规依据", "政策依据")),
    Column("更新周期", "update_cycle", "resource", required=True,
           note="实时 / 每日 / 每周 / 每月 / 每季度 / 每半年 / 每年 / 不定期",
           aliases=("更新频率", "信息资源更新周期", "更新频次"), **_enum(UpdateCycle)),
    Column("是否向社会开放", "is_open", "resource", note="是 / 否",
           aliases=("是否开放", "向社会开放"), **BOOL),
    Column("开放类型", "open_type", "resource", note="无条件开放 / 有条件开放 / 不予开放",
           aliases=("开放类别", "信息资源开放类型", "开放属性"), **_enum(OpenType)),
    Column("开放条件", "open_conditions", "resource", aliases=("信息资源开放条件",)),
    Column("属于政府信息公开", "is_disclosure", "resource", note="是 / 否",
           aliases=("是否政府信息公开", "政府信息公开"), **BOOL),
    Column("安全级别", "security_level", "resource", note="公开 / 内部 / 敏感 / 重要",
           aliases=("安全等级", "分级", "数据分级", "安全分级"), **_enum(SecurityLevel)),
    Column("发布日期", "publication_date", "resource", _date,
           aliases=("信息资源发布日期", "发布时间")),
    Column("联系人", "contact_name", "resource", required=True,
           aliases=("联系人姓名", "责任人", "负责人")),
    Column("联系电话", "contact_phone", "resource", required=True,
           aliases=("联系方式", "电话", "联系人电话")),
    Column("联系邮箱", "contact_email", "resource", aliases=("电子邮箱", "邮箱", "电子邮件")),
    Column("信息项名称", "name", "item", required=True,
           aliases=("数据项名称", "信息项", "数据项", "字段名称", "字段中文名称", "中文名称",
                    "数据元名称")),
    Column("字段标识", "field_name", "item", note="英文字母开头，可含数字和下划线",
           aliases=("字段名", "字段代码", "英文名称", "字段英文名", "字段英文名称", "数据项标识",
                    "信息项标识", "字段")),
    Column("数据类型", "data_type", "item", required=True,
           note="字符型 / 长文本 / 整数型 / 数值型 / 日期型 / 日期时间型 / 布尔型 / 二进制",
           aliases=("信息项数据类型", "字段类型", "数据项类型"), **_enum(DataType)),
    Column("数据长度", "length", "item", _int, note="字符型、数值型必填",
           aliases=("长度", "字段长度", "信息项长度", "数据项长度")),
    Column("信息项说明", "description", "item",
           aliases=("信息项描述", "说明", "数据项说明", "字段说明", "备注")),
    Column("敏感级别", "sensitivity", "item",
           note="不敏感 / 低敏感 / 个人信息 / 敏感信息 / 高度敏感",
           aliases=("敏感等级", "信息项敏感级别", "敏感程度"), **_enum(Sensitivity)),
    Column("信息项共享类型", "sharing_type", "item", note="留空则与资源相同",
           aliases=("数据项共享类型", "信息项共享属性"), **_enum(SharingType)),
    Column("可作查询条件", "is_key", "item", note="是 / 否",
           aliases=("查询条件", "是否查询条件", "是否可作查询条件"), **BOOL),
    Column("基础信息项", "is_base", "item", note="基础信息资源必须标明，是 / 否",
           aliases=("是否基础信息项",), **BOOL),
)
HEADERS = tuple(c.header for c in COLUMNS)
RESOURCE_COLUMN = {c.field: c for c in COLUMNS if c.scope == "resource"}
ITEM_COLUMN = {c.field: c for c in COLUMNS if c.scope == "item"}
EXPORT_EXTRA = ("资源代码", "提供部门", "状态")

DEFAULTS = {"open_type": OpenType.NOT_OPEN, "security_level": SecurityLevel.INTERNAL,
            "sensitivity": Sensitivity.NONE}

# Columns a clerk's sheet may carry that the platform fills itself: recognised, then left out.
IGNORED_HEADERS = {
    "信息资源代码": "资源代码由平台在注册时生成",
    "资源代码": "资源代码由平台在注册时生成",
    "信息资源提供方": "提供部门即上传人所在部门",
    "信息资源提供方代码": "提供部门即上传人所在部门",
    "提供部门": "提供部门即上传人所在部门",
    "提供方": "提供部门即上传人所在部门",
    "关联资源代码": "关联资源请在目录页面选择",
    "状态": "导入的资源均为草稿",
}
# How far down a title block may push the header row.
HEADER_SEARCH_ROWS = 15

_NOISE = re.compile(r"[\s*＊:：]|（必填）|\(必填\)|【必填】|\[必填\]|（选填）|\(选填\)")


def normalise_header(value: Any) -> str:
    """The comparable form of a header cell: no spaces, line breaks, asterisks or
    "（必填）" marks; full-width brackets as half-width."""
    text = _NOISE.sub("", _text(value))
    return text.replace("（", "(").replace("）", ")")


def _header_index() -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            index.setdefault(normalise_header(name), column)
    return index


HEADER_INDEX = _header_index()


@dataclass
class HeaderColumn:
    """One column of an uploaded sheet: what it said and what it was taken for."""

    index: int
    text: str
    column: Column | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "text": self.text,
                "column": self.column.header if self.column else "", "note": self.note}


@dataclass
class SheetHeader:
    row: int            # 1-based number of the (last) header row
    columns: list[HeaderColumn]

    @property
    def positions(self) -> dict[str, int]:
        return {c.column.header: c.index for c in self.columns if c.column is not None}

    def text_of(self, header: str) -> str:
        """The clerk's own wording of a column (for the report)."""
        return next((c.text for c in self.columns if c.column and c.column.header == header), header)


def _recognise(texts: list[str]) -> tuple[Column | None, str]:
    """The column one header cell stands for: the first of ``texts`` (lower row, group +
    lower, upper row) that is a known name."""
    for text in texts:
        key = normalise_header(text)
        if not key:
            continue
        if key in HEADER_INDEX:
            return HEADER_INDEX[key], text
        if key in IGNORED_HEADERS:
            return None, text
    return None, next((t for t in texts if normalise_header(t)), "")


def _header_from(upper: list[Any], lower: list[Any] | None) -> list[HeaderColumn]:
    width = max(len(upper), len(lower or []))
    columns, taken = [], set()
    for index in range(width):
        top = _text(upper[index]) if index < len(upper) else ""
        if lower is None:
            texts = [top]
        else:
            bottom = _text(lower[index]) if index < len(lower) else ""
            texts = [bottom, top + bottom, top] if bottom != top else [top]
        column, text = _recognise(texts)
        note = ""
        key = normalise_header(text)
        if column is not None and column.header in taken:
            column, note = None, _("与前面的列重复，已忽略")
        elif column is None and key in IGNORED_HEADERS:
            note = IGNORED_HEADERS[key]
        elif column is None and key:
            note = _("未识别，已忽略")
        if column is not None:
            taken.add(column.header)
        if text or column is not None:
            columns.append(HeaderColumn(index, text, column, note))
    return columns


def locate_header(head: list[list[Any]]) -> SheetHeader | None:
    """Find the header among the first rows of a sheet: below any title rows, one row or
    a group row over a row of names. The candidate recognising the most columns wins
    (ties: the single row, then the higher one). ``None`` when nothing looks like one."""
    best, best_score = None, 0
    for i, upper in enumerate(head[:HEADER_SEARCH_ROWS]):
        candidates = [(i + 1, _header_from(upper, None))]
        if i + 1 < len(head):
            candidates.append((i + 2, _header_from(upper, head[i + 1])))
        for row, columns in candidates:
            score = sum(1 for c in columns if c.column is not None)
            if score > best_score:
                best, best_score = SheetHeader(row, columns), score
    return best if best_score >= 2 else None


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# -- reading --------------------------------------------------------------------------------

class FileRefused(ValueError):
    """The file itself cannot be read (type, size, structure). ``cells`` lists (sheet
    row, column letter, message) of cells at fault, if any."""

    def __init__(self, message: str, cells: list[tuple[int, str, str]] | None = None):
        super().__init__(message)
        self.cells = cells or []


def check_xlsx_container(stream) -> None:
    """Refuse zip bombs and non-XLSX files before openpyxl opens them."""
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileRefused(_("文件不是有效的 XLSX，请用模板另存为 .xlsx 后重试。")) from exc
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(_("XLSX 文件内容过大，请拆分后分批导入。"))
    if not any(i.filename == "[Content_Types].xml" for i in infos):
        raise FileRefused(_("文件不是有效的 XLSX，请用模板另存为 .xlsx 后重试。"))
    stream.seek(0)


def _merged_ranges(sheet) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of every merged range, read from the sheet's
    XML (a read-only worksheet does not load them)."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import range_boundaries

    ranges = []
    with sheet._get_source() as source:  # the worksheet part, as openpyxl streams it
        for _event, element in iterparse(source):
            if element.tag.endswith("}mergeCell") and element.get("ref"):
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                ranges.append((min_row, min_col, max_row, max_col))
            element.clear()
    return sorted(ranges)


def _unmerged(rows: Iterable[tuple[Any, ...]], ranges) -> Iterator[list[Any]]:
    """Rows with every cell of a merged range holding the range's (top-left) value."""
    pending, active = list(ranges), []
    for number, values in enumerate(rows, start=1):
        row = list(values)
        while pending and pending[0][0] == number:
            min_row, min_col, max_row, max_col = pending.pop(0)
            anchor = row[min_col - 1] if min_col - 1 < len(row) else None
            active.append((max_row, min_col, max_col, anchor))
        active = [a for a in active if a[0] >= number]
        for _max_row, min_col, max_col, anchor in active:
            if len(row) < max_col:
                row.extend([None] * (max_col - len(row)))
            for col in range(min_col - 1, max_col):
                row[col] = anchor
        yield row


def _xlsx_rows(stream) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    check_xlsx_container(stream)
    workbook = load_workbook(stream, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        _refuse_uncached_formulas(sheet)
        yield from _unmerged(sheet.iter_rows(values_only=True), _merged_ranges(sheet))
    finally:
        workbook.close()


def _refuse_uncached_formulas(sheet) -> None:
    """A formula saved without its result would import as a blank (portal.spreadsheets)."""
    from openpyxl.utils.cell import get_column_letter

    from portal.spreadsheets import uncached_formulas

    missing = uncached_formulas(sheet)
    if missing:
        raise FileRefused(
            _("有 %(n)d 个公式单元格没有计算结果（如 %(cell)s），导入会变成空值：请在 Excel 或 "
              "WPS 中重新计算并保存（或把公式粘贴为数值）后重试。")
            % {"n": len(missing), "cell": missing[0].coordinate},
            [(cell.row, get_column_letter(cell.column),
              _("单元格 %(cell)s 是公式，但文件中没有它的计算结果。") % {"cell": cell.coordinate})
             for cell in missing])


def _csv_rows(stream) -> Iterator[list[Any]]:
    raw = stream.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(_("CSV 文件编码无法识别，请另存为 UTF-8 编码的 CSV。"))
    yield from csv.reader(io.StringIO(text))


def read_rows(stream, filename: str) -> Iterator[list[Any]]:
    """Raw rows (title and header rows included) of an XLSX or CSV file, merged cells
    filled."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return _xlsx_rows(stream)
    if lower.endswith(".csv"):
        return _csv_rows(stream)
    raise FileRefused(_("只支持 .xlsx 和 .csv 文件，请下载模板填写。"))


def count_rows(stream, filename: str) -> int:
    """Rows of the sheet that hold something (for the progress bar; title and header rows
    are counted too, so this is the number of rows to go through)."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        check_xlsx_container(stream)
        workbook = load_workbook(stream, read_only=True, data_only=True)
        try:
            size = workbook.worksheets[0].max_row  # the sheet's recorded dimension
        finally:
            workbook.close()
        stream.seek(0)
        if size:
            return size
    count = sum(1 for row in read_rows(stream, filename) if any(_text(v) for v in row))
    stream.seek(0)
    return count


# -- writing --------------------------------------------------------------------------------

def _labels(choices, values) -> str:
    labels = dict(choices.choices)
    return "、".join(str(labels.get(v, v)) for v in values or [])


def resource_row_values(resource) -> dict[str, Any]:
    out = {}
    for name, column in RESOURCE_COLUMN.items():
        value = getattr(resource, name)
        if name in ("subjects", "sharing_method"):
            value = _labels(Subject if name == "subjects" else SharingMethod, value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        elif getattr(resource._meta.get_field(name), "choices", None):
            value = getattr(resource, f"get_{name}_display")() if value else ""
        out[column.header] = value if value is not None else ""
    return out


def item_row_values(item) -> dict[str, Any]:
    out = {}
    for name, column in ITEM_COLUMN.items():
        value = getattr(item, name)
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif getattr(item._meta.get_field(name), "choices", None):
            value = getattr(item, f"get_{name}_display")() if value else ""
        out[column.header] = value if value is not None else ""
    return out


def export_rows(resources: Iterable) -> Iterator[list[Any]]:
    """Header, then one row per data item (an entry without items gets one row)."""
    yield [*EXPORT_EXTRA, *HEADERS]
    for index, resource in enumerate(resources):
        if index >= MAX_EXPORT_RESOURCES:
            yield [_("仅导出前 %(n)d 条资源，请缩小筛选范围后分批导出。") % {"n": MAX_EXPORT_RESOURCES}]
            return
        base = resource_row_values(resource)
        base["资源序号"] = resource.code or f"R{resource.pk}"
        extra = [resource.code or "", resource.provider.name, resource.get_status_display()]
        items = [i for i in resource.items.all() if not i.retired] or [None]
        for item in items:
            values = {**base, **(item_row_values(item) if item is not None else {})}
            yield [safe_cell(v) for v in extra] + [safe_cell(values.get(h, "")) for h in HEADERS]


def _xlsx_response(rows: Iterable[list[Any]], filename: str, notes: list[list[str]] | None = None,
                   title: str = "信息资源目录"):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE8E8")
    for index, row in enumerate(rows):
        if index == 0:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                cell.font, cell.fill = bold, fill
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append(row)
    if notes:
        help_sheet = workbook.create_sheet("填写说明")
        for row in notes:
            help_sheet.append([safe_cell(v) for v in row])
    return _workbook_response(workbook, filename)


def _workbook_response(workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


def export_response(resources: Iterable, name: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _xlsx_response(export_rows(resources.iterator(chunk_size=500)
                                      if hasattr(resources, "iterator") else resources),
                          f"{name}-{stamp}.xlsx")


TEMPLATE_EXAMPLE = [
    ["R1", "不动产登记信息", "部门信息资源", "", "不动产权利人、坐落和面积", "数据库", "PostgreSQL", "自然人",
     "海南省", "有条件共享", "限不动产交易、税收征管核验", "联机查询、批量下载", "仅用于核验",
     "规章", "《不动产登记暂行条例实施细则》第九十四条", "每日", "否", "不予开放", "", "否", "敏感", "",
     "王五", "0898-66000000", "", "权利人姓名", "qlrxm", "字符型", "50", "", "个人信息", "", "否", "否"],
    ["R1", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
     "身份证号码", "sfzhm", "字符型", "18", "", "敏感信息", "", "是", "否"],
]


def template_notes() -> list[list[str]]:
    rows = [["列名", "是否必填", "填写说明"]]
    rows += [[c.header, "必填" if c.required else "", c.note] for c in COLUMNS]
    rows.append([])
    rows.append(["说明", "", "每行一个信息项；同一资源的多行填写相同资源序号，资源信息在第一行填写即可。"
                 "导入前逐行校验，任何一行有误则全部不导入，并给出行号、列名和问题。"])
    rows.append(["", "", "也可直接上传按《政务信息资源目录编制指南（试行）》编制的表格：列名可用“信息资源名称”"
                 "“信息资源分类”“信息资源摘要”“信息项名称”等写法，表头上方可有标题行，可有合并单元格"
                 "（同一资源的各行可合并资源信息单元格；没有“资源序号”列时按信息资源名称归并）。"])
    rows.append([])
    rows.append(["各列可用的列名", "", ""])
    rows += [[c.header, "", "、".join(c.aliases)] for c in COLUMNS if c.aliases]
    return rows


# Rows of the template that carry drop-downs (the sheet is one row per data item).
TEMPLATE_ROWS = 2000


def template_workbook():
    """The import template: the columns with the example, a drop-down on every enumerated
    column (the options on a hidden sheet, so long lists work), the notes sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "信息资源目录"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="FDE8E8")
    for row in TEMPLATE_EXAMPLE:
        sheet.append([safe_cell(v) for v in row])
    sheet.freeze_panes = "B2"
    options = workbook.create_sheet("选项")
    options.sheet_state = "hidden"
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        values = column.options()
        if not values:
            continue
        for row_number, value in enumerate([column.header, *values], start=1):
            options.cell(row=row_number, column=index, value=value)
        source = f"选项!${letter}$2:${letter}${len(values) + 1}"
        hint = "、".join(values)
        validation = DataValidation(
            type="list", formula1=f"={source}", allow_blank=True,
            # A cell of a multi-valued column holds several options (顿号分隔): the list
            # helps, it does not refuse.
            showErrorMessage=not column.multi, errorStyle="stop",
            errorTitle=column.header[:32], error=f"请从下拉列表中选择：{hint}"[:255],
            promptTitle=column.header[:32],
            prompt=(f"可多选，用顿号分隔：{hint}" if column.multi else f"请选择：{hint}")[:255])
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
        sheet.add_data_validation(validation)
    notes = workbook.create_sheet("填写说明")
    for row in template_notes():
        notes.append([safe_cell(v) for v in row])
    return workbook


def template_response(fmt: str) -> HttpResponse:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADERS)
        writer.writerows([[safe_cell(v) for v in row] for row in TEMPLATE_EXAMPLE])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path('目录导入模板.csv')}"
        return response
    return _workbook_response(template_workbook(), "目录导入模板.xlsx")


REPORT_HEADERS = ("行号", "资源序号", "信息资源名称", "列", "问题")


def report_response(problems: list[dict[str, Any]], name: str) -> HttpResponse:
    """An import's problems as a spreadsheet, one per row, each naming its entry."""
    rows = [list(REPORT_HEADERS)]
    rows += [[p.get("row") or "", safe_cell(p.get("entry", "")), safe_cell(p.get("name", "")),
              safe_cell(p.get("header") or p.get("column", "")), safe_cell(p.get("message", ""))]
             for p in problems]
    stem = name.rsplit(".", 1)[0]
    return _xlsx_response(rows, f"{stem}-问题清单.xlsx", title="问题清单")
