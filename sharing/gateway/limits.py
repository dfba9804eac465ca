"""Rate limits, the circuit breaker and the plan generation, shared by all web processes.

With ``REDIS_URL`` set the state lives in Redis (one pipelined round trip per step, so
every process and node sees the same counters); without it (development, one process)
in memory. Limits are fixed one-minute windows: a call over the limit is answered 429
with ``Retry-After`` = the seconds left in the window.

Circuit breaker per service: ``BREAKER_FAILURES`` consecutive upstream failures open it
for ``BREAKER_OPEN_SECONDS``; while open the gateway answers 503 at once without calling
the upstream. When the time is up one call (the probe) goes through: success closes the
breaker, failure opens it again for another period.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from ..conf import gateway_setting

PREFIX = "gw:"
GENERATION_KEY = PREFIX + "generation"


@dataclass(frozen=True)
class Limit:
    kind: str          # "token" or "grant"
    ident: int | str
    per_minute: int


class MemoryStore:
    """One process's state (development and tests without Redis)."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[int, float | None]] = {}
        self.lock = threading.Lock()

    def _get(self, key: str) -> int:
        value, expires = self.values.get(key, (0, None))
        if expires is not None and expires <= time.time():
            self.values.pop(key, None)
            return 0
        return value

    async def incr_many(self, keys: list[tuple[str, int]]) -> list[int]:
        with self.lock:
            out = []
            for key, ttl in keys:
                value = self._get(key) + 1
                self.values[key] = (value, time.time() + ttl)
                out.append(value)
            return out

    async def get_many(self, keys: list[str]) -> list[int]:
        with self.lock:
            return [self._get(k) for k in keys]

    async def incr_get(self, incr: list[tuple[str, int]], get: list[str]) -> tuple[list, list]:
        counted = await self.incr_many(incr)
        return counted, await self.get_many(get)

    async def set(self, key: str, value: int, ttl: float | None = None, *,
                  only_new: bool = False) -> bool:
        with self.lock:
            if only_new and self._get(key):
                return False
            self.values[key] = (value, time.time() + ttl if ttl else None)
            return True

    async def delete(self, *keys: str) -> None:
        with self.lock:
            for key in keys:
                self.values.pop(key, None)

    def bump_sync(self, key: str) -> None:
        with self.lock:
            self.values[key] = (self._get(key) + 1, None)


class RedisStore:
    """Redis, with one asyncio client per event loop (a client belongs to its loop)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: dict[int, tuple[asyncio.AbstractEventLoop, object]] = {}
        self.sync_client = None

    def _client(self):
        import redis.asyncio as aredis

        loop = asyncio.get_running_loop()
        entry = self.clients.get(id(loop))
        if entry is None or entry[0] is not loop:
            for key, (old, _client) in list(self.clients.items()):
                if old.is_closed():
                    del self.clients[key]
            pool = aredis.BlockingConnectionPool.from_url(self.url, max_connections=256,
                                                          timeout=5)
            entry = (loop, aredis.Redis(connection_pool=pool))
            self.clients[id(loop)] = entry
        return entry[1]

    async def incr_many(self, keys: list[tuple[str, int]]) -> list[int]:
        pipe = self._client().pipeline(transaction=False)
        for key, ttl in keys:
            pipe.incr(key)
            pipe.expire(key, ttl, nx=True)
        results = await pipe.execute()
        return [int(v) for v in results[0::2]]

    async def get_many(self, keys: list[str]) -> list[int]:
        values = await self._client().mget(keys)
        return [int(v) if v is not None else 0 for v in values]

    async def incr_get(self, incr: list[tuple[str, int]], get: list[str]) -> tuple[list, list]:
        """Count ``incr`` and read ``get`` in one round trip."""
        pipe = self._client().pipeline(transaction=False)
        for key, ttl in incr:
            pipe.incr(key)
            pipe.expire(key, ttl, nx=True)
        pipe.mget(get)
        results = await pipe.execute()
        values = results[-1]
        return ([int(v) for v in results[:-1][0::2]],
                [int(v) if v is not None else 0 for v in values])

    async def set(self, key: str, value: int, ttl: float | None = None, *,
                  only_new: bool = False) -> bool:
        px = int(ttl * 1000) if ttl else None
        return bool(await self._client().set(key, value, px=px, nx=only_new))

    async def delete(self, *keys: str) -> None:
        await self._client().delete(*keys)

    def bump_sync(self, key: str) -> None:
        import redis

        if self.sync_client is None:
            self.sync_client = redis.Redis.from_url(self.url)
        self.sync_client.incr(key)


_store: MemoryStore | RedisStore | None = None
_store_lock = threading.Lock()


def store() -> MemoryStore | RedisStore:
    global _store
    with _store_lock:
        if _store is None:
            url = getattr(settings, "REDIS_URL", "")
            _store = RedisStore(url) if url and gateway_setting("STORE") != "memory" \
                else MemoryStore()
        return _store


def store_reset() -> None:
    """Forget the process's store (tests switch between stores)."""
    global _store
    with _store_lock:
        _store = None


