"""Monitoring of exchanges (S13, HB-17, HY-24(6)).

An hourly sweep reads the last full hour of the access log with a few grouped, indexed
queries and flags:

* a surge — a grant (or an unconditional reader) used far above its own hourly baseline
  over the previous weeks;
* repeated denied attempts by one user on one resource;
* heavy use outside working hours (nights, weekends and holidays of the Chinese
  calendar), by people — system tokens run batch jobs at night by design.

Each finding is keyed by what and when, so a rerun never flags or notifies twice. A
monthly task writes each department's usage report.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Resource
from portal.errors import NotPermitted, ValidationFailed
from portal.models import ApiToken, Notification, Role, User
from portal.selectors import users_with_role
from portal.services.inbox import notify
from portal.workdays import is_working_day
from portal.workflow import transition_apply

from ..conf import dataplane_setting
from ..models import ANOMALY_TRANSITIONS, AccessLogEntry, Anomaly, UsageReport
from ..policies import can_close_anomaly


@dataclass(frozen=True)
class Finding:
    key: str
    kind: str
    resource_id: int
    provider_id: int
    department_id: int | None
    grant_id: int | None
    user_id: int | None
    observed: int
    baseline: float
    detail: str


def _window(now: datetime | None) -> tuple[datetime, datetime]:
    now = timezone.localtime(now or timezone.now())
    end = now.replace(minute=0, second=0, microsecond=0)
    return end - timedelta(hours=1), end


def _surges(start: datetime, end: datetime) -> list[Finding]:
    factor = float(dataplane_setting("SURGE_FACTOR"))
    days = int(dataplane_setting("BASELINE_DAYS"))
    groups = (AccessLogEntry.objects.filter(at__gte=start, at__lt=end, allowed=True)
              .values("grant_id", "department_id", "resource_id", "provider_id")
              .annotate(n=Count("id"))
              .filter(n__gte=int(dataplane_setting("SURGE_MIN_COUNT"))))
    findings = []
    for g in groups:
        history = AccessLogEntry.objects.filter(
            resource_id=g["resource_id"], department_id=g["department_id"],
            grant_id=g["grant_id"], allowed=True, at__gte=start - timedelta(days=days),
            at__lt=start,
        ).count()
        hourly = history / (days * 24)
        if g["n"] <= factor * max(hourly, 1.0):
            continue
        who = f"grant:{g['grant_id']}" if g["grant_id"] else f"dept:{g['department_id']}"
        findings.append(Finding(
            key=f"surge:{who}:{g['resource_id']}:{start:%Y%m%d%H}", kind=Anomaly.Kind.SURGE,
            resource_id=g["resource_id"], provider_id=g["provider_id"],
            department_id=g["department_id"], grant_id=g["grant_id"], user_id=None,
            observed=g["n"], baseline=round(hourly, 2),
            detail=_("一小时内访问 %(n)d 次，约为近 %(days)d 天平均每小时 %(base).1f 次的 %(x).0f 倍。")
            % {"n": g["n"], "days": days, "base": hourly, "x": g["n"] / max(hourly, 1.0)},
        ))
    return findings


def _denied(start: datetime, end: datetime) -> list[Finding]:
    threshold = int(dataplane_setting("DENIED_THRESHOLD"))
    groups = (AccessLogEntry.objects.filter(at__gte=start, at__lt=end, allowed=False)
              .values("user_id", "department_id", "resource_id", "provider_id")
              .annotate(n=Count("id")).filter(n__gte=threshold))
    return [Finding(
        key=f"denied:{g['user_id']}:{g['resource_id']}:{start:%Y%m%d%H}",
        kind=Anomaly.Kind.DENIED, resource_id=g["resource_id"], provider_id=g["provider_id"],
        department_id=g["department_id"], grant_id=None, user_id=g["user_id"],
        observed=g["n"], baseline=0,
        detail=_("一小时内 %(n)d 次请求被拒绝（越权或超出授权范围）。") % {"n": g["n"]},
    ) for g in groups]


def is_off_hours(moment: datetime) -> bool:
    local = timezone.localtime(moment)
    late, early = dataplane_setting("OFF_HOURS")
    return not is_working_day(local.date()) or local.hour >= late or local.hour < early


def _off_hours(start: datetime, end: datetime) -> list[Finding]:
    if not is_off_hours(start):
        return []
    groups = (AccessLogEntry.objects.filter(at__gte=start, at__lt=end, allowed=True)
              .exclude(token__kind=ApiToken.Kind.SYSTEM)
              .values("user_id", "department_id", "resource_id", "provider_id", "grant_id")
              .annotate(n=Count("id"))
              .filter(n__gte=int(dataplane_setting("OFF_HOURS_MIN_COUNT"))))
    return [Finding(
        key=f"off_hours:{g['user_id']}:{g['resource_id']}:{start:%Y%m%d%H}",
        kind=Anomaly.Kind.OFF_HOURS, resource_id=g["resource_id"], provider_id=g["provider_id"],
        department_id=g["department_id"], grant_id=g["grant_id"], user_id=g["user_id"],
        observed=g["n"], baseline=0,
        detail=_("非工作时间（%(at)s）一小时内访问 %(n)d 次。")
        % {"at": timezone.localtime(start).strftime("%Y-%m-%d %H:00"), "n": g["n"]},
    ) for g in groups]


def anomaly_url(anomaly: Anomaly) -> str:
    return reverse("dataplane:anomaly_detail", args=[anomaly.pk])


def _flag(finding: Finding, start: datetime, end: datetime) -> Anomaly | None:
    try:
        with transaction.atomic():
            anomaly, created = Anomaly.objects.get_or_create(key=finding.key, defaults={
                "kind": finding.kind, "resource_id": finding.resource_id,
                "provider_id": finding.provider_id, "department_id": finding.department_id,
                "grant_id": finding.grant_id, "user_id": finding.user_id,
                "window_start": start, "window_end": end, "observed": finding.observed,
                "baseline": finding.baseline, "detail": finding.detail[:300],
            })
    except IntegrityError:  # a concurrent sweep flagged it first
        return None
    if not created:
        return None
    resource = Resource.objects.get(pk=finding.resource_id)
    users = [*users_with_role(Role.SECURITY_OFFICER, Role.DATA_ADMIN,
                              department=finding.provider_id),
             *users_with_role(Role.CENTER_REVIEWER)]
    notify(users=users, key=f"anomaly:{anomaly.pk}",
           title=_("共享数据异常访问：%(kind)s · %(res)s") % {
               "kind": anomaly.get_kind_display(), "res": resource.name},
           body=finding.detail, url=anomaly_url(anomaly), level=Notification.Level.ESCALATION)
    return anomaly


def monitor_sweep(*, now: datetime | None = None) -> list[Anomaly]:
    """Flag the anomalies of the last full hour (run hourly; safe to rerun)."""
    start, end = _window(now)
    findings = [*_surges(start, end), *_denied(start, end), *_off_hours(start, end)]
    return [a for f in findings if (a := _flag(f, start, end)) is not None]


@transaction.atomic
def anomaly_close(*, actor: User, anomaly: Anomaly, conclusion: str) -> Anomaly:
    anomaly = Anomaly.objects.select_for_update().get(pk=anomaly.pk)
    if not can_close_anomaly(actor, anomaly):
        raise NotPermitted(_("只有信息中心或提供部门的数据安全管理员、数据管理员可以核查异常。"),
                           target=anomaly, action="close")
    if not conclusion.strip():
        raise ValidationFailed(_("请填写核查结论。"), fields={"conclusion": [_("请填写核查结论。")]})
    anomaly.conclusion = conclusion.strip()
    anomaly.closed_at = timezone.now()
    anomaly.closed_by = actor
    transition_apply(obj=anomaly, table=ANOMALY_TRANSITIONS, action="close", actor=actor,
                     comment=anomaly.conclusion)
    return anomaly


# --- monthly usage report --------------------------------------------------------------

def month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (datetime.combine(first, datetime.min.time(), tz),
            datetime.combine(following, datetime.min.time(), tz))


def _totals(rows) -> dict:
    totals = {"queries": 0, "downloads": 0, "denied": 0, "rows": 0}
    for row in rows:
        if not row["allowed"]:
            totals["denied"] += row["n"]
        elif row["action"] == AccessLogEntry.Action.DOWNLOAD:
            totals["downloads"] += row["n"]
        elif row["action"] == AccessLogEntry.Action.QUERY:
            totals["queries"] += row["n"]
        totals["rows"] += row["rows"] or 0
    return totals


def _grouped(rows, key: str) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for row in rows:
        if row[key] is not None:
            out.setdefault(row[key], []).append(row)
    return out


def _breakdown(rows, by: str, names: dict[int, str]) -> list[dict]:
    parts = _grouped(rows, by)
    return sorted(({"id": pk, "name": names.get(pk, str(pk)), **_totals(part)}
                   for pk, part in parts.items()),
                  key=lambda r: (-(r["queries"] + r["downloads"]), r["name"]))


def usage_reports_build(*, month: date) -> list[UsageReport]:
    """Write (once) every active department's report for ``month`` and tell its heads."""
    from portal.models import Department

    start, end = month_bounds(month)
    entries = AccessLogEntry.objects.filter(at__gte=start, at__lt=end)
    fields = ("department_id", "provider_id", "resource_id", "action", "allowed")
    rows = list(entries.values(*fields).annotate(n=Count("id"), rows=Sum("rows_returned")))
    resource_names = dict(Resource.objects.filter(pk__in={r["resource_id"] for r in rows})
                          .values_list("pk", "name"))
    department_ids = {r["department_id"] for r in rows} | {r["provider_id"] for r in rows}
    department_names = dict(Department.objects.filter(pk__in=department_ids - {None})
                            .values_list("pk", "name"))
    anomalies = dict(Anomaly.objects.filter(created_at__gte=start, created_at__lt=end)
                     .values_list("provider_id").annotate(n=Count("id")))
    as_consumer, as_provider = _grouped(rows, "department_id"), _grouped(rows, "provider_id")
    created = []
    for department_id in sorted(department_ids - {None}):
        mine, theirs = as_consumer.get(department_id, []), as_provider.get(department_id, [])
        data = {
            "month": start.strftime("%Y-%m"),
            "as_consumer": {**_totals(mine),
                            "resources": _breakdown(mine, "resource_id", resource_names)},
            "as_provider": {
                **_totals(theirs),
                "resources": _breakdown(theirs, "resource_id", resource_names),
                "consumers": _breakdown(theirs, "department_id", department_names),
                "anomalies": anomalies.get(department_id, 0),
            },
        }
        report, was_created = UsageReport.objects.get_or_create(
            department_id=department_id, month=start.date(), defaults={"data": data})
        if was_created:
            created.append(report)
            notify(users=users_with_role(Role.HEAD, Role.DATA_ADMIN, department=department_id),
                   key=f"usage-report:{department_id}:{start:%Y-%m}",
                   title=_("共享数据月度使用报告（%(month)s）") % {"month": data["month"]},
                   url=reverse("dataplane:report_detail", args=[report.pk]))
    return created


