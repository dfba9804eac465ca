"""Per-IP and per-token throttling of the public API, downloads and pages.

Crawlers at 100+ requests a second have taken open-data portals down. Each client is
counted in a fixed time window with one atomic cache increment (Redis in production),
so a throttled request costs one round trip and no database query. A request with an
API token is counted against the token (a higher rate); others against the client IP.
The rates are settings (``OPENDATA_THROTTLE_RATES``), set from the environment.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from portal.models import ApiToken
from portal.services.audit import client_ip

from .conf import opendata_setting

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
          "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def rate_parse(text: str) -> Rate:
    """``"120/min"`` → 120 requests per 60 seconds; ``"10/5s"`` is not supported."""
    count, _slash, unit = text.partition("/")
    return Rate(int(count), _UNITS[unit.strip().lower()])


def _rate(name: str) -> Rate:
    return rate_parse(opendata_setting("THROTTLE_RATES")[name])


def throttle_hit(key: str, rate: Rate, *, now: float | None = None) -> int | None:
    """Count one request for ``key``; return the seconds to wait when over the rate."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    cache_key = f"opendata:throttle:{key}:{window}"
    if cache.add(cache_key, 1, timeout=rate.seconds + 1):
        hits = 1
    else:
        try:
            hits = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=rate.seconds + 1)
            hits = 1
    if hits > rate.count:
        return max(1, int((window + 1) * rate.seconds - now))
    return None


def client_key(request: HttpRequest, token: ApiToken | None) -> tuple[str, bool]:
    """The identity a request is counted under, and whether it is a token."""
    if token is not None:
        return f"token:{token.pk}", True
    return f"ip:{client_ip(request) or 'unknown'}", False


def throttle_check(request: HttpRequest, scope: str, token: ApiToken | None = None) -> int | None:
    """Count the request in ``scope`` (``api``, ``download`` or ``page``).

    Returns ``None`` when allowed, else the seconds until the client may retry.
    """
    key, is_token = client_key(request, token)
    rate = _rate(f"{scope}_{'token' if is_token else 'anon'}")
    return throttle_hit(f"{scope}:{key}", rate)


class OpenDataThrottle(BaseThrottle):
    """DRF face of :func:`throttle_check` for the data API and the CKAN API."""

    scope = "api"

    def allow_request(self, request, view) -> bool:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        self._wait = throttle_check(request, self.scope, token)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class DownloadThrottle(OpenDataThrottle):
    scope = "download"


class FormThrottle(OpenDataThrottle):
    """Submissions by the public (data requests, applications): a slow rate."""

    scope = "form"
