"""Spreadsheet import (C10): validated row by row, all or nothing, in a Celery task.

``import_job_create`` stores the upload and queues ``catalog.tasks.import_job_run``. The
task finds the header (below any title rows, in the template's or the compilation guide's
wording; the recognised columns are saved on the job at once so the page shows them),
reads the rows with merged cells filled (progress saved about every 2% of the rows, with
the phase), parses every cell, groups rows into entries by ``资源序号`` — or, in a sheet
without one, by 资源名称, a blank name continuing the entry above — runs the catalog rules
on each entry and maps every error back to its row, its column (in the clerk's wording)
and its entry. Only when no row has a problem are the entries created — as drafts,
through ``resource_create``, in one transaction.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError, NotPermitted, ValidationFailed
from portal.models import Department, User

from .. import policies
from ..models import ImportJob
from ..rules import check_entry
from ..spreadsheet import (
    COLUMNS,
    DEFAULTS,
    HEADER_SEARCH_ROWS,
    HEADERS,
    ITEM_COLUMN,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    RESOURCE_COLUMN,
    CellError,
    Column,
    FileRefused,
    SheetHeader,
    count_rows,
    locate_header,
    read_rows,
)
from .resources import resource_create

# Progress is saved about this many times over a file (and at least every 500 rows).
PROGRESS_STEPS = 50


def template_columns() -> tuple[Column, ...]:
    return COLUMNS


def import_jobs_for(department_id: int):
    return ImportJob.objects.filter(department_id=department_id).select_related("uploaded_by")


@transaction.atomic
def import_job_create(*, actor: User, department: Department, upload) -> ImportJob:
    """Store an upload and queue its import."""
    if not policies.can_import_resources(actor, department):
        raise NotPermitted(_("只有本部门的填报员或数据管理员可以导入目录。"))
    name = getattr(upload, "name", "") or "upload"
    if not name.lower().endswith((".xlsx", ".csv")):
        raise ValidationFailed(_("只支持 .xlsx 和 .csv 文件，请下载模板填写。"),
                               fields={"file": [_("文件类型不支持。")]})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationFailed(_("文件超过 10 MB，请拆分后分批导入。"),
                               fields={"file": [_("文件过大。")]})
    job = ImportJob.objects.create(department=department, uploaded_by=actor, file=upload,
                                   original_name=name[:200])
    from ..tasks import import_job_run

    import_job_run.delay_on_commit(job.pk)
    return job


@dataclass
class _Entry:
    key: str
    first_row: int
    values: dict[str, Any] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    item_rows: list[int] = field(default_factory=list)


class _Report:
    def __init__(self) -> None:
        self.problems: list[dict[str, Any]] = []
        self.header: SheetHeader | None = None

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append({"row": row, "column": column, "message": str(message)})

    def sorted(self, entries: list[_Entry] = ()) -> list[dict[str, Any]]:
        """The problems in sheet order, each naming its entry and the column as the
        clerk's sheet calls it."""
        by_row = {}
        for entry in entries:
            for row in (entry.first_row, *entry.item_rows):
                by_row[row] = entry
        for problem in self.problems:
            entry = by_row.get(problem["row"])
            problem["entry"] = entry.key if entry else ""
            problem["name"] = str(entry.values.get("name", "")) if entry else ""
            if self.header is not None and problem["column"]:
                problem["header"] = self.header.text_of(problem["column"])
        return sorted(self.problems, key=lambda p: (p["row"], HEADERS.index(p["column"])
                                                    if p["column"] in HEADERS else -1))


def _progress(job: ImportJob, processed: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed)


def _no_header_message() -> str:
    return _("前 %(n)d 行中找不到表头：没有可识别的列名（如“资源名称”或“信息资源名称”、"
             "“信息项名称”）。请使用下载的模板，或检查表头行。") % {"n": HEADER_SEARCH_ROWS}


def parse_entries(rows, report: _Report, on_progress=None, on_header=None) -> list[_Entry]:
    """Rows → entries, with every unreadable cell and inconsistency in ``report``.

    ``on_header(header)`` is called once the header is found, ``on_progress(n)`` as rows
    are read."""
    rows = iter(rows)
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS + 1))
    if not any(any(str(v).strip() for v in row if v is not None) for row in head):
        report.add(1, "", _("文件是空的，请按模板填写。"))
        return []
    header = locate_header(head)
    if header is None:
        report.add(1, "", _no_header_message())
        return []
    report.header = header
    if on_header:
        on_header(header)
    positions = header.positions
    missing = [c.header for c in COLUMNS if c.required and c.header not in positions]
    if missing:
        recognised = [f"{c.text}→{c.column.header}" if c.text != c.column.header else c.text
                      for c in header.columns if c.column is not None]
        report.add(header.row, missing[0], _(
            "缺少必需的列：%(cols)s。已识别的列：%(seen)s。请补上这些列，或使用下载的模板。")
            % {"cols": "、".join(missing), "seen": "、".join(recognised) or "—"})
        return []
    keyed = "资源序号" in positions
    entries: OrderedDict[str, _Entry] = OrderedDict()
    current: _Entry | None = None
    processed = 0
    data = itertools.chain(head[header.row:], rows)
    for row_number, raw in enumerate(data, start=header.row + 1):
        cells = {name: (raw[i] if i < len(raw) else None) for name, i in positions.items()}
        if not any(v not in (None, "") and str(v).strip() for v in cells.values()):
            continue
        processed += 1
        if processed > MAX_ROWS:
            report.add(row_number, "", _("超过 %(n)d 行，请拆分后分批导入。") % {"n": MAX_ROWS})
            break
        if on_progress:
            on_progress(processed)
        if keyed:
            key = str(cells.get("资源序号") or "").strip()
            if not key:
                report.add(row_number, "资源序号", _("请填写资源序号；同一资源的各行填写相同序号。"))
                continue
        else:
            name = str(cells.get("资源名称") or "").strip()
            if not name and current is None:
                report.add(row_number, "资源名称", _("请填写信息资源名称；同一资源的各行可合并单元格或留空。"))
                continue
            key = name or current.key
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = _Entry(key, row_number)
        current = entry
        _read_resource_cells(entry, cells, row_number, report)
        item = {}
        for name, column in ITEM_COLUMN.items():
            try:
                item[name] = column.parse(cells.get(column.header))
            except CellError as exc:
                report.add(row_number, column.header, str(exc))
        if item.get("length") is None:
            item["length"] = None
        item["sensitivity"] = item.get("sensitivity") or DEFAULTS["sensitivity"]
        entry.items.append(item)
        entry.item_rows.append(row_number)
    return list(entries.values())


