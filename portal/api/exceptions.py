"""One mapping of domain errors to HTTP answers for the whole API (API.md)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.error_pages import too_large_message
from portal.errors import DomainError, ValidationFailed
from portal.refusals import refusal_audit


def exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, DomainError):
        refusal_audit(request=request, exc=exc)
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
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": too_large_message(), "code": "too_large"},
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response({"detail": _("提交的字段或文件过多。"), "code": "too_many_fields"},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
