"""Data versions (S9): upload, whole-file validation in a task, switching the current one.

The raw upload is stored first and a Celery task checks and converts it. Only a clean
file becomes current, in one transaction that also retires the previous version; a bad
file ends FAILED with its report and leaves the current version in place.
"""

import logging
import shutil
import tempfile
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import UPDATE_CYCLE_DAYS, DataItem, Resource
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Notification, Role, User
from portal.selectors import users_with_role
from portal.services.inbox import notify
from portal.workflow import transition_apply

from ..conf import dataplane_setting, engine_config, work_dir
from ..engine.encoding import ENCODINGS
from ..engine.ingest import IngestReport, ingest
from ..engine.types import Column, ColumnType
from ..errors import PayloadTooLarge
from ..models import VERSION_TRANSITIONS, DataVersion, ResourceData
from ..policies import can_restore_version, can_upload_version
from ..storage import file_sha256, local_path, storage_delete, storage_save

logger = logging.getLogger(__name__)

EXTENSIONS = {
    ".csv": DataVersion.Format.CSV, ".txt": DataVersion.Format.CSV,
    ".xlsx": DataVersion.Format.XLSX,
    ".json": DataVersion.Format.JSON, ".jsonl": DataVersion.Format.JSON,
    ".ndjson": DataVersion.Format.JSON,
}


def version_url(version: DataVersion) -> str:
    return reverse("dataplane:version_detail", args=[version.resource.code, version.pk])


def detect_format(filename: str, declared: str = "") -> str:
    if declared:
        if declared not in DataVersion.Format.values:
            raise ValidationFailed(_("文件格式只能是 CSV、XLSX 或 JSON。"),
                                   fields={"format": [_("请选择 CSV、XLSX 或 JSON。")]})
        return declared
    suffix = Path(filename).suffix.lower()
    if suffix == ".xls":
        raise ValidationFailed(_("不支持旧版 .xls 文件。"), fields={
            "file": [_("请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后重新上传。")]})
    if suffix not in EXTENSIONS:
        raise ValidationFailed(_("无法从文件名判断格式。"), fields={
            "file": [_("请上传 .csv、.xlsx 或 .json 文件，或指定文件格式。")]})
    return EXTENSIONS[suffix]


def engine_columns(resource: Resource) -> list[Column]:
    """The resource's live data items as engine columns, in catalog order."""
    items = DataItem.objects.filter(resource=resource, retired=False).order_by("position", "pk")
    return [
        Column(item_id=item.pk, name=item.name, type=ColumnType(item.data_type),
               length=item.length if item.data_type == "string" else None,
               aliases=(item.field_name,) if item.field_name else (), is_key=item.is_key)
        for item in items
    ]


def _state_locked(resource: Resource) -> ResourceData:
    ResourceData.objects.get_or_create(resource=resource)
    return (ResourceData.objects.select_for_update(of=("self",))
            .select_related("current_version").get(resource=resource))


