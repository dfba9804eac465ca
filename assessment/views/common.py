"""Helpers of the assessment views: run a service and turn domain errors into messages."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from portal.errors import DomainError, ValidationFailed


def perform(request: HttpRequest, call: Callable, *, form: forms.Form | None = None,
            success: str = ""):
    """Run ``call()``; on a domain error show it (on the form's fields where named) and
    return None, else flash ``success`` and return the result (or True)."""
    try:
        result = call()
    except ValidationFailed as exc:
        if form is not None and exc.fields:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.error(request, exc.message)
        return None
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return True if result is None else result
