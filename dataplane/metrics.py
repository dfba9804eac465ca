"""The data plane's Prometheus collector: data versions ingested and waiting, read from
the database at scrape time (registered with ``portal.metrics`` in ``apps.py``)."""

import logging

from django.db.models import Count, Sum
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .models import DataVersion

logger = logging.getLogger(__name__)


class IngestionCollector:
    """Data versions processed so far and waiting, from the database."""

    def collect(self):
        done = (DataVersion.Status.CURRENT, DataVersion.Status.SUPERSEDED)
        try:
            totals = DataVersion.objects.filter(status__in=done).aggregate(
                rows=Sum("row_count"), size=Sum("source_size"), versions=Count("pk"))
            backlog = dict(DataVersion.objects.filter(
                status__in=(DataVersion.Status.PENDING, DataVersion.Status.PROCESSING))
                .values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        except Exception:
            logger.warning("metrics: the database is unreachable", exc_info=True)
            return
        for name, key, doc in (
            ("portal_ingested_rows", "rows", "Rows of data versions ingested"),
            ("portal_ingested_bytes", "size", "Bytes of uploads ingested"),
            ("portal_ingested_versions", "versions", "Data versions ingested"),
        ):
            yield CounterMetricFamily(name, doc, value=totals[key] or 0)
        family = GaugeMetricFamily("portal_ingestion_backlog", "Data versions waiting or being "
                                   "processed", labels=["status"])
        for status in (DataVersion.Status.PENDING, DataVersion.Status.PROCESSING):
            family.add_metric([status], backlog.get(status, 0))
        yield family
