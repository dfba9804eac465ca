"""Figures from sharing (S3, S8), the data plane (S9, S10) and open data (O1, O6)."""

from datetime import timedelta

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from assessment.indicators.base import Period, describe_figures, register_source
from assessment.indicators.sources import count_if, model, rows_by
from assessment.indicators.sources.catalog import registered_at_end
from dataplane.models.accesslog import OPEN_DATA_PURPOSE_PREFIX

describe_figures({
    "answer_due": "应答复申请", "answered": "已答复", "answered_on_time": "按期答复",
    "answered_late": "超期答复", "unanswered_overdue": "超期未答复",
    "answer_days_total": "答复用时合计（工作日）", "refused": "不予共享",
    "objections": "收到数据异议", "objections_answered": "已答复异议",
    "fix_days_total": "处理用时合计（工作日）", "objections_late": "超期答复异议",
    "objections_overdue": "超期未答复异议", "data_used": "其他部门使用其共享数据次数",
    "versions": "启用的数据版本", "versions_late": "逾期更新的版本", "stale": "到期未更新的资源",
    "accesses": "被访问次数", "consumers": "使用部门", "rows_returned": "提供记录数",
    "open_downloads": "开放数据下载次数", "open_datasets": "开放数据集",
})


# An access by another department to shared (not open) data.
SHARED_ACCESS = (~Q(purpose__startswith=OPEN_DATA_PURPOSE_PREFIX) & Q(department__isnull=False)
                 & ~Q(department_id=F("provider_id")))


def _accesses(department_ids: list[int], period: Period):
    """Allowed accesses to the providers' data in the period (the access log, S10/O6)."""
    return model("dataplane", "AccessLogEntry").objects.filter(
        provider_id__in=department_ids, allowed=True, at__gte=period.start_at,
        at__lt=period.end_before)


@register_source("sharing_requests", "共享申请", fields=(
    "answer_due", "answered", "answered_on_time", "answered_late", "unanswered_overdue",
    "answer_days_total", "refused",
))
def sharing_requests(department_ids: list[int], period: Period) -> dict[int, dict]:
    """Requests whose answer was due from the provider in the period (S3, NAT-12): answered
    within 10 working days, late, or still unanswered after the deadline; refusals.

    Requests withdrawn before an answer and those not yet due are not counted.
    """
    ShareRequest = model("sharing", "ShareRequest")
    today = timezone.localdate()
    answered = Q(answered_at__isnull=False)
    requests = ShareRequest.objects.filter(provider_id__in=department_ids,
                                           answer_due_on__range=(period.start, period.end))
    rows = rows_by(
        requests.order_by().values("provider_id").annotate(
            answered=count_if(answered),
            answered_on_time=count_if(answered & Q(answered_late=False)),
            answered_late=count_if(answered & Q(answered_late=True)),
            unanswered_overdue=count_if(Q(answered_at__isnull=True,
                                          status=ShareRequest.Status.PROVIDER_REVIEW,
                                          answer_due_on__lt=today)),
            answer_days_total=Sum("answer_working_days", filter=answered),
            refused=count_if(Q(answer=ShareRequest.Answer.REFUSED)),
        ),
        "provider_id",
    )
    for row in rows.values():
        row["answer_due"] = row["answered"] + row["unanswered_overdue"]
    return rows


@register_source("sharing_objections", "数据异议", fields=(
    "objections", "objections_answered", "fix_days_total", "objections_late",
    "objections_overdue", "data_used",
))
def sharing_objections(department_ids: list[int], period: Period) -> dict[int, dict]:
    """Objections to a provider's data raised in the period (S8, NAT-15) and how fast they
    were verified and answered; and whether other departments used its shared data at all
    in the period (``data_used``: a count of the access log's allowed accesses), without
    which having no objection says nothing."""
    Objection = model("sharing", "Objection")
    today = timezone.localdate()
    answered = Q(answered_at__isnull=False)
    objections = Objection.objects.filter(
        provider_id__in=department_ids, created_at__gte=period.start_at,
        created_at__lt=period.end_before).exclude(status=Objection.Status.WITHDRAWN)
    rows = rows_by(
        objections.order_by().values("provider_id").annotate(
            objections=Count("pk"),
            objections_answered=count_if(answered),
            fix_days_total=Sum("fix_working_days", filter=answered),
            objections_late=count_if(answered & Q(answered_late=True)),
            objections_overdue=count_if(Q(status=Objection.Status.OPEN, due_on__lt=today)),
        ),
        "provider_id",
    )
    used = (_accesses(department_ids, period).filter(SHARED_ACCESS)
            .order_by().values("provider_id").annotate(data_used=Count("pk")))
    for row in used:
        rows.setdefault(row["provider_id"], {})["data_used"] = row["data_used"]
    return rows


