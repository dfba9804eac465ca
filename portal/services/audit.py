"""Writing the audit trail (P2)."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from portal.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # Behind a reverse proxy the proxy sets REMOTE_ADDR via its own configuration
    # (see docs/deploy.md); X-Forwarded-For is not trusted here.
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    actor=None,
    username: str = "",
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. ``actor`` defaults to the request's authenticated user."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            actor = request.user
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        username=username or (actor.get_username() if actor is not None else ""),
        ip_address=client_ip(request),
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        path=request.get_full_path()[:300] if request is not None else "",
        detail=detail or {},
    )
