"""Monitoring (S13): per-grant baselines, surges and repeated denials flagged to the
provider and the center, use outside working hours, and the monthly usage report."""

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from dataplane.models import AccessLogEntry, Anomaly, UsageReport
from dataplane.services.accesslog import accesslog_append
from dataplane.services.monitoring import (
    anomaly_close,
    grant_usage,
    monitor_sweep,
    usage_reports_build,
)
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Notification, Role

pytestmark = pytest.mark.django_db

# A Wednesday morning (a working day), local time.
WORKING_HOUR = timezone.make_aware(datetime(2025, 11, 19, 10, 20))
NIGHT = timezone.make_aware(datetime(2025, 11, 19, 23, 15))


def reads(n, *, user, resource, grant=None, allowed=True, at=None, token=None):
    with mock.patch("dataplane.services.accesslog.timezone.now",
                    return_value=at or WORKING_HOUR):
        for _ in range(n):
            accesslog_append(user=user, department=user.department, resource=resource,
                             action=AccessLogEntry.Action.QUERY,
                             channel=AccessLogEntry.Channel.API, allowed=allowed, grant=grant,
                             token=token, rows_returned=10, reason="" if allowed else "未授权")


def sweep_after(moment):
    return monitor_sweep(now=moment + timedelta(hours=1))


@pytest.fixture
def center(make_user):
    return make_user(username="center_reviewer", roles=[Role.CENTER_REVIEWER])


def test_surge_above_the_grant_baseline_is_flagged_s13(granted, consumer, resource, center,
                                                       provider_security):
    """S13: a grant suddenly queried far above its usual rate is flagged to provider and center."""
    reads(60, user=consumer, resource=resource, grant=granted)
    anomalies = sweep_after(WORKING_HOUR)
    assert [(a.kind, a.grant, a.observed) for a in anomalies] == [
        (Anomaly.Kind.SURGE, granted, 60)]
    for user in (center, provider_security):
        assert Notification.objects.filter(user=user, key=f"anomaly:{anomalies[0].pk}").exists()
    sent = Notification.objects.filter(key__startswith="anomaly:").count()
    assert sweep_after(WORKING_HOUR) == []  # a rerun flags nothing twice
    assert Notification.objects.filter(key__startswith="anomaly:").count() == sent


def test_usual_heavy_use_is_not_a_surge_s13(granted, consumer, resource, settings):
    settings.DATAPLANE = {**settings.DATAPLANE, "BASELINE_DAYS": 1}
    for hour in range(1, 25):  # ten an hour all the previous day
        reads(10, user=consumer, resource=resource, grant=granted,
              at=WORKING_HOUR - timedelta(hours=hour))
    reads(60, user=consumer, resource=resource, grant=granted)
    assert sweep_after(WORKING_HOUR) == []
    usage = grant_usage([granted.pk], now=WORKING_HOUR)[granted.pk]
    assert usage["hourly"] == 12.5 and usage["total"] == 300


def test_repeated_denied_attempts_are_flagged_s13(resource, consumer, center):
    reads(4, user=consumer, resource=resource, allowed=False)
    assert sweep_after(WORKING_HOUR) == []
    reads(1, user=consumer, resource=resource, allowed=False)
    anomalies = sweep_after(WORKING_HOUR)
    assert [(a.kind, a.user, a.observed) for a in anomalies] == [
        (Anomaly.Kind.DENIED, consumer, 5)]


def test_heavy_use_at_night_is_flagged_but_not_for_system_tokens_s13(granted, consumer,
                                                                     resource, consumer_admin):
    from dataplane.services.tokens import system_token_issue

    token, _key = system_token_issue(actor=consumer_admin, name="批处理", grants=[granted],
                                     expires_at=timezone.now() + timedelta(days=30))
    reads(25, user=consumer_admin, resource=resource, grant=granted, at=NIGHT, token=token)
    assert sweep_after(NIGHT) == []
    reads(25, user=consumer, resource=resource, grant=granted, at=NIGHT)
    kinds = {a.kind for a in sweep_after(NIGHT)}
    assert Anomaly.Kind.OFF_HOURS in kinds
    reads(25, user=consumer, resource=resource, grant=granted)  # daytime: not off-hours
    assert {a.kind for a in sweep_after(WORKING_HOUR)} == set()


