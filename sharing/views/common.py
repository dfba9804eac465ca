"""Helpers shared by the sharing pages: running a service and showing its error."""

from collections.abc import Callable

from django import forms
from django.contrib import messages

from portal.errors import DomainError, IllegalTransition, NotPermitted, ValidationFailed
from portal.models import AuditEvent
from portal.services.audit import audit_record


def run_service(request, form: forms.Form | None, call: Callable[[], object],
                success: str = "") -> bool:
    """Call ``call()``; on a domain error put field errors on the form (or a message).

    Returns True when the service succeeded.
    """
    try:
        call()
    except ValidationFailed as exc:
        placed = False
        if form is not None:
            for field, errors in exc.fields.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
                placed = True
        if not placed:
            details = [str(e) for errors in exc.fields.values() for e in errors]
            messages.error(request, " ".join([str(exc.message), *details]))
        return False
    except DomainError as exc:
        if isinstance(exc, NotPermitted | IllegalTransition):
            audit_record(
                action=(AuditEvent.Action.PERMISSION_DENIED if isinstance(exc, NotPermitted)
                        else AuditEvent.Action.ILLEGAL_TRANSITION),
                request=request, target=exc.target,
                detail={"action": exc.action, "message": str(exc.message)})
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True