@register_source("dataplane_versions", "数据版本", fields=("versions", "versions_late", "stale"))
def dataplane_versions(department_ids: list[int], period: Period) -> dict[int, dict]:
    """Data versions put into use in the period and how many came after the update cycle
    required (S9, HN-39(4)); registered resources whose next version fell due in the
    period and has not arrived."""
    DataVersion = model("dataplane", "DataVersion")
    ResourceData = model("dataplane", "ResourceData")
    Resource = model("catalog", "Resource")
    versions = DataVersion.objects.filter(
        resource__provider_id__in=department_ids, activated_at__gte=period.start_at,
        activated_at__lt=period.end_before,
        status__in=[DataVersion.Status.CURRENT, DataVersion.Status.SUPERSEDED])
    rows = rows_by(
        versions.order_by().values("resource__provider_id").annotate(
            versions=Count("pk"), versions_late=count_if(Q(days_late__gt=0))),
        "resource__provider_id",
    )
    last_day = min(period.end, timezone.localdate() - timedelta(days=1))
    registered = Resource.objects.filter(registered_at_end(period),
                                         provider_id__in=department_ids).values("pk")
    stale = ResourceData.objects.filter(resource__in=registered,
                                        next_due_on__range=(period.start, last_day))
    for row in stale.order_by().values("resource__provider_id").annotate(stale=Count("pk")):
        rows.setdefault(row["resource__provider_id"], {})["stale"] = row["stale"]
    return rows


@register_source("access_log", "数据访问日志", fields=(
    "accesses", "consumers", "rows_returned", "open_downloads",
))
def access_log(department_ids: list[int], period: Period) -> dict[int, dict]:
    """Allowed accesses to a provider's data in the period (S10, O6), in one pass over the
    log: shared-data accesses by other departments, their distinct departments and rows,
    and downloads of its open datasets."""
    entries = _accesses(department_ids, period)
    shared = SHARED_ACCESS
    return rows_by(
        entries.order_by().values("provider_id").annotate(
            accesses=count_if(shared),
            consumers=Count("department_id", distinct=True, filter=shared),
            rows_returned=Sum("rows_returned", filter=shared),
            open_downloads=count_if(Q(purpose__startswith=OPEN_DATA_PURPOSE_PREFIX,
                                      action="download")),
        ),
        "provider_id",
    )


@register_source("opendata_datasets", "开放数据集", fields=("open_datasets",))
def opendata_datasets(department_ids: list[int], period: Period) -> dict[int, dict]:
    """Datasets a department had open to the public at the end of the period (O1, HN-25)."""
    Dataset = model("opendata", "Dataset")
    open_at_end = Q(first_published_at__lt=period.end_before) & (
        Q(status=Dataset.Status.PUBLISHED)
        | Q(status=Dataset.Status.WITHDRAWN, withdrawn_at__gte=period.end_before))
    return rows_by(
        Dataset.objects.filter(open_at_end, publisher_id__in=department_ids)
        .order_by().values("publisher_id").annotate(open_datasets=Count("pk")),
        "publisher_id",
    )


describe_figures({
    "service_calls": "数据服务接口被调用次数", "service_failures": "调用失败次数",
    "service_latency_total": "成功调用耗时合计（毫秒）", "service_latency_count": "成功调用次数",
    "health_checks": "接口运行检测次数", "health_ok": "检测正常次数",
})


@register_source("service_calls", "数据服务接口", fields=(
    "service_calls", "service_failures", "service_latency_total", "service_latency_count",
    "health_checks", "health_ok",
))
def service_calls(department_ids: list[int], period: Period) -> dict[int, dict]:
    """A provider's data services in the period (S9, S13): other departments' calls through
    the gateway and the failed ones (the access log), the latency of the successful ones,
    and the periodic health checks of its services (availability)."""
    calls = Q(action="service") & SHARED_ACCESS
    ok = calls & Q(reason="")
    rows = rows_by(
        _accesses(department_ids, period).filter(calls).order_by().values("provider_id")
        .annotate(service_calls=Count("pk"), service_failures=count_if(~Q(reason="")),
                  service_latency_total=Sum("latency_ms", filter=ok),
                  service_latency_count=count_if(ok & Q(latency_ms__isnull=False))),
        "provider_id")
    checks = (model("sharing", "ServiceHealthCheck").objects
              .filter(service__resource__provider_id__in=department_ids,
                      at__gte=period.start_at, at__lt=period.end_before)
              .order_by().values("service__resource__provider_id")
              .annotate(health_checks=Count("pk"), health_ok=count_if(Q(ok=True))))
    for row in checks:
        rows.setdefault(row["service__resource__provider_id"], {}).update(
            health_checks=row["health_checks"], health_ok=row["health_ok"])
    return rows
