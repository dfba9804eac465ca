"""XLSX exports (S12). Cells that a spreadsheet would read as a formula are escaped."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A safe cell value: text starting like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | date):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet workbook in write-only mode (flat memory for long exports)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([cell(h) for h in header])
    for row in rows:
        sheet.append([cell(v) for v in row])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
