"""One mapping of domain errors to HTTP answers for the whole API (API.md)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError, IllegalTransition, NotPermitted, ValidationFailed
from portal.models import AuditEvent
from portal.services.audit import audit_record


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, DomainError):
        if isinstance(exc, IllegalTransition | NotPermitted):
            audit_record(
                action=(AuditEvent.Action.ILLEGAL_TRANSITION if isinstance(exc, IllegalTransition)
                        else AuditEvent.Action.PERMISSION_DENIED),
                request=request, target=exc.target,
                detail={"action": exc.action, "message": str(exc.message)},
            )
        if isinstance(exc, ValidationFailed) and exc.fields:
            body = {k: [str(m) for m in v] for k, v in exc.fields.items()}
            body.setdefault("detail", str(exc.message))
        else:
            body = {"detail": str(exc.message), "code": exc.code}
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        body = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict") else {"detail": [str(m) for m in exc.messages]}
        )
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
