"""The catalog spreadsheet format (C10): one row per data item, the entry's columns
repeated (or left blank) on the rows of the same ``资源序号``.

The same columns serve the downloadable template, the import and the export, so an export
can be edited and imported again. Reading checks the zip container before openpyxl opens
it (``read_only``; defusedxml is installed, so openpyxl parses XML safely). Writing escapes
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
    if not text.isdigit():
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


COLUMNS: tuple[Column, ...] = (
    Column("资源序号", "key", "key", required=True,
           note="同一资源的各信息项行填写相同序号（如 R1）；资源信息只需在第一行填写"),
    Column("资源名称", "name", "resource", required=True),
    Column("资源分类", "classification", "resource", _choice(Classification), True,
           "基础信息资源 / 主题信息资源 / 部门信息资源"),
    Column("主题", "theme", "resource", _choice(Theme), note="基础、主题信息资源必填"),
    Column("资源摘要", "summary", "resource", required=True),
    Column("资源格式", "format", "resource", _choice(ResourceFormat), True,
           "电子文件 / 电子表格 / 数据库 / 图形图像 / 流媒体 / 自描述格式 / 服务接口"),
    Column("格式细类", "format_subtype", "resource", note="如 PostgreSQL、XLSX、JSON"),
    Column("信息主体", "subjects", "resource", _multi(Subject), note="企业（法人）、自然人、项目、行政权力，多个用顿号分隔"),
    Column("信息属地", "locality", "resource"),
    Column("共享类型", "sharing_type", "resource", _choice(SharingType), True,
           "无条件共享 / 有条件共享 / 不予共享"),
    Column("共享条件", "sharing_conditions", "resource", note="有条件共享必填"),
    Column("共享方式", "sharing_method", "resource", _multi(SharingMethod),
           note="系统对接、前置机、联机查询、批量下载、文件，多个用顿号分隔"),
    Column("使用要求", "usage_requirements", "resource"),
    Column("依据类型", "legal_basis_kind", "resource", _choice(LegalBasisKind),
           note="法律 / 行政法规 / 党中央、国务院政策文件 / 地方性法规 / 规章 / 其他政策文件"),
    Column("法律依据", "legal_basis", "resource", note="有条件共享、不予共享必填"),
    Column("更新周期", "update_cycle", "resource", _choice(UpdateCycle), True,
           "实时 / 每日 / 每周 / 每月 / 每季度 / 每半年 / 每年 / 不定期"),
    Column("是否向社会开放", "is_open", "resource", _bool, note="是 / 否"),
    Column("开放类型", "open_type", "resource", _choice(OpenType), note="无条件开放 / 有条件开放 / 不予开放"),
    Column("开放条件", "open_conditions", "resource"),
    Column("属于政府信息公开", "is_disclosure", "resource", _bool, note="是 / 否"),
    Column("安全级别", "security_level", "resource", _choice(SecurityLevel), note="公开 / 内部 / 敏感 / 重要"),
    Column("发布日期", "publication_date", "resource", _date),
    Column("联系人", "contact_name", "resource", required=True),
    Column("联系电话", "contact_phone", "resource", required=True),
    Column("联系邮箱", "contact_email", "resource"),
    Column("信息项名称", "name", "item", required=True),
    Column("字段标识", "field_name", "item", note="英文字母开头，可含数字和下划线"),
    Column("数据类型", "data_type", "item", _choice(DataType), True,
           "字符型 / 长文本 / 整数型 / 数值型 / 日期型 / 日期时间型 / 布尔型 / 二进制"),
    Column("数据长度", "length", "item", _int, note="字符型、数值型必填"),
    Column("信息项说明", "description", "item"),
    Column("敏感级别", "sensitivity", "item", _choice(Sensitivity),
           note="不敏感 / 低敏感 / 个人信息 / 敏感信息 / 高度敏感"),
    Column("信息项共享类型", "sharing_type", "item", _choice(SharingType), note="留空则与资源相同"),
    Column("可作查询条件", "is_key", "item", _bool, note="是 / 否"),
    Column("基础信息项", "is_base", "item", _bool, note="基础信息资源必须标明，是 / 否"),
)
HEADERS = tuple(c.header for c in COLUMNS)
RESOURCE_COLUMN = {c.field: c for c in COLUMNS if c.scope == "resource"}
ITEM_COLUMN = {c.field: c for c in COLUMNS if c.scope == "item"}
EXPORT_EXTRA = ("资源代码", "提供部门", "状态")

DEFAULTS = {"open_type": OpenType.NOT_OPEN, "security_level": SecurityLevel.INTERNAL,
            "sensitivity": Sensitivity.NONE}


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# -- reading --------------------------------------------------------------------------------

class FileRefused(ValueError):
    """The file itself cannot be read (type, size, structure)."""


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


def _xlsx_rows(stream) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    check_xlsx_container(stream)
    workbook = load_workbook(stream, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


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
    """Raw rows (header first) of an XLSX or CSV file."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return _xlsx_rows(stream)
    if lower.endswith(".csv"):
        return _csv_rows(stream)
    raise FileRefused(_("只支持 .xlsx 和 .csv 文件，请下载模板填写。"))


def count_rows(stream, filename: str) -> int:
    count = sum(1 for row in read_rows(stream, filename) if any(_text(v) for v in row))
    stream.seek(0)
    return max(count - 1, 0)


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


def _xlsx_response(rows: Iterable[list[Any]], filename: str, notes: list[list[str]] | None = None):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("信息资源目录")
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
    return rows


def template_response(fmt: str) -> HttpResponse:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADERS)
        writer.writerows([[safe_cell(v) for v in row] for row in TEMPLATE_EXAMPLE])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path('目录导入模板.csv')}"
        return response
    return _xlsx_response([list(HEADERS), *TEMPLATE_EXAMPLE], "目录导入模板.xlsx", template_notes())
