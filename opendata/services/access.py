"""Reading open data (O4, O5, O6, HY-21): the data API, CKAN ``datastore_search`` and
file downloads.

Every face (the REST API, the CKAN API, the download links) calls :func:`open_rows_read`
or :func:`open_file_read` with a :class:`~dataplane.consumer.Consumer` saying who
reads through which channel, as the data plane's delivery service does for shared data.
Each read asks the policy once; a refusal is written to the hash-chained access log and
raised as :class:`DataHidden`, which carries why in words (the dataset's page is public,
so the pages and the REST API answer 403 with that reason; the CKAN API, which only knows
"not found", keeps its 404); an allowed read is logged and counted on the dataset.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils.translation import gettext as _

from dataplane.consumer import Consumer
from dataplane.models import AccessLogEntry
from dataplane.models.accesslog import OPEN_DATA_PURPOSE_PREFIX
from dataplane.services.accesslog import accesslog_append

from ..data import RowsQuery, RowsResult, rows_query
from ..models import AccessApplication, Dataset, DatasetField, Distribution
from .datasets import dataset_count

Action = AccessLogEntry.Action
Channel = AccessLogEntry.Channel

# The purpose recorded for open data (the log's purpose column is short).
PURPOSE_OPEN = f"{OPEN_DATA_PURPOSE_PREFIX}unconditional"


class DataHidden(Http404):
    """The caller may not read this dataset's data (conditional, not approved); the
    message says why and what to do (``selectors.access_refusal``)."""


def _purpose(application: AccessApplication | None) -> str:
    if application is None:
        return PURPOSE_OPEN
    return f"{OPEN_DATA_PURPOSE_PREFIX}application:{application.pk}"


def _record(consumer: Consumer, dataset: Dataset, action: str, *, allowed: bool,
            application: AccessApplication | None = None,
            parameters: dict[str, Any] | None = None, rows: int = 0, reason: str = "") -> None:
    """Append one access-log entry for a public access and count it on the dataset."""
    fields = list(DatasetField.objects.filter(dataset=dataset, included=True)
                  .values_list("column", "mask_rule"))
    accesslog_append(
        user=consumer.user, department=consumer.department, resource=dataset.resource,
        action=action, channel=consumer.channel, allowed=allowed,
        version=dataset.source_version, token=consumer.token, purpose=_purpose(application),
        parameters={"dataset": dataset.name, **(parameters or {})},
        items=[c for c, _r in fields] if allowed else [],
        masked_items=[c for c, r in fields if r] if allowed else [],
        rows_returned=rows, reason=reason, ip_address=consumer.ip_address,
    )
    if allowed:
        dataset_count(dataset=dataset,
                      field="download_count" if action == Action.DOWNLOAD else "api_call_count")


def data_access(*, user, dataset: Dataset) -> tuple[bool, AccessApplication | None]:
    """May ``user`` read the dataset's data; and the approved application it rests on."""
    from ..policies import can_download_dataset
    from ..selectors import application_valid

    user = user or AnonymousUser()
    if not can_download_dataset(user, dataset):
        return False, None
    return True, application_valid(user, dataset) if user.is_authenticated else None


def _admit(consumer: Consumer, dataset: Dataset, action: str,
           parameters: dict[str, Any] | None) -> AccessApplication | None:
    """The policy question, asked once; a refusal is logged, then raised."""
    allowed, application = data_access(user=consumer.user, dataset=dataset)
    if not allowed:
        _record(consumer, dataset, action, allowed=False, parameters=parameters,
                reason=_("有条件开放数据，未获批准"))
        from ..selectors import access_refusal

        raise DataHidden(access_refusal(consumer.user or AnonymousUser(), dataset))
    return application


def open_rows_read(*, consumer: Consumer, dataset: Dataset, query: RowsQuery,
                   count: bool = True, parameters: dict[str, Any] | None = None) -> RowsResult:
    """Records of a dataset (data API, ``datastore_search``), checked and logged.

    Raises :class:`DataHidden`, :class:`~opendata.data.QueryError` (bad filter, sort or
    field) or :class:`~opendata.data.DataUnavailable` (no generated data yet).
    """
    application = _admit(consumer, dataset, Action.QUERY, None)
    result = rows_query(dataset, query, count=count)
    _record(consumer, dataset, Action.QUERY, allowed=True, application=application,
            rows=len(result.rows), parameters=parameters)
    return result


def ready_distribution(dataset: Dataset, fmt: str) -> Distribution | None:
    """The dataset's generated file in ``fmt``, when its data is ready."""
    if dataset.data_status != Dataset.DataStatus.READY:
        return None
    return next((d for d in dataset.distributions.all() if d.format == fmt and d.file), None)


def open_file_read(*, consumer: Consumer, dataset: Dataset, fmt: str) -> Distribution:
    """The generated file to send for a download, checked and logged.

    Raises :class:`DataHidden` when refused, ``Http404`` when there is no such file.
    """
    parameters = {"format": fmt}
    application = _admit(consumer, dataset, Action.DOWNLOAD, parameters)
    dist = ready_distribution(dataset, fmt)
    if dist is None:
        raise Http404
    _record(consumer, dataset, Action.DOWNLOAD, allowed=True, application=application,
            parameters=parameters, rows=dataset.row_count or 0)
    return dist
