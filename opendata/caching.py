"""Validators for HTTP caching of the public catalog (ETag / Last-Modified).

The open catalog changes only when a dataset is published, updated or withdrawn. Those
services call :func:`catalog_touch` on commit; pages and exports answer conditional
requests from :func:`catalog_stamp` without rendering anything.
"""

import hashlib
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max

_KEY = "opendata:catalog-stamp"


def _compute() -> tuple[str, float]:
    from .models import Dataset

    agg = Dataset.objects.filter(status__in=[Dataset.Status.PUBLISHED,
                                             Dataset.Status.WITHDRAWN]).aggregate(
        modified=Max("modified_at"), withdrawn=Max("withdrawn_at"), count=Count("pk"))
    stamps = [d for d in (agg["modified"], agg["withdrawn"]) if d is not None]
    last = max(stamps).timestamp() if stamps else 0.0
    return f"{last}:{agg['count']}", last


def catalog_stamp() -> tuple[str, datetime | None]:
    """An ETag for the whole open catalog and the time it last changed."""
    value = cache.get(_KEY)
    if value is None:
        value = _compute()
        cache.set(_KEY, value, 300)
    raw, last = value
    etag = hashlib.md5(raw.encode(), usedforsecurity=False).hexdigest()
    return etag, (datetime.fromtimestamp(last, tz=UTC) if last else None)


def catalog_touch() -> None:
    """Forget the stamp once the current transaction commits."""
    transaction.on_commit(lambda: cache.delete(_KEY))


def dataset_etag(dataset, *extra: str) -> str:
    raw = ":".join([str(dataset.pk), str(dataset.updated_at.timestamp()),
                    str(dataset.modified_at.timestamp() if dataset.modified_at else ""), *extra])
    return hashlib.md5(raw.encode(), usedforsecurity=False).hexdigest()
