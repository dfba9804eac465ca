"""Settings of sharing and of its interface gateway, with defaults (``settings.SHARING``
and ``settings.SHARING_GATEWAY``; see portal/conf.py).

Every deadline and pipeline step comes from the region's rule pack (portal.rules,
docs/rules.md); what is here is not a jurisdiction's rule."""

from portal.conf import AppSettings

sharing_setting = AppSettings("SHARING", {
    # Size limit of commitments, evidence and message attachments.
    "ATTACHMENT_MAX_MB": 20,
})

# The interface gateway (S9 服务接口, sharing/gateway/).
gateway_setting = AppSettings("SHARING_GATEWAY", {
    # Upper bounds a provider may set on a service.
    "TIMEOUT_MAX_MS": 60_000,
    "ANSWER_MAX_BYTES": 200 * 1024 * 1024,
    # Answers up to this size are read whole before answering (exact 502 on any upstream
    # fault); larger ones are streamed record by record.
    "BUFFER_BYTES": 1024 * 1024,
    # Records masked together in one DuckDB pass while streaming.
    "STREAM_BATCH": 2000,
    # Pooled upstream connections per web process (sharing.gateway.upstream).
    "POOL_CONNECTIONS": 400,
    # Threads of a web process doing the gateway's database work (plans, the log).
    "DB_THREADS": 8,
    # Whether a call answers only after its access-log entry is committed (see logwriter).
    "LOG_COMMIT_BEFORE_ANSWER": True,
    # Per-grant calls per minute (per-token rates are set on each token's scope).
    "GRANT_RATE_PER_MINUTE": 6000,
    # Circuit breaker: consecutive upstream failures that open it, seconds it stays open.
    "BREAKER_FAILURES": 5,
    "BREAKER_OPEN_SECONDS": 30,
    # How long a web process may reuse a call plan (token, decision, operation, rules)
    # while nothing it depends on changed, before rebuilding it in the background
    # (see sharing.gateway.plans); 0: no reuse, every call builds its plan.
    "PLAN_TTL_SECONDS": 5,
    # Where limits, breaker state and the plan generation live: "auto" (Redis when
    # REDIS_URL is set, else this process's memory) or "memory".
    "STORE": "auto",
    # Health check (sharing.gateway.health): timeout of one check, failed checks in a row
    # that mark a service down (the schedule is in CELERY_BEAT_SCHEDULE).
    "HEALTH_TIMEOUT_MS": 5000,
    "HEALTH_DOWN_AFTER": 2,
})
