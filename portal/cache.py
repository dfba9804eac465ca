"""A Redis cache that degrades instead of failing while Redis is unreachable.

Throttles, the open catalog's ETag stamp and page fragments live in the cache. When Redis
stops, Django's own backend raises ``ConnectionError`` into every request that touches
the cache, which took the API and the public site down. This backend answers from a
per-process memory cache instead, says so once in the log (and on ``/readyz``), and tries
Redis again after ``RETRY_SECONDS``. While degraded, throttling counts per process rather
than across the cluster: looser, but the site keeps answering. Keys written or deleted
during the outage are deleted from Redis when it is back, so no value that was
invalidated meanwhile (such as the catalog stamp) comes back stale.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """``RedisCache`` with a local-memory fallback and a short circuit breaker.

    ``OPTIONS`` takes, besides redis-py's pool options, ``RETRY_SECONDS`` (how long to
    stay on the fallback after a failure, default 5) and ``FALLBACK_MAX_ENTRIES``.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        max_entries = int(options.pop("FALLBACK_MAX_ENTRIES", 10_000))
        super().__init__(server, {**params, "OPTIONS": options})
        self.fallback = LocMemCache(f"fallback-{id(self)}", {
            "TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", ""),
            "VERSION": params.get("VERSION", 1), "OPTIONS": {"MAX_ENTRIES": max_entries}})
        self._down_until = 0.0
        self._last_error = ""
        self._lock = threading.Lock()
        self._touched: set[tuple[str, int | None]] = set()
        self._touched_max = max_entries

    # -- state
    @property
    def degraded(self) -> bool:
        """True while requests are answered from the fallback."""
        return self._down_until > time.monotonic()

    @property
    def last_error(self) -> str:
        return self._last_error

    def ping(self) -> None:
        """Round-trip to Redis itself (raises when unreachable); used by ``/readyz``."""
        self._cache.get_client(None, write=True).ping()

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            was_up = not self.degraded
            self._down_until = time.monotonic() + self.retry_seconds
            self._last_error = f"{type(exc).__name__}: {exc}"[:200]
        if was_up:
            logger.warning("Cache unreachable (%s): answering from local memory; throttling "
                           "is per process until Redis is back.", self._last_error)

    def _recovered(self) -> None:
        with self._lock:
            if not self._last_error:
                return
            self._last_error = ""
            touched, self._touched = self._touched, set()
        by_version: dict[int | None, list[str]] = {}
        for key, version in touched:
            by_version.setdefault(version, []).append(key)
        try:
            for version, keys in by_version.items():
                super().delete_many(keys, version=version)
        except UNREACHABLE as exc:
            self._failed(exc)
            return
        logger.warning("Cache reachable again: back on Redis (%d keys changed meanwhile "
                       "were dropped there).", len(touched))

    def _remember(self, name: str, args, kwargs) -> None:
        if name in ("get", "get_many", "has_key", "clear") or not args:
            return
        keys = args[0] if name in ("set_many", "delete_many") else [args[0]]
        version = kwargs.get("version")
        with self._lock:
            if len(self._touched) < self._touched_max:
                self._touched.update((key, version) for key in keys)

    def _call(self, name: str, *args, **kwargs):
        if not self.degraded:
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as exc:
                self._failed(exc)
            else:
                if self._last_error:
                    self._recovered()
                return result
        self._remember(name, args, kwargs)
        return getattr(self.fallback, name)(*args, **kwargs)

    # -- the cache API (everything else in BaseCache is built on these)
    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        self.fallback.clear()
        return self._call("clear")
