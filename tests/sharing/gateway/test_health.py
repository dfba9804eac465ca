"""The periodic health check (S9, S13) against a real upstream: status history, down
after repeated failures, the provider and the center notified once when a service goes
down and once when it comes back, a rejected credential counts as down."""

from django.conf import settings
from django.urls import reverse

from portal.models import Notification
from sharing.models import DataService, ServiceHealthCheck
from sharing.tasks import gateway_health_sweep
from tests.upstream import STATE

from .conftest import make_service


def _sweep() -> int:
    return gateway_health_sweep.apply().get()   # the Celery task, run here


def _notes(user, word):
    return list(Notification.objects.filter(user=user, title__contains=word))


def test_s13_health_history_and_one_notification_per_change(
        resource, upstream, provider_admin, center, client):
    service = make_service(resource, upstream.url("switch"))
    assert _sweep() == 1
    service.refresh_from_db()
    assert service.health == DataService.Health.UP and service.last_checked_at
    assert Notification.objects.filter(key__startswith="service-health").count() == 0

    STATE["switch"] = "fail"
    _sweep()
    service.refresh_from_db()
    assert service.health == DataService.Health.UP   # one failure is not yet down
    _sweep()
    _sweep()
    service.refresh_from_db()
    assert service.health == DataService.Health.DOWN
    for user in (provider_admin, center):
        (note,) = _notes(user, "不可用")
        assert resource.name in note.title and "500" in note.body
        assert note.url == reverse("sharing:service_detail", args=[service.pk])

    STATE["switch"] = "ok"
    _sweep()
    _sweep()
    service.refresh_from_db()
    assert service.health == DataService.Health.UP
    for user in (provider_admin, center):
        assert len(_notes(user, "不可用")) == 1 and len(_notes(user, "恢复")) == 1

    checks = list(ServiceHealthCheck.objects.filter(service=service).order_by("at", "pk"))
    assert [c.ok for c in checks] == [True, False, False, False, True, True]
    assert checks[1].status_code == 500 and checks[0].latency_ms is not None


def test_s13_rejected_credential_and_unreachable_upstream_are_down(resource, upstream,
                                                                   provider_admin):
    service = make_service(resource, upstream.url("guarded"), secret="right-key")
    STATE["api_key"] = "right-key"
    _sweep()
    service.refresh_from_db()
    assert service.health == DataService.Health.UP
    STATE["api_key"] = "rotated-upstream-key"
    _sweep()
    _sweep()
    service.refresh_from_db()
    assert service.health == DataService.Health.DOWN
    assert "凭据" in ServiceHealthCheck.objects.filter(service=service).first().error
    DataService.objects.filter(pk=service.pk).update(status=DataService.Status.SUSPENDED)
    assert _sweep() == 0   # only enabled services are checked


def test_s13_health_check_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["sharing-gateway-health"]
    assert entry["task"] == "sharing.tasks.gateway_health_sweep"
    from portal.celery import app
    assert entry["task"] in app.tasks