def version_upload(*, actor: User, resource: Resource, upload: UploadedFile, fmt: str = "",
                   encoding: str = "auto", note: str = "") -> DataVersion:
    """Store the upload and queue its validation; returns the PENDING version."""
    if not can_upload_version(actor, resource):
        raise NotPermitted(_("只有提供部门的数据管理员可以上传已注册资源的数据。"),
                           target=resource, action="upload")
    if not engine_columns(resource):
        raise ValidationFailed(_("该资源没有信息项，无法上传数据。请先在目录中补充信息项。"))
    limit = int(dataplane_setting("UPLOAD_MAX_BYTES"))
    if upload.size is not None and upload.size > limit:
        raise PayloadTooLarge(_("文件超过 %(mb)d MB 的上限，请拆分后分批上传或联系信息中心。")
                              % {"mb": limit // 1024**2})
    if encoding not in ENCODINGS:
        raise ValidationFailed(_("不支持的编码。"), fields={"encoding": [_("请选择自动识别、UTF-8、GBK 或 UTF-16。")]})
    fmt = detect_format(upload.name or "", fmt)
    stored = storage_save(f"dataplane/uploads/{resource.pk}", f".{fmt}", upload)
    try:
        with transaction.atomic():
            state = _state_locked(resource)
            state.last_number += 1
            state.save(update_fields=["last_number", "updated_at"])
            version = DataVersion.objects.create(
                resource=resource, number=state.last_number, note=note[:200],
                source_name=Path(upload.name or "upload").name[:255], source_format=fmt,
                source_encoding=encoding, source_size=upload.size or 0, source_file=stored,
                uploaded_by=actor, stage=_("等待处理"),
            )
            from ..tasks import version_process_task

            version_process_task.delay_on_commit(version.pk)
    except BaseException:
        storage_delete(stored)
        raise
    return version


def _progress(version_id: int):
    def report(percent: int, message: str) -> None:
        DataVersion.objects.filter(pk=version_id).update(
            progress=percent, stage=message[:100], heartbeat_at=timezone.now())
    return report


def _stale_before() -> datetime:
    return timezone.now() - timedelta(seconds=int(dataplane_setting("INGEST_STALE_SECONDS")))


def _claim(version_id: int) -> DataVersion | None:
    """Take the version's lease and move it to PROCESSING.

    None when there is nothing to do: the version is finished (a redelivered task), or
    another worker holds a fresh lease on it. A version whose workers died
    ``INGEST_MAX_ATTEMPTS`` times (a file that kills the process, say) fails with a
    report instead of being tried forever.
    """
    with transaction.atomic():
        version = (DataVersion.objects.select_for_update(of=("self",))
                   .select_related("resource").filter(pk=version_id).first())
        if version is None or version.is_finished:
            return None
        restart = version.status == DataVersion.Status.PROCESSING
        if restart and version.heartbeat_at and version.heartbeat_at >= _stale_before():
            return None
        if version.attempts >= int(dataplane_setting("INGEST_MAX_ATTEMPTS")):
            _give_up(version)
            return None
        version.attempts += 1
        version.heartbeat_at = timezone.now()
        version.progress = 0
        version.stage = _("正在校验（第 %(n)d 次）") % {"n": version.attempts} if restart \
            else _("正在校验")
        transition_apply(obj=version, table=VERSION_TRANSITIONS,
                         action="restart" if restart else "start", actor=None)
        return version


def _give_up(version: DataVersion) -> None:
    message = _("处理进程 %(n)d 次意外中断，已停止处理。请检查文件后重新上传，或联系信息中心。") % {
        "n": version.attempts}
    version.report = IngestReport().fail(message).as_dict()
    version.stage = message[:100]
    version.processed_at = timezone.now()
    transition_apply(obj=version, table=VERSION_TRANSITIONS, action="fail", actor=None,
                     comment=message)
    _notify_uploader(version, ok=False)
    raw = version.source_file
    version.source_file = ""
    version.save()
    transaction.on_commit(lambda: storage_delete(raw))


class _Heartbeat:
    """Refresh the version's lease every ``INGEST_HEARTBEAT_SECONDS`` while the
    conversion runs (DuckDB may spend minutes in one step without reporting progress)."""

    def __init__(self, version_id: int) -> None:
        self.version_id = version_id
        # Well inside the lease, however short a deployment sets it.
        self.interval = min(float(dataplane_setting("INGEST_HEARTBEAT_SECONDS")),
                            int(dataplane_setting("INGEST_STALE_SECONDS")) / 4)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"heartbeat-{version_id}",
                                       daemon=True)

    def _run(self) -> None:
        from django.db import connection

        try:
            while not self.stopped.wait(self.interval):
                DataVersion.objects.filter(pk=self.version_id,
                                           status=DataVersion.Status.PROCESSING
                                           ).update(heartbeat_at=timezone.now())
        finally:
            connection.close()

    def __enter__(self) -> "_Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join(timeout=self.interval + 5)


def versions_recover() -> list[int]:
    """Queue again the versions whose worker died (lease expired) or whose task never
    arrived (pending, untouched for as long); returns their ids. Run every minute."""
    from ..tasks import version_process_task

    stale = _stale_before()
    unfinished = DataVersion.objects.filter(
        status__in=[DataVersion.Status.PENDING, DataVersion.Status.PROCESSING])
    lost = list(unfinished.filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, uploaded_at__lt=stale))
        .values_list("pk", flat=True))
    for pk in lost:
        # Touch the lease so the next sweep waits a full period before asking again.
        DataVersion.objects.filter(pk=pk, status=DataVersion.Status.PENDING).update(
            heartbeat_at=timezone.now())
        version_process_task.delay_on_commit(pk)
    if lost:
        logger.warning("Data versions %s were left unfinished by a lost worker or task; "
                       "queued again.", lost)
    return lost


def _due_date(resource: Resource, state: ResourceData) -> date | None:
    """When the version now arriving was due, by the update cycle (HN-39(4))."""
    if state.next_due_on is not None:
        return state.next_due_on
    days = UPDATE_CYCLE_DAYS.get(resource.update_cycle)
    if days is None or resource.registered_at is None:
        return None
    return timezone.localdate(resource.registered_at) + timedelta(days=days)


def _notify_uploader(version: DataVersion, ok: bool) -> None:
    if version.uploaded_by is None:
        return
    title = (_("数据版本 v%(n)d 已启用：%(res)s") if ok
             else _("数据版本 v%(n)d 校验未通过：%(res)s")) % {
        "n": version.number, "res": version.resource.name}
    notify(users=[version.uploaded_by], key=f"dataversion:{version.pk}:done", title=title,
           url=version_url(version),
           level=Notification.Level.INFO if ok else Notification.Level.REMINDER)