# --- rate limits and the breaker, asked together ----------------------------------------

@dataclass(frozen=True)
class Admission:
    retry_after: int | None   # over a limit: seconds until its window ends
    breaker_open: bool        # the service's breaker refuses this call
    breaker_dirty: bool       # failures are counted (a success must reset them)
    generation: int | None = None   # the plan generation, when asked for with it


def _rate_key(lim: Limit, window: int) -> str:
    return f"{PREFIX}rate:{lim.kind}:{lim.ident}:{window}"


def _keys(service_id: int) -> tuple[str, str, str]:
    base = f"{PREFIX}breaker:{service_id}:"
    return base + "failures", base + "open", base + "probe"


async def admit(limits: list[Limit], service_id: int, *,
                with_generation: bool = False) -> Admission:
    """Count one call against each limit and ask the service's breaker (and, if asked,
    read the plan generation) in one round trip — a second one only when an open period
    has just ended and this call may be the probe."""
    now = time.time()
    window = int(now // 60)
    failures_key, open_key, probe_key = _keys(service_id)
    reads = [failures_key, open_key, *([GENERATION_KEY] if with_generation else [])]
    counts, values = await store().incr_get(
        [(_rate_key(lim, window), 61) for lim in limits], reads)
    failures, is_open = values[0], values[1]
    gen = values[2] if with_generation else None
    if any(count > lim.per_minute for count, lim in zip(counts, limits, strict=True)):
        return Admission(max(1, int((window + 1) * 60 - now + 0.999)), False, failures > 0, gen)
    if failures < int(gateway_setting("BREAKER_FAILURES")):
        return Admission(None, False, failures > 0, gen)
    if is_open:
        return Admission(None, True, True, gen)
    # Open period over: one probe at a time (the lock expires with the call's timeout).
    probe = await store().set(probe_key, 1, ttl=60, only_new=True)
    return Admission(None, not probe, True, gen)


async def breaker_record(service_id: int, *, ok: bool) -> None:
    failures_key, open_key, probe_key = _keys(service_id)
    if ok:
        await store().delete(failures_key, open_key, probe_key)
        return
    failures = (await store().incr_many([(failures_key, 24 * 3600)]))[0]
    if failures >= int(gateway_setting("BREAKER_FAILURES")):
        await store().set(open_key, 1, ttl=float(gateway_setting("BREAKER_OPEN_SECONDS")))
        await store().delete(probe_key)


# --- plan generation -------------------------------------------------------------------

async def generation() -> int:
    return (await store().get_many([GENERATION_KEY]))[0]


def generation_bump() -> None:
    """Make every process rebuild its cached call plans (something they depend on changed)."""
    store().bump_sync(GENERATION_KEY)
