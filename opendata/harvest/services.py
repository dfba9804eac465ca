"""Harvest services: registering sources (the center), queuing and running jobs.

A run reads the source (see :mod:`.remote`), then in batches creates, updates or
reactivates the harvested datasets whose content changed (compared by hash, so a re-run
writes nothing and creates no duplicate: one row per source and remote id), withdraws
those the source no longer lists, and writes a report line per created, updated,
withdrawn or broken record. Progress is committed batch by batch, so the admin shows it
while the run goes on. An unreachable source fails the job with the reason.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import Conflict, NotPermitted, ValidationFailed
from portal.models import Department, User
from portal.policies import is_center
from portal.search import search_vectors_update, segment

from .models import HarvestedDataset, HarvestJob, HarvestRecord, HarvestSource
from .remote import RemoteRecord, SourceUnavailable, reader_for

BATCH = 500
# Go back a little before the watermark: clocks of two servers are never exactly equal
# (ckanext-harvest does the same).
WATERMARK_SLACK = timedelta(hours=1)
FIELDS = ("remote_name", "title", "description", "keywords", "theme", "licence",
          "origin_publisher", "origin_url", "resources", "remote_modified")


def _require_center(actor: User | None) -> None:
    if actor is not None and not is_center(actor):
        raise NotPermitted(_("只有信息中心可以管理采集来源。"))


@transaction.atomic
def harvest_source_register(*, actor: User, name: str, kind: str, url: str,
                            department: Department,
                            frequency: str = HarvestSource.Frequency.DAILY,
                            fq: str = "") -> HarvestSource:
    """The center registers a remote catalog and the department that publishes it."""
    _require_center(actor)
    errors = {}
    if kind not in HarvestSource.Kind.values:
        errors["kind"] = [_("请选择来源类型。")]
    if frequency not in HarvestSource.Frequency.values:
        errors["frequency"] = [_("请选择采集频率。")]
    if not url.startswith(("http://", "https://")):
        errors["url"] = [_("请填写以 http:// 或 https:// 开头的地址。")]
    if HarvestSource.objects.filter(name=name).exists():
        errors["name"] = [_("已有同名的采集来源。")]
    if errors:
        raise ValidationFailed(_("采集来源信息有误，请按提示修改。"), fields=errors)
    return HarvestSource.objects.create(
        name=name, kind=kind, url=url, department=department, frequency=frequency, fq=fq,
        created_by=actor, next_run_at=timezone.now())


def harvest_job_queue(*, actor: User | None, source: HarvestSource,
                      full: bool = False) -> HarvestJob:
    """Open a job for ``source`` and run it in Celery after commit (one open job per
    source; ``full`` re-reads everything, so removals in a DCAT catalog are seen too)."""
    _require_center(actor)
    from .tasks import harvest_job_run_task

    try:
        with transaction.atomic():
            if full:
                HarvestSource.objects.filter(pk=source.pk).update(watermark=None)
            job = HarvestJob.objects.create(source=source)
    except IntegrityError:
        raise Conflict(_("该来源已有正在进行的采集任务。"), target=source) from None
    transaction.on_commit(lambda: harvest_job_run_task.delay(job.pk))
    return job


def harvest_due(*, now=None) -> list[HarvestJob]:
    """Queue a job for every active source whose next run is due (one indexed query),
    and move its next run on by its interval."""
    now = now or timezone.now()
    jobs = []
    due = HarvestSource.objects.filter(is_active=True, next_run_at__lte=now).exclude(
        frequency=HarvestSource.Frequency.MANUAL)
    for source in due:
        HarvestSource.objects.filter(pk=source.pk).update(
            next_run_at=now + HarvestSource.INTERVALS[source.frequency])
        try:
            jobs.append(harvest_job_queue(actor=None, source=source))
        except Conflict:
            continue
    return jobs


def _apply(job: HarvestJob, batch: list[RemoteRecord]) -> None:
    """Write one batch: creates, updates and reactivations, and their report lines."""
    source = job.source
    broken = [r for r in batch if r.error]
    good = {r.remote_id: r for r in batch if not r.error}
    known = {d.remote_id: d for d in HarvestedDataset.objects.filter(
        source=source, remote_id__in=list(good))}
    now = timezone.now()
    new, changed, lines = [], [], []
    for remote_id, record in good.items():
        digest = record.content_hash()
        values = {f: getattr(record, f) for f in FIELDS}
        values["title"] = values["title"][:300]
        dataset = known.get(remote_id)
        if dataset is None:
            dataset = HarvestedDataset(source=source, remote_id=remote_id,
                                       publisher_id=source.department_id, content_hash=digest,
                                       harvested_at=now, **values)
            new.append(dataset)
            lines.append(HarvestRecord(job=job, remote_id=remote_id, title=values["title"],
                                       action=HarvestRecord.Action.CREATED))
            continue
        if dataset.content_hash == digest and dataset.status == HarvestedDataset.Status.ACTIVE:
            continue
        for name, value in values.items():
            setattr(dataset, name, value)
        dataset.content_hash, dataset.harvested_at = digest, now
        dataset.status, dataset.withdrawn_at, dataset.withdraw_reason = (
            HarvestedDataset.Status.ACTIVE, None, "")
        dataset.publisher_id = source.department_id
        changed.append(dataset)
        lines.append(HarvestRecord(job=job, remote_id=remote_id, title=values["title"],
                                   action=HarvestRecord.Action.UPDATED))
    for dataset in new + changed:
        dataset.source = source
        dataset.search_text = segment(dataset.search_document())
    lines += [HarvestRecord(job=job, remote_id=r.remote_id[:300], title=r.title[:300],
                            action=HarvestRecord.Action.ERROR, message=r.error)
              for r in broken]
    with transaction.atomic():
        HarvestedDataset.objects.bulk_create(new, batch_size=BATCH)
        HarvestedDataset.objects.bulk_update(
            changed, [*FIELDS, "content_hash", "harvested_at", "status", "withdrawn_at",
                      "withdraw_reason", "publisher", "search_text"], batch_size=BATCH)
        HarvestRecord.objects.bulk_create(lines, batch_size=BATCH)
        search_vectors_update(HarvestedDataset, [d.pk for d in new + changed])
        unchanged = len(good) - len(new) - len(changed)
        HarvestJob.objects.filter(pk=job.pk).update(
            processed=F("processed") + len(batch), created=F("created") + len(new),
            updated=F("updated") + len(changed), unchanged=F("unchanged") + unchanged,
            errors=F("errors") + len(broken))


def _withdraw_missing(job: HarvestJob, existing: set[str], *, by_name: bool) -> int:
    """Withdraw the source's active datasets it no longer lists."""
    active = HarvestedDataset.objects.filter(source=job.source,
                                             status=HarvestedDataset.Status.ACTIVE)
    key = "remote_name" if by_name else "remote_id"
    gone = [d for d in active.only("pk", "remote_id", "remote_name", "title")
            if getattr(d, key) not in existing]
    if not gone:
        return 0
    reason = _("来源目录已不再提供该数据集。")
    with transaction.atomic():
        HarvestedDataset.objects.filter(pk__in=[d.pk for d in gone]).update(
            status=HarvestedDataset.Status.WITHDRAWN, withdrawn_at=timezone.now(),
            withdraw_reason=reason)
        HarvestRecord.objects.bulk_create([
            HarvestRecord(job=job, remote_id=d.remote_id, title=d.title,
                          action=HarvestRecord.Action.WITHDRAWN, message=reason) for d in gone],
            batch_size=BATCH)
        HarvestJob.objects.filter(pk=job.pk).update(withdrawn=F("withdrawn") + len(gone))
    return len(gone)


