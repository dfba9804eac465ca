"""Helpers shared by the open-data pages: throttling and caching headers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

from ..api.auth import token_from_request
from ..throttling import throttle_check


def throttled(scope: str, methods: tuple[str, ...] | None = None) -> Callable:
    """Count the request against the client's rate in ``scope``; 429 when over it.

    With ``methods``, only requests with those methods count (e.g. submissions).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if methods is not None and request.method not in methods:
                return view(request, *args, **kwargs)
            wait = throttle_check(request, scope, token_from_request(request))
            if wait is not None:
                response = render(request, "opendata/throttled.html", {"wait": wait},
                                  status=429)
                response["Retry-After"] = str(wait)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def not_modified(request: HttpRequest, etag: str, last_modified=None) -> HttpResponse | None:
    """A 304 when the client's copy (If-None-Match / If-Modified-Since) is current."""
    quoted = quote_etag(etag)
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        if quoted in [t.strip() for t in inm.split(",")] or inm.strip() == "*":
            return _304(quoted, last_modified)
        return None
    ims = request.headers.get("If-Modified-Since")
    if ims and last_modified is not None:
        from django.utils.http import parse_http_date_safe

        since = parse_http_date_safe(ims)
        if since is not None and int(last_modified.timestamp()) <= since:
            return _304(quoted, last_modified)
    return None


def _304(quoted: str, last_modified) -> HttpResponse:
    response = HttpResponse(status=304)
    response["ETag"] = quoted
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def cache_headers(response: HttpResponse, *, etag: str | None = None, last_modified=None,
                  max_age: int = 60, public: bool = True) -> HttpResponse:
    """Validators and Cache-Control for a public response.

    Pages that differ for signed-in users are ``private``; shared caches may keep the
    anonymous version for ``max_age`` seconds.
    """
    if etag:
        response["ETag"] = quote_etag(etag)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if public:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response
