"""What the public sees of harvested datasets: the active ones, searched and faceted."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from portal.search import search_filter

from .models import HarvestedDataset


def harvested_public() -> QuerySet[HarvestedDataset]:
    """Active harvested datasets, with their source and publishing department."""
    return (HarvestedDataset.objects.filter(status=HarvestedDataset.Status.ACTIVE)
            .select_related("source", "publisher").defer("search_text", "search_vector"))


def harvested_search(*, q: str = "", source: int | None = None,
                     ) -> tuple[QuerySet[HarvestedDataset], list[dict]]:
    """Matches (newest first) and the count per source, for the facet."""
    qs = search_filter(harvested_public(), q)
    facets = list(qs.order_by().values("source_id", "source__name")
                  .annotate(n=Count("pk")).order_by("-n", "source__name"))
    if source is not None:
        qs = qs.filter(source_id=source)
    return qs.order_by("-harvested_at", "-pk"), facets
