"""Fetching one object for a user: 404 when they may not see it, and the denial audited."""

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from portal.models import AuditEvent
from portal.services.audit import audit_record


def get_visible_or_404(request: HttpRequest, visible: QuerySet, **lookup) -> Model:
    """Return the object from the user's visible queryset, or raise 404.

    When the object exists but is outside what the user may see, the attempt is written
    to the audit log as a permission denial; the response is the same 404 either way, so
    existence does not leak.
    """
    try:
        return visible.get(**lookup)
    except visible.model.DoesNotExist:
        hidden = visible.model._default_manager.filter(**lookup).first()
        if hidden is not None:
            audit_record(action=AuditEvent.Action.PERMISSION_DENIED, request=request, target=hidden)
        raise Http404 from None
    except (ValueError, TypeError, ValidationError):
        raise Http404 from None
