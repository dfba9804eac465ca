"""Read replicas: read-only pages are served from PostgreSQL streaming replicas.

``DATABASE_REPLICA_URLS`` adds one database alias per replica (``replica1`` …). Which
requests may read from a replica is decided per route, not per query: the safe (GET/HEAD)
requests of the routes named in ``PORTAL_REPLICA_ROUTES`` — the public portal, the
platform catalog and the CKAN API, whose selectors only read. Everything else, and within
a routed request anything inside a transaction or after a write, reads the primary, so a
service never decides on a replica's possibly stale row.

Read-your-writes: a replica may lag the primary by a moment, so after a user sends a
write (any unsafe request) that user's reads stay on the primary for
``PORTAL_REPLICA_PIN_SECONDS``. The pin is kept in a signed cookie (the browser, on any
web node) and, for a signed-in user, in the shared cache too (token clients without
cookies, other browsers of the same user).
"""

import contextvars
import random
import time
from fnmatch import fnmatchcase

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

from .conf import portal_setting

PIN_COOKIE = "portal_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Tables read on every request before the view runs (session, sign-in, lockout, devices):
# always the primary, so a session made a moment ago is found on any node.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "otp_totp", "otp_static", "django_otp"})

_replica: contextvars.ContextVar[str | None] = contextvars.ContextVar("portal_replica",
                                                                      default=None)


def replica_aliases() -> list[str]:
    return list(portal_setting("REPLICA_ALIASES"))


class ReplicaRouter:
    """Reads go to the replica chosen for the current request, if any; writes always to
    the primary (and a write ends replica reads for the rest of the request)."""

    def db_for_read(self, model, **hints):
        alias = _replica.get()
        if alias is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return alias

    def db_for_write(self, model, **hints):
        if _replica.get() is not None and model._meta.app_label not in PRIMARY_ONLY_APPS:
            _replica.set(None)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas are copies of the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _pin_key(user_id) -> str:
    return f"portal:replica-pin:{user_id}"


def _pinned(request) -> bool:
    try:
        until = float(request.get_signed_cookie(PIN_COOKIE, default="0", salt=PIN_COOKIE))
    except ValueError:
        until = 0.0
    if until > time.time():
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and cache.get(_pin_key(user.pk)))


def _pin(request, response) -> None:
    seconds = int(portal_setting("REPLICA_PIN_SECONDS"))
    response.set_signed_cookie(PIN_COOKIE, str(time.time() + seconds), salt=PIN_COOKIE,
                               max_age=seconds, httponly=True, samesite="Lax",
                               secure=request.is_secure())
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cache.set(_pin_key(user.pk), 1, seconds)


def _routed(request) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    patterns = portal_setting("REPLICA_ROUTES")
    return any(fnmatchcase(match.view_name, pattern) for pattern in patterns)


class ReplicaMiddleware:
    """Chooses a replica for a routed safe request that is not pinned to the primary, and
    pins the user to the primary after an unsafe request. Placed after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _replica.reset(token)
        if request.method not in SAFE_METHODS and replica_aliases():
            _pin(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        aliases = replica_aliases()
        if (aliases and request.method in SAFE_METHODS and _routed(request)
                and not _pinned(request)):
            request._replica_token = _replica.set(random.choice(aliases))
        return None