CLOSE_MATRIX = [("provider_security", True), ("provider_admin", True), ("center", True),
                ("consumer_admin", False)]


@pytest.mark.parametrize(("who", "allowed"), CLOSE_MATRIX)
def test_who_may_close_an_anomaly_matrix(who, allowed, request, resource, consumer, center):
    reads(5, user=consumer, resource=resource, allowed=False)
    anomaly = sweep_after(WORKING_HOUR)[0]
    actor = center if who == "center" else request.getfixturevalue(who)
    if allowed:
        closed = anomaly_close(actor=actor, anomaly=anomaly, conclusion="系统配置错误，已更正")
        assert closed.status == Anomaly.Status.CLOSED and closed.closed_by == actor
    else:
        with pytest.raises(NotPermitted):
            anomaly_close(actor=actor, anomaly=anomaly, conclusion="x")


def test_closing_needs_a_conclusion(resource, consumer, center):
    reads(5, user=consumer, resource=resource, allowed=False)
    anomaly = sweep_after(WORKING_HOUR)[0]
    with pytest.raises(ValidationFailed):
        anomaly_close(actor=center, anomaly=anomaly, conclusion=" ")


def test_anomalies_api_and_pages(resource, consumer, center, provider_security, api, web):
    reads(5, user=consumer, resource=resource, allowed=False)
    anomaly = sweep_after(WORKING_HOUR)[0]
    assert api(consumer).get("/api/v1/sharing/anomalies/").json()["count"] == 0
    assert api(provider_security).get("/api/v1/sharing/anomalies/").json()["count"] == 1
    response = api(center).post(f"/api/v1/sharing/anomalies/{anomaly.pk}/close/",
                                {"conclusion": "已核实"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert api(center).post(f"/api/v1/sharing/anomalies/{anomaly.pk}/close/",
                            {"conclusion": "again"}, format="json").status_code == 403
    client = web(provider_security)
    assert "多次越权尝试" in client.get("/data/monitoring/?show=closed").content.decode()
    assert client.get(f"/data/anomalies/{anomaly.pk}/").status_code == 200


def test_monthly_usage_report_per_department_s13(granted, consumer, resource, provider_admin,
                                                 make_user, api):
    """S13: each department gets a periodic usage report (as consumer and as provider)."""
    head = make_user(department=consumer.department, roles=[Role.HEAD])
    october = timezone.make_aware(datetime(2025, 10, 15, 10, 0))
    reads(3, user=consumer, resource=resource, grant=granted, at=october)
    reads(2, user=consumer, resource=resource, allowed=False, at=october)
    reads(7, user=consumer, resource=resource, grant=granted)  # November: not in the report
    reports = usage_reports_build(month=date(2025, 10, 1))
    assert {r.department for r in reports} == {consumer.department, resource.provider}
    mine = next(r for r in reports if r.department == consumer.department).data
    assert mine["month"] == "2025-10"
    assert (mine["as_consumer"]["queries"], mine["as_consumer"]["denied"],
            mine["as_consumer"]["rows"]) == (3, 2, 50)
    theirs = next(r for r in reports if r.department == resource.provider).data["as_provider"]
    assert theirs["consumers"][0]["name"] == consumer.department.name
    assert usage_reports_build(month=date(2025, 10, 1)) == []  # once per month
    assert Notification.objects.filter(user=head, key__startswith="usage-report:").count() == 1
    assert UsageReport.objects.count() == 2
    assert api(head).get("/api/v1/sharing/usage-reports/").json()["count"] == 1
    assert api(consumer).get("/api/v1/sharing/usage-reports/").json()["count"] == 0


def test_report_page(granted, consumer, resource, web, make_user):
    reads(3, user=consumer, resource=resource, grant=granted,
          at=timezone.make_aware(datetime(2025, 10, 15, 10, 0)))
    report = next(r for r in usage_reports_build(month=date(2025, 10, 1))
                  if r.department == consumer.department)
    head = make_user(department=consumer.department, roles=[Role.HEAD])
    page = web(head).get(f"/data/reports/{report.pk}/")
    assert page.status_code == 200 and "查询 3 次" in page.content.decode()
