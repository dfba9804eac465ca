"""The periodic health check of enabled data services (S9, S13).

Every ``HEALTH_INTERVAL_MINUTES`` the sweep calls each enabled service's first operation
the way the gateway calls it (its credential, declared parameters left out, the health
timeout) and records a :class:`ServiceHealthCheck`. Reachable with a status below 500 is
up — a 400 for a missing parameter still shows the system answers — except 401/403,
which mean the stored credential no longer works. ``HEALTH_DOWN_AFTER`` failed checks in
a row mark the service down; one good check marks it up again. The provider's data
administrators and the center are notified once per change (keyed by the check that
made it), so reruns and overlapping sweeps never notify twice.
"""

from __future__ import annotations

import time

import httpx
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Notification, Role
from portal.secrets import secret_decrypt
from portal.selectors import users_with_role
from portal.services.inbox import notify

from ..conf import gateway_setting
from ..models import DataService, ServiceHealthCheck
from .upstream import credential_apply


def _probe(service: DataService) -> tuple[bool, int | None, int, str]:
    operation = service.operations.order_by("position", "pk").first()
    if operation is None:
        return False, None, 0, _("没有登记操作。")
    url = service.base_url.rstrip("/") + "/" + operation.path.lstrip("/")
    headers, params = {"Accept": "application/json"}, {}
    credential_apply((service.credential_place, service.credential_name,
                      secret_decrypt(service.credential_secret)), headers, params)
    timeout = min(service.timeout_ms, int(gateway_setting("HEALTH_TIMEOUT_MS"))) / 1000
    started = time.perf_counter()
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            with client.stream(operation.method, url, headers=headers, params=params) as answer:
                status = answer.status_code
    except httpx.TimeoutException:
        return False, None, int((time.perf_counter() - started) * 1000), \
            _("超过 %(ms)d 毫秒没有应答。") % {"ms": int(timeout * 1000)}
    except httpx.HTTPError:
        return False, None, int((time.perf_counter() - started) * 1000), _("无法连接。")
    latency = int((time.perf_counter() - started) * 1000)
    if status in (401, 403):
        return False, status, latency, _("上游拒绝了登记的凭据（状态码 %(s)d）。") % {"s": status}
    if status >= 500:
        return False, status, latency, _("上游返回错误（状态码 %(s)d）。") % {"s": status}
    return True, status, latency, ""


def service_health_check(*, service: DataService) -> ServiceHealthCheck:
    """Check one service now, record it, move its health and notify on a change."""
    ok, status, latency, error = _probe(service)
    with transaction.atomic():
        locked = DataService.objects.select_for_update().select_related("resource").get(
            pk=service.pk)
        check = ServiceHealthCheck.objects.create(service=locked, ok=ok, status_code=status,
                                                  latency_ms=latency, error=error[:300])
        down_after = int(gateway_setting("HEALTH_DOWN_AFTER"))
        recent = list(ServiceHealthCheck.objects.filter(service=locked)
                      .values_list("ok", flat=True)[:down_after])
        if ok:
            health = DataService.Health.UP
        elif len(recent) >= down_after and not any(recent):
            health = DataService.Health.DOWN
        else:
            health = locked.health  # one failure is not yet down
        changed = health != locked.health
        locked.last_checked_at = check.at
        fields = ["last_checked_at"]
        if changed:
            previous = locked.health
            locked.health, locked.health_changed_at = health, check.at
            fields += ["health", "health_changed_at"]
        DataService.objects.filter(pk=locked.pk).update(
            **{f: getattr(locked, f) for f in fields})
        if changed and not (previous == DataService.Health.UNKNOWN
                            and health == DataService.Health.UP):
            _notify(locked, check, health)   # with the change, in its transaction
    return check


def _notify(service: DataService, check: ServiceHealthCheck, health: str) -> None:
    resource = service.resource
    users = [*users_with_role(Role.DATA_ADMIN, department=resource.provider_id),
             *users_with_role(Role.CENTER_REVIEWER)]
    url = reverse("sharing:service_detail", args=[service.pk])
    if health == DataService.Health.DOWN:
        notify(users=users, key=f"service-health:{service.pk}:down:{check.pk}",
               title=_("数据服务接口不可用：%(res)s") % {"res": resource.name},
               body=_("%(at)s 起连续检测失败：%(error)s") % {
                   "at": timezone.localtime(check.at).strftime("%Y-%m-%d %H:%M"),
                   "error": check.error},
               url=url, level=Notification.Level.ESCALATION)
    else:
        notify(users=users, key=f"service-health:{service.pk}:up:{check.pk}",
               title=_("数据服务接口已恢复：%(res)s") % {"res": resource.name},
               body=_("%(at)s 检测恢复正常。") % {
                   "at": timezone.localtime(check.at).strftime("%Y-%m-%d %H:%M")},
               url=url)


def health_sweep() -> int:
    """Check every enabled service (the periodic task); returns how many were checked."""
    from .selectors import services_enabled

    checked = 0
    for service in services_enabled():
        service_health_check(service=service)
        checked += 1
    return checked