def _finish(version_id: int, report, parquet: Path | None) -> DataVersion | None:
    stored = ""
    if report.ok and parquet is not None:
        stored = storage_save(f"dataplane/versions/{version_id}", ".parquet", parquet)
    with transaction.atomic():
        version = (DataVersion.objects.select_for_update(of=("self",))
                   .select_related("resource").get(pk=version_id))
        if version.status != DataVersion.Status.PROCESSING:
            storage_delete(stored)  # another run finished first
            return None
        version.report = report.as_dict()
        version.detected_encoding = report.encoding
        version.processed_at = timezone.now()
        version.progress = 100
        if not report.ok:
            version.stage = _("校验未通过，当前版本未改变")
            transition_apply(obj=version, table=VERSION_TRANSITIONS, action="fail", actor=None,
                             comment=_("共 %(n)d 处问题") % {"n": report.problem_count})
        else:
            resource = version.resource
            state = _state_locked(resource)
            today = timezone.localdate()
            due = _due_date(resource, state)
            version.due_on = due
            version.days_late = max(0, (today - due).days) if due else 0
            version.parquet_file = stored
            version.parquet_size = parquet.stat().st_size
            version.checksum = file_sha256(parquet)
            version.row_count = report.rows
            version.schema = report.schema
            version.activated_at = timezone.now()
            version.stage = _("已启用")
            previous = state.current_version
            if previous is not None:
                previous = DataVersion.objects.select_for_update().get(pk=previous.pk)
                transition_apply(obj=previous, table=VERSION_TRANSITIONS, action="supersede",
                                 actor=None, comment=f"v{version.number}")
            transition_apply(obj=version, table=VERSION_TRANSITIONS, action="activate",
                             actor=None)
            days = UPDATE_CYCLE_DAYS.get(resource.update_cycle)
            state.current_version = version
            state.next_due_on = today + timedelta(days=days) if days else None
            state.save(update_fields=["current_version", "next_due_on", "updated_at"])
        _notify_uploader(version, report.ok)
        raw = version.source_file
        version.source_file = ""
        version.save()
    transaction.on_commit(lambda: storage_delete(raw))
    return version


def version_process(*, version_id: int) -> DataVersion | None:
    """Validate and convert one upload (run by the Celery task; safe to run twice)."""
    version = _claim(version_id)
    if version is None:
        return None
    for leftover in work_dir().glob(f"version-{version_id}-*"):  # of a worker that died
        shutil.rmtree(leftover, ignore_errors=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"version-{version_id}-", dir=work_dir()))
    try:
        with _Heartbeat(version_id):
            source = local_path(version.source_file, into=scratch)
            target = scratch / "data.parquet"
            report = ingest(
                source, version.source_format, engine_columns(version.resource), target,
                work_dir=scratch, encoding=version.source_encoding, config=engine_config(),
                progress=_progress(version_id),
            )
        return _finish(version_id, report, target if report.ok else None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@transaction.atomic
def version_restore(*, actor: User, version: DataVersion, comment: str = "") -> DataVersion:
    """Make an earlier version current again (e.g. after a wrong upload)."""
    version = (DataVersion.objects.select_for_update(of=("self",))
               .select_related("resource").get(pk=version.pk))
    if not can_restore_version(actor, version.resource):
        raise NotPermitted(_("只有提供部门的数据管理员可以恢复历史版本。"), target=version,
                           action="restore")
    state = _state_locked(version.resource)
    previous = state.current_version
    if previous is not None and previous.pk != version.pk:
        previous = DataVersion.objects.select_for_update().get(pk=previous.pk)
        transition_apply(obj=previous, table=VERSION_TRANSITIONS, action="supersede",
                         actor=actor, comment=f"v{version.number}")
    transition_apply(obj=version, table=VERSION_TRANSITIONS, action="restore", actor=actor,
                     comment=comment)
    state.current_version = version
    state.save(update_fields=["current_version", "updated_at"])
    return version


def versions_overdue_notify(*, today: date | None = None) -> int:
    """Tell providers whose data is past its update cycle (once per due date)."""
    today = today or timezone.localdate()
    overdue = (ResourceData.objects.filter(next_due_on__lt=today)
               .exclude(overdue_notified_for=F("next_due_on"))
               .select_related("resource"))
    count = 0
    for state in overdue:
        resource = state.resource
        users = users_with_role(Role.DATA_ADMIN, department=resource.provider_id)
        notify(users=users, key=f"dataplane:overdue:{resource.pk}:{state.next_due_on}",
               title=_("数据未按更新周期更新：%(res)s") % {"res": resource.name},
               body=_("应于 %(day)s 前上传新版本数据（更新周期：%(cycle)s）。") % {
                   "day": state.next_due_on.isoformat(),
                   "cycle": resource.get_update_cycle_display()},
               url=reverse("dataplane:resource", args=[resource.code]),
               level=Notification.Level.REMINDER)
        ResourceData.objects.filter(pk=state.pk).update(overdue_notified_for=state.next_due_on)
        count += 1
    return count
