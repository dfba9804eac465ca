"""Figures from the catalog (C1, C7, C8, C11) per department."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from assessment.indicators.base import Period, describe_figures, register_source
from assessment.indicators.sources import count_if, model, rows_by

describe_figures({
    "registered": "已注册目录", "shared": "可共享目录", "open": "向社会开放目录",
    "checks_passed": "通过的元数据检查项", "checks_total": "元数据检查项",
    "items": "信息项", "items_described": "有说明的信息项",
    "due": "到期变更事项", "on_time": "按期更新", "late": "逾期更新", "open_overdue": "逾期未更新",
    "entries": "普查条目", "confirmed": "已确认条目",
    "approved": "立项项目", "approved_with_catalog": "立项前已预编目录",
    "completed": "验收项目", "completed_registered": "目录已全部注册",
})

# Metadata a complete entry fills beyond the required fields (C1); one point each.
COMPLETENESS_CHECKS = 7


def registered_at_end(period: Period) -> Q:
    """Entries registered at the end of the period (retired later still count)."""
    Status = model("catalog", "Resource").Status
    registered_by_end = Q(revision_of__isnull=True, registered_at__lt=period.end_before)
    return registered_by_end & (
        Q(status=Status.REGISTERED)
        | Q(status=Status.RETIRED, retired_at__gte=period.end_before)
    )


def _completeness_checks() -> list[Q]:
    return [
        ~Q(format_subtype=""),
        ~Q(theme="") | Q(classification="departmental"),
        ~Q(locality=""),
        ~Q(contact_name="") & (~Q(contact_phone="") | ~Q(contact_email="")),
        Q(publication_date__isnull=False),
        ~Q(sharing_method=[]),
        Q(sharing_type="unconditional") | ~Q(legal_basis=""),
    ]


@register_source("catalog_resources", "目录资源", fields=(
    "registered", "shared", "open", "checks_passed", "checks_total", "items", "items_described",
))
def catalog_resources(department_ids: list[int], period: Period) -> dict[int, dict]:
    """Registered entries per provider with their metadata and data-item completeness."""
    Resource = model("catalog", "Resource")
    DataItem = model("catalog", "DataItem")
    entries = Resource.objects.filter(registered_at_end(period), provider_id__in=department_ids)
    checks = {f"c{i}": count_if(q) for i, q in enumerate(_completeness_checks())}
    rows = rows_by(
        entries.order_by().values("provider_id").annotate(
            registered=Count("pk"),
            shared=count_if(Q(sharing_type__in=["unconditional", "conditional"])),
            open=count_if(Q(is_open=True) & ~Q(open_type="not_open")),
            **checks,
        ),
        "provider_id",
    )
    for row in rows.values():
        row["checks_passed"] = sum(row.pop(name) for name in checks)
        row["checks_total"] = row["registered"] * COMPLETENESS_CHECKS
    items = DataItem.objects.filter(retired=False, resource__in=entries.values("pk"))
    for pk, row in rows_by(
        items.order_by().values("resource__provider_id").annotate(
            items=Count("pk"), items_described=count_if(~Q(description="")),
        ),
        "resource__provider_id",
    ).items():
        rows.setdefault(pk, {}).update(row)
    return rows


@register_source("catalog_changes", "目录更新事项", fields=(
    "due", "on_time", "late", "open_overdue",
))
def catalog_changes(department_ids: list[int], period: Period) -> dict[int, dict]:
    """Change events due in the period (C7): updated by the deadline, late, or still open.

    Events not yet due are not counted; cancelled events are ignored.
    """
    ChangeEvent = model("catalog", "ChangeEvent")
    Status = ChangeEvent.Status
    today = timezone.localdate()
    done_on = TruncDate("completed_at", tzinfo=ZoneInfo(settings.TIME_ZONE))
    events = (
        ChangeEvent.objects.filter(department_id__in=department_ids,
                                   due_on__range=(period.start, period.end))
        .exclude(status=Status.CANCELLED).annotate(done_on=done_on)
    )
    rows = rows_by(
        events.order_by().values("department_id").annotate(
            on_time=count_if(Q(status=Status.DONE, done_on__lte=F("due_on"))),
            late=count_if(Q(status=Status.DONE, done_on__gt=F("due_on"))),
            open_overdue=count_if(Q(status=Status.OPEN, due_on__lt=today)),
        ),
        "department_id",
    )
    for row in rows.values():
        row["due"] = row["on_time"] + row["late"] + row["open_overdue"]
    return rows


@register_source("catalog_census", "年度目录普查", fields=("entries", "confirmed"))
def catalog_census(department_ids: list[int], period: Period) -> dict[int, dict]:
    """Census entries of the censuses held in the period's years (C8) and how many are done."""
    CensusEntry = model("catalog", "CensusEntry")
    entries = CensusEntry.objects.filter(
        department_id__in=department_ids,
        census__year__range=(period.start.year, period.end.year),
    )
    return rows_by(
        entries.order_by().values("department_id").annotate(
            entries=Count("pk"),
            confirmed=count_if(~Q(status=CensusEntry.Status.PENDING)),
        ),
        "department_id",
    )


@register_source("catalog_projects", "信息化项目目录", fields=(
    "approved", "approved_with_catalog", "completed", "completed_registered",
))
def catalog_projects(department_ids: list[int], period: Period) -> dict[int, dict]:
    """Projects approved in the period with a pre-compiled catalog, and projects completed
    in the period whose catalog is fully registered (C11, HN-39(1)(2))."""
    Project = model("catalog", "Project")
    Resource = model("catalog", "Resource")
    entries = Resource.objects.filter(project=OuterRef("pk"), revision_of__isnull=True)
    has_catalog = Exists(entries)
    unregistered = Exists(entries.filter(status__in=[
        Resource.Status.DRAFT, Resource.Status.SUBMITTED, Resource.Status.RETURNED]))
    in_period = {"approved": Q(approved_on__range=(period.start, period.end)),
                 "completed": Q(completed_on__range=(period.start, period.end),
                                status=Project.Status.COMPLETED)}
    projects = Project.objects.filter(department_id__in=department_ids).filter(
        in_period["approved"] | in_period["completed"]
    ).annotate(has_catalog=has_catalog, unregistered=unregistered)
    return rows_by(
        projects.order_by().values("department_id").annotate(
            approved=count_if(in_period["approved"]),
            approved_with_catalog=count_if(in_period["approved"] & Q(has_catalog=True)),
            completed=count_if(in_period["completed"]),
            completed_registered=count_if(
                in_period["completed"] & Q(has_catalog=True, unregistered=False)),
        ),
        "department_id",
    )