def service_call_figures(since: datetime) -> dict:
    """Aggregates of interface calls (gateway entries) since ``since``: calls that reached
    the upstream or its breaker, the failed ones (timeout, upstream error, breaker open:
    the entry carries the reason) and the mean latency of the successful ones (ms)."""
    calls = Q(action=AccessLogEntry.Action.SERVICE, allowed=True, at__gte=since)
    return {"calls": Count("id", filter=calls),
            "failures": Count("id", filter=calls & ~Q(reason="")),
            "latency": Avg("latency_ms", filter=calls & Q(reason=""))}


def grant_usage(grant_ids: list[int], *, now: datetime | None = None) -> dict[int, dict]:
    """Per grant: accesses and interface calls in the last 24 hours and the hourly
    baseline (one query)."""
    now = now or timezone.now()
    days = int(dataplane_setting("BASELINE_DAYS"))
    since = now - timedelta(days=days)
    recent = now - timedelta(hours=24)
    rows = (AccessLogEntry.objects.filter(grant_id__in=grant_ids, at__gte=since)
            .values("grant_id")
            .annotate(total=Count("id", filter=Q(allowed=True)),
                      last_day=Count("id", filter=Q(allowed=True, at__gte=recent)),
                      denied=Count("id", filter=Q(allowed=False)),
                      rows=Sum("rows_returned"), **service_call_figures(recent)))
    return {r["grant_id"]: {**r, "hourly": round(r["total"] / (days * 24), 2)} for r in rows}
