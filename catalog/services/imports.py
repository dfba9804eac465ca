"""Spreadsheet import (C10): validated row by row, all or nothing, in a Celery task.

``import_job_create`` stores the upload and queues ``catalog.tasks.import_job_run``. The
task reads the rows (progress saved every ``PROGRESS_EVERY`` rows so the page can show
it), parses every cell, groups rows into entries by ``资源序号``, runs the catalog rules
on each entry and maps every error back to its row and column. Only when no row has a
problem are the entries created — as drafts, through ``resource_create``, in one
transaction.
"""

from __future__ import annotations

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
    HEADERS,
    ITEM_COLUMN,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    RESOURCE_COLUMN,
    CellError,
    Column,
    FileRefused,
    count_rows,
    read_rows,
)
from .resources import resource_create

PROGRESS_EVERY = 100


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

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append({"row": row, "column": column, "message": str(message)})

    def sorted(self) -> list[dict[str, Any]]:
        return sorted(self.problems, key=lambda p: (p["row"], HEADERS.index(p["column"])
                                                    if p["column"] in HEADERS else -1))


def _progress(job: ImportJob, processed: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed)


def parse_entries(rows, report: _Report, on_progress=None) -> list[_Entry]:
    """Rows → entries, with every unreadable cell and inconsistency in ``report``."""
    rows = iter(rows)
    try:
        header = [str(v).strip() if v is not None else "" for v in next(rows)]
    except StopIteration:
        report.add(1, "", _("文件是空的，请按模板填写。"))
        return []
    positions = {name: index for index, name in enumerate(header) if name}
    missing = [c.header for c in COLUMNS if c.required and c.header not in positions]
    if missing:
        report.add(1, missing[0], _("缺少必需的列：%(cols)s。请使用下载的模板。") % {"cols": "、".join(missing)})
        return []
    entries: OrderedDict[str, _Entry] = OrderedDict()
    processed = 0
    for row_number, raw in enumerate(rows, start=2):
        cells = {name: (raw[i] if i < len(raw) else None) for name, i in positions.items()}
        if not any(v not in (None, "") and str(v).strip() for v in cells.values()):
            continue
        processed += 1
        if processed > MAX_ROWS:
            report.add(row_number, "", _("超过 %(n)d 行，请拆分后分批导入。") % {"n": MAX_ROWS})
            break
        if on_progress and processed % PROGRESS_EVERY == 0:
            on_progress(processed)
        key = str(cells.get("资源序号") or "").strip()
        if not key:
            report.add(row_number, "资源序号", _("请填写资源序号；同一资源的各行填写相同序号。"))
            continue
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = _Entry(key, row_number)
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
    if on_progress:
        on_progress(processed)
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


def import_job_run_now(job: ImportJob) -> ImportJob:
    """Do the import of ``job`` (called by the task; safe to call again: a finished job
    is left alone)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING):
            return job
        job.status = ImportJob.Status.RUNNING
        job.save(update_fields=["status"])
    report = _Report()
    try:
        with job.file.open("rb") as stream:
            job.total_rows = count_rows(stream, job.original_name)
            ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
            entries = parse_entries(read_rows(stream, job.original_name), report,
                                    on_progress=lambda n: _progress(job, n))
    except FileRefused as exc:
        report.add(1, "", str(exc))
        entries = []
    except Exception as exc:  # noqa: BLE001 - an unreadable file is a report, not a crash
        report.add(1, "", _("文件无法读取（%(e)s），请用模板另存后重试。") % {"e": exc.__class__.__name__})
        entries = []
    validate_entries(entries, report)
    if not report.problems and not entries:
        report.add(2, "资源序号", _("文件中没有可导入的数据行。"))
    created = 0
    if not report.problems:
        try:
            with transaction.atomic():
                for entry in entries:
                    resource_create(actor=job.uploaded_by, provider=job.department,
                                    data=entry_proposal(entry), items=entry.items)
                    created += 1
        except DomainError as exc:
            created = 0
            report.add(1, "", str(exc.message))
    job.report = report.sorted()
    job.created_count = created
    job.processed_rows = job.total_rows
    job.status = ImportJob.Status.SUCCEEDED if created and not report.problems else ImportJob.Status.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["report", "created_count", "processed_rows", "status", "finished_at"])
    return job
