"""Logs as JSON lines, each carrying the id of the request (or Celery task) it came from.

Every request gets an id: the ``X-Request-ID`` the reverse proxy sent (if it looks like
one) or a new one; it is returned in the response's ``X-Request-ID`` header, added to
every log record of the request, and travels in the headers of every Celery task the
request queues, so a worker's log lines of that task carry the same id.
"""

import contextvars
import logging
import re
import uuid

from celery import signals

HEADER = "portal_request_id"
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("portal_request_id", default="")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (and, inside a task, ``task_id`` / ``task``) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs a failed response after the middleware has returned, with
        # the request attached.
        record.request_id = getattr(getattr(record, "request", None), "request_id", "") or \
            request_id.get()
        from celery import current_task

        if current_task and getattr(current_task.request, "id", None):
            record.task_id, record.task = current_task.request.id, current_task.name
        return True


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


@signals.before_task_publish.connect
def _publish_with_request_id(headers=None, **kwargs):
    rid = request_id.get()
    if rid and headers is not None:
        headers.setdefault(HEADER, rid)


@signals.task_prerun.connect
def _task_takes_request_id(task=None, **kwargs):
    request = getattr(task, "request", None)
    rid = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    # A task run eagerly inside a request keeps the request's id; a worker's task sets it.
    if rid:
        request_id.set(rid)
    elif not getattr(request, "is_eager", False):
        request_id.set("")
