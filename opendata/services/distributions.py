"""Generating a dataset's published data and keeping it current (O1, O3).

:func:`dataset_data_generate` runs in a Celery task: the heavy work (DuckDB writing the
masked snapshot and the files) happens outside any transaction, then one short
transaction switches the dataset to the new files; the old files are deleted only after
that commit, so a download in flight never loses its file.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dataplane.storage import storage_delete, storage_save
from portal.models import Role
from portal.selectors import users_with_role
from portal.services.inbox import notify

from ..caching import catalog_touch
from ..data import DataError, current_source_version, generate, work_directory
from ..models import Dataset, Distribution
from ..vocab import FILE_FORMATS, DistributionFormat

logger = logging.getLogger(__name__)


def _fail(dataset_id: int, message: str, version_id: int | None) -> None:
    dataset = Dataset.objects.filter(pk=dataset_id).first()
    if dataset is None:
        return
    Dataset.objects.filter(pk=dataset_id).update(data_status=Dataset.DataStatus.FAILED,
                                                 data_error=message,
                                                 data_attempt_version_id=version_id)
    notify(users=users_with_role(Role.DATA_ADMIN, department=dataset.publisher_id),
           key=f"opendata:dataset:{dataset_id}:data-failed:{timezone.now():%Y%m%d%H}",
           title=_("开放数据生成失败：%(title)s") % {"title": dataset.title}, body=message,
           url=f"/open/manage/datasets/{dataset_id}/")


def dataset_data_generate(*, dataset_id: int) -> bool:
    """Generate the masked snapshot, CSV, XLSX and JSON of a published dataset.

    Idempotent: a dataset not published, or already generated from the current version
    with the current rules, is left alone by the sweep; running it again only replaces
    the files with equal ones. Returns whether new data was installed.
    """
    dataset = Dataset.objects.select_related("resource").filter(pk=dataset_id).first()
    if dataset is None or dataset.status != Dataset.Status.PUBLISHED:
        return False
    started = timezone.now()
    version = current_source_version(dataset.resource)
    version_id = version.pk if version is not None else None
    with work_directory() as work:
        try:
            generated = generate(dataset, work)
        except DataError as exc:
            _fail(dataset_id, str(exc), version_id)
            return False
        except Exception:
            logger.exception("Open data generation failed for dataset %s", dataset_id)
            _fail(dataset_id, _("生成数据时发生系统错误，已记录，请稍后重试或联系信息中心。"),
                  version_id)
            return False
        prefix = f"opendata/{dataset.uuid}"
        snapshot = storage_save(prefix, ".parquet", generated.snapshot)
        files = {f.format: (f, storage_save(prefix, f".{f.format}", f.path))
                 for f in generated.files}
    return _install(dataset_id, started, generated, snapshot, files)


@transaction.atomic
def _install(dataset_id, started, generated, snapshot: str, files: dict) -> bool:
    dataset = Dataset.objects.select_for_update().get(pk=dataset_id)
    new_names = [snapshot, *[name for _f, name in files.values()]]
    # The rules changed again while this ran: a newer generation is queued; discard.
    if dataset.status != Dataset.Status.PUBLISHED or (
            dataset.data_requested_at and dataset.data_requested_at > started):
        transaction.on_commit(lambda: [storage_delete(n) for n in new_names])
        return False
    old = [dataset.data_file.name] if dataset.data_file else []
    now = timezone.now()
    for fmt in (*FILE_FORMATS, DistributionFormat.API):
        dist, _created = Distribution.objects.get_or_create(dataset=dataset, format=fmt)
        if fmt in files:
            info, name = files[fmt]
            if dist.file:
                old.append(dist.file.name)
            dist.file, dist.byte_size, dist.checksum = name, info.size, info.checksum
        dist.modified_at = now
        dist.save()
    data_changed = dataset.source_version_id != generated.version.pk or not dataset.data_file
    dataset.data_file = snapshot
    dataset.data_columns = generated.columns
    dataset.row_count = generated.row_count
    dataset.source_version = dataset.data_attempt_version = generated.version
    dataset.data_status, dataset.data_error = Dataset.DataStatus.READY, ""
    dataset.data_modified_at = now
    if data_changed:
        dataset.modified_at = now
    dataset.save()
    catalog_touch()
    transaction.on_commit(lambda: [storage_delete(n) for n in old])
    return True


def datasets_needing_data() -> list[int]:
    """Published datasets whose entry has a current version they were not built from and
    have not already failed on: one query."""
    current = F("resource__data_state__current_version")
    return list(
        Dataset.objects.filter(status=Dataset.Status.PUBLISHED)
        .filter(resource__data_state__current_version__isnull=False)
        .filter(Q(source_version__isnull=True) | ~Q(source_version=current))
        .exclude(data_status=Dataset.DataStatus.PENDING)
        .exclude(data_status=Dataset.DataStatus.FAILED, data_attempt_version=current)
        .values_list("pk", flat=True))


def datasets_mark_for_refresh() -> list[int]:
    """Mark the datasets that need new data as pending; returns their ids to generate."""
    ids = datasets_needing_data()
    Dataset.objects.filter(pk__in=ids).update(data_status=Dataset.DataStatus.PENDING,
                                              data_requested_at=timezone.now())
    return ids
