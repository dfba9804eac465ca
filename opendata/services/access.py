"""Access logging of open data (O6, HY-21): every download and data-API call, allowed or
refused, goes into the data plane's hash-chained access log, and is counted."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dataplane.models import AccessLogEntry
from dataplane.services.accesslog import accesslog_append
from portal.models import ApiToken
from portal.services.audit import client_ip

from ..models import AccessApplication, Dataset, DatasetField
from .datasets import dataset_count

Action = AccessLogEntry.Action
Channel = AccessLogEntry.Channel

# The purpose recorded for open data (the log's purpose column is short).
PURPOSE_OPEN = "open:unconditional"


def _purpose(application: AccessApplication | None) -> str:
    return f"open:application:{application.pk}" if application is not None else PURPOSE_OPEN


def open_access_record(*, request: HttpRequest, dataset: Dataset, action: str, channel: str,
                       allowed: bool, token: ApiToken | None = None,
                       application: AccessApplication | None = None,
                       parameters: dict[str, Any] | None = None, rows: int = 0,
                       reason: str = "") -> None:
    """Append one access-log entry for a public access and count it on the dataset."""
    user = token.user if token is not None else getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    fields = list(DatasetField.objects.filter(dataset=dataset, included=True)
                  .values_list("column", "mask_rule"))
    accesslog_append(
        user=user, department=getattr(user, "department", None), resource=dataset.resource,
        action=action, channel=channel, allowed=allowed, version=dataset.source_version,
        token=token, purpose=_purpose(application),
        parameters={"dataset": dataset.name, **(parameters or {})},
        items=[c for c, _r in fields] if allowed else [],
        masked_items=[c for c, r in fields if r] if allowed else [],
        rows_returned=rows, reason=reason, ip_address=client_ip(request),
    )
    if allowed:
        dataset_count(dataset=dataset,
                      field="download_count" if action == Action.DOWNLOAD else "api_call_count")


def data_access(*, user, dataset: Dataset) -> tuple[bool, AccessApplication | None]:
    """May ``user`` read the dataset's data; and the approved application it rests on."""
    from ..policies import can_download_dataset
    from ..selectors import application_valid

    if not can_download_dataset(user, dataset):
        return False, None
    return True, application_valid(user, dataset) if user.is_authenticated else None