def _read_resource_cells(entry: _Entry, cells, row_number: int, report: _Report) -> None:
    for name, column in RESOURCE_COLUMN.items():
        raw = cells.get(column.header)
        if raw is None or str(raw).strip() == "":
            continue
        try:
            value = column.parse(raw)
        except CellError as exc:
            report.add(row_number, column.header, str(exc))
            continue
        if name in entry.values and entry.values[name] != value:
            report.add(row_number, column.header,
                       _("与第 %(row)d 行同一资源（%(key)s）的“%(col)s”不一致，请只在第一行填写或保持一致。")
                       % {"row": entry.first_row, "key": entry.key, "col": column.header})
            continue
        entry.values.setdefault(name, value)


def entry_proposal(entry: _Entry) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in RESOURCE_COLUMN:
        default = [] if name in ("subjects", "sharing_method") else (
            False if name in ("is_open", "is_disclosure") else DEFAULTS.get(name, ""))
        data[name] = entry.values.get(name, default)
    data["publication_date"] = entry.values.get("publication_date")
    return data


def validate_entries(entries: list[_Entry], report: _Report) -> None:
    """Run the catalog rules on every entry; errors go to the row and column they concern."""
    reported = {(p["row"], p["column"]) for p in report.problems}
    for entry in entries:
        errors = check_entry(entry_proposal(entry), entry.items)
        for name, messages in errors.fields.items():
            column = RESOURCE_COLUMN.get(name)
            for message in messages:
                header = column.header if column else "资源序号"
                if (entry.first_row, header) not in reported:
                    report.add(entry.first_row, header, message)
        for index, fields in errors.items.items():
            row = entry.item_rows[index] if index < len(entry.item_rows) else entry.first_row
            for name, messages in fields.items():
                column = ITEM_COLUMN.get(name)
                for message in messages:
                    header = column.header if column else "信息项名称"
                    if (row, header) not in reported:
                        report.add(row, header, message)
        for message in errors.general:
            report.add(entry.first_row, "资源序号", message)


class _Progress:
    """Saves how far the task is, about ``PROGRESS_STEPS`` times over the file."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.step = 1

    def header(self, header: SheetHeader) -> None:
        job = self.job
        job.total_rows = max(job.total_rows - header.row, 0)
        job.header_row = header.row
        job.columns = [c.as_dict() for c in header.columns]
        self.step = max(1, min(500, job.total_rows // PROGRESS_STEPS))
        ImportJob.objects.filter(pk=job.pk).update(
            total_rows=job.total_rows, header_row=job.header_row, columns=job.columns)

    def rows(self, processed: int) -> None:
        if processed % self.step == 0:
            _progress(self.job, processed)

    def phase(self, phase: str) -> None:
        self.job.phase = phase
        ImportJob.objects.filter(pk=self.job.pk).update(phase=phase)


def import_job_run_now(job: ImportJob) -> ImportJob:
    """Do the import of ``job`` (called by the task; safe to call again: a finished job
    is left alone)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING):
            return job
        job.status, job.phase = ImportJob.Status.RUNNING, ImportJob.Phase.READING
        job.save(update_fields=["status", "phase"])
    report, progress = _Report(), _Progress(job)
    try:
        with job.file.open("rb") as stream:
            job.total_rows = count_rows(stream, job.original_name)
            ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
            progress.phase(ImportJob.Phase.CHECKING)
            entries = parse_entries(read_rows(stream, job.original_name), report,
                                    on_progress=progress.rows, on_header=progress.header)
    except FileRefused as exc:
        report.add(1, "", str(exc))
        for row, column, message in exc.cells:
            report.add(row, column, message)
        entries = []
    except Exception as exc:  # noqa: BLE001 - an unreadable file is a report, not a crash
        report.add(1, "", _("文件无法读取（%(e)s），请用模板另存后重试。") % {"e": exc.__class__.__name__})
        entries = []
    validate_entries(entries, report)
    if not report.problems and not entries:
        report.add((job.header_row or 1) + 1, "资源名称", _("文件中没有可导入的数据行。"))
    created = 0
    if not report.problems:
        progress.phase(ImportJob.Phase.SAVING)
        try:
            with transaction.atomic():
                for entry in entries:
                    resource_create(actor=job.uploaded_by, provider=job.department,
                                    data=entry_proposal(entry), items=entry.items)
                    created += 1
        except DomainError as exc:
            created = 0
            report.add(1, "", str(exc.message))
    job.report = report.sorted(entries)
    job.created_count = created
    job.processed_rows = job.total_rows
    job.status = ImportJob.Status.SUCCEEDED if created and not report.problems else ImportJob.Status.FAILED
    job.phase = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["report", "created_count", "processed_rows", "status", "phase",
                            "finished_at"])
    return job
