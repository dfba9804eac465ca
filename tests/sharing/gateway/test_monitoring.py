"""Monitoring (S13) and assessment (A2) read the gateway's calls from the same access log:
calls, failures and latency per grant and service, surges flagged by the data plane's
sweep, and the availability and response-time indicators."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils import timezone

from assessment.indicators import INDICATORS, Period
from dataplane.models import Anomaly
from dataplane.services.monitoring import grant_usage, monitor_sweep
from sharing.gateway.selectors import service_call_stats
from sharing.models import DataService
from sharing.tasks import gateway_health_sweep
from tests.upstream import STATE

from .conftest import make_service


def test_s13_calls_failures_and_latency_per_grant_and_service(
        resource, upstream, token, granted, call, client, provider_admin, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    service = make_service(resource, upstream.url("switch"))
    for _ in range(4):
        assert call(resource.code, key=token).status_code == 200
    STATE["switch"] = "fail"
    for _ in range(2):
        assert call(resource.code, key=token).status_code == 502
    usage = grant_usage([granted.pk])[granted.pk]
    assert usage["calls"] == 6 and usage["failures"] == 2 and usage["latency"] is not None
    (row,) = service_call_stats(service)
    assert (row["grant_id"], row["calls"], row["failures"]) == (granted.pk, 6, 2)
    # The provider sees the same figures on the service page.
    provider_admin.two_factor_exempt = True
    provider_admin.save(update_fields=["two_factor_exempt"])
    client.force_login(provider_admin)
    page = client.get(reverse("sharing:service_detail", args=[service.pk])).content.decode()
    stats = page.split('class="table call-stats"')[1].split("</table>")[0]
    assert granted.department.name in stats and "<td>6</td><td>2</td>" in stats


def test_s13_a_surge_of_interface_calls_is_flagged_like_the_data_planes(
        resource, service, token, granted, call, provider_admin):
    """The data plane's hourly sweep reads gateway entries as it reads queries."""
    for _ in range(55):
        assert call(resource.code, key=token).status_code == 200
    anomalies = monitor_sweep(now=timezone.now() + timedelta(hours=1))
    assert [(a.kind, a.grant_id, a.observed) for a in anomalies] == [
        (Anomaly.Kind.SURGE, granted.pk, 55)]


def test_a2_service_availability_and_response_time_indicators(
        resource, upstream, token, granted, call, provider):
    make_service(resource, upstream.url("switch"))
    for _ in range(3):
        gateway_health_sweep.apply()
    STATE["switch"] = "fail"
    gateway_health_sweep.apply()
    STATE["switch"] = "ok"
    for _ in range(3):
        assert call(resource.code, key=token).status_code == 200
    period = Period.year(timezone.localdate().year)
    availability = INDICATORS["service_availability"](provider, period)
    assert availability.inputs["health_checks"] == 4 and availability.inputs["health_ok"] == 3
    assert availability.value == 75
    response = INDICATORS["service_response_ms"](provider, period)
    assert response.inputs["service_calls"] == 3 and response.inputs["service_failures"] == 0
    assert response.value is not None and response.value >= 0
    assert response.value == (Decimal(response.inputs["service_latency_total"]) / 3).quantize(
        Decimal("0.01"), ROUND_HALF_UP)
    # Nothing due for a department with no service: not applicable, not zero.
    from tests.factories import DepartmentFactory
    other = DepartmentFactory()
    assert INDICATORS["service_availability"](other, period).value is None
    assert DataService.objects.count() == 1


def test_a2_service_indicators_are_available_to_plans_outside_the_default_set(db):
    """The default set keeps its 100 points; a plan may choose the interface indicators."""
    from assessment.forms import PlanCreateForm
    from assessment.models import Plan
    from assessment.services.plans import default_indicators

    plan = Plan()
    default = {i.code for i in default_indicators(plan)}
    assert "service_availability" not in default and "service_response_ms" not in default
    chosen = default_indicators(plan, codes=["service_availability", "service_response_ms"],
                                include_manual=False)
    assert [i.code for i in chosen] == ["service_availability", "service_response_ms"]
    form = PlanCreateForm()
    offered = {code for code, _label in form.fields["indicators"].choices}
    assert {"service_availability", "service_response_ms"} <= offered
    assert "service_availability" not in form.fields["indicators"].initial