def harvest_job_run(*, job_id: int) -> HarvestJob:
    """Run a queued job to its end; safe to call twice (a job runs once)."""
    with transaction.atomic():
        job = HarvestJob.objects.select_for_update().select_related("source").get(pk=job_id)
        if job.status != HarvestJob.Status.QUEUED:
            return job
        source = job.source
        since = source.watermark - WATERMARK_SLACK if source.watermark else None
        job.status, job.started_at, job.incremental_since = (
            HarvestJob.Status.RUNNING, timezone.now(), since)
        job.save(update_fields=["status", "started_at", "incremental_since"])
    reader = reader_for(source)
    try:
        batch: list[RemoteRecord] = []
        for record in reader.records(since):
            batch.append(record)
            if len(batch) >= BATCH:
                _apply(job, batch)
                HarvestJob.objects.filter(pk=job.pk).update(total=reader.total,
                                                            requests=reader.requests)
                batch = []
        if batch:
            _apply(job, batch)
        existing = reader.existing()
        if existing is not None:
            _withdraw_missing(job, existing, by_name=source.kind != HarvestSource.Kind.DCAT)
    except SourceUnavailable as exc:
        HarvestJob.objects.filter(pk=job.pk).update(
            status=HarvestJob.Status.FAILED, reason=str(exc), finished_at=timezone.now(),
            requests=reader.requests)
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    job.status, job.finished_at, job.requests = (HarvestJob.Status.DONE, timezone.now(),
                                                 reader.requests)
    job.total = max(job.total, reader.total, job.processed)
    job.save(update_fields=["status", "finished_at", "requests", "total"])
    if job.errors == 0:  # a broken record is asked for again next time
        HarvestSource.objects.filter(pk=source.pk).update(watermark=job.started_at)
    return job
