"""Helpers of the data pages: showing a service's refusal."""

from collections.abc import Callable

from django import forms
from django.contrib import messages

from portal.errors import DomainError, IllegalTransition, NotPermitted, ValidationFailed
from portal.models import AuditEvent
from portal.services.audit import audit_record


def call_service(request, call: Callable[[], object], *, form: forms.Form | None = None,
                 success: str = ""):
    """Run ``call()``; a domain error becomes form errors or a message. Returns the
    result, or None when the service refused."""
    try:
        result = call()
    except ValidationFailed as exc:
        if form is not None and exc.fields:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.error(request, " ".join([str(exc.message),
                                              *[str(e) for v in exc.fields.values() for e in v]]))
        return None
    except DomainError as exc:
        if isinstance(exc, NotPermitted | IllegalTransition):
            audit_record(action=(AuditEvent.Action.PERMISSION_DENIED
                                 if isinstance(exc, NotPermitted)
                                 else AuditEvent.Action.ILLEGAL_TRANSITION),
                         request=request, target=exc.target,
                         detail={"action": exc.action, "message": str(exc.message)})
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True
