"""A refused action, on every face (P2): shown to the user and audited, the same way.

Services raise a :class:`~portal.errors.DomainError` inside their transaction; by the
time a face catches it the transaction has rolled back, so the face writes the audit
row. Every face uses this module:

* page views call :func:`perform` (run a service, show its refusal) or, where the view
  has its own flow, :func:`refusal_show` in their ``except DomainError`` block;
* admin actions call :func:`admin_refusal` (``portal.admin_site.admin_action_apply``
  for actions over a selection);
* the API's exception handler (``portal.api.exceptions``) calls :func:`refusal_audit`.

A refused permission (:class:`~portal.errors.NotPermitted`) or transition
(:class:`~portal.errors.IllegalTransition`) writes one ``AuditEvent``; bad input
(:class:`~portal.errors.ValidationFailed`) and other domain errors write none.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from portal.errors import DomainError, IllegalTransition, NotPermitted, ValidationFailed
from portal.models import AuditEvent
from portal.services.audit import audit_record


def refusal_audit(*, request: HttpRequest | None, exc: DomainError) -> AuditEvent | None:
    """The audit row of a refused permission or transition (None for other errors)."""
    if isinstance(exc, IllegalTransition):
        action = AuditEvent.Action.ILLEGAL_TRANSITION
    elif isinstance(exc, NotPermitted):
        action = AuditEvent.Action.PERMISSION_DENIED
    else:
        return None
    return audit_record(action=action, request=request, target=exc.target,
                        detail={"action": exc.action, "message": str(exc.message)})


def refusal_text(exc: DomainError) -> str:
    """The message with every field's messages after it, for faces without a form."""
    details = [str(e) for errors in getattr(exc, "fields", {}).values() for e in errors]
    return " ".join([str(exc.message), *details])


def refusal_show(request: HttpRequest, exc: DomainError, *,
                 form: forms.Form | None = None) -> None:
    """Audit the refusal and show it: a validation error's field messages on the form's
    fields where the form has them, everything else as one error message."""
    refusal_audit(request=request, exc=exc)
    if form is not None and isinstance(exc, ValidationFailed) and exc.fields:
        rest = []
        for field, errors in exc.fields.items():
            if field in form.fields:
                for error in errors:
                    form.add_error(field, error)
            else:
                rest.extend(str(e) for e in errors)
        if rest:
            messages.error(request, " ".join(rest))
        return
    messages.error(request, refusal_text(exc))


def perform(request: HttpRequest, call: Callable[[], Any], *, form: forms.Form | None = None,
            success: str = "") -> Any:
    """Run ``call()`` for a page view. On a domain error show it (:func:`refusal_show`)
    and return None; otherwise flash ``success`` and return the result (True for None)."""
    try:
        result = call()
    except DomainError as exc:
        refusal_show(request, exc, form=form)
        return None
    if success:
        messages.success(request, success)
    return True if result is None else result


def admin_refusal(modeladmin, request: HttpRequest, exc: DomainError, *,
                  about: object = None) -> None:
    """Audit the refusal and show it as the admin's error message (``about``: the row)."""
    refusal_audit(request=request, exc=exc)
    text = refusal_text(exc)
    modeladmin.message_user(request, f"{about}：{text}" if about is not None else text,
                            messages.ERROR)
