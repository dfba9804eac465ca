"""The Celery application. Configuration comes from Django settings (``CELERY_*``).

Every task is a ``portal.queue.PortalTask``: ``delay_on_commit`` goes through the task
outbox, so work queued while the broker is down is published when it is back.
"""
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal", task_cls="portal.queue:PortalTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _startup_require(**kwargs) -> None:
    """Stop a worker or beat without its start-up requirements, such as the secret key
    (Celery logs and swallows exceptions that signal receivers raise, so this exits)."""
    from django.core.exceptions import ImproperlyConfigured

    from portal.checks import startup_require

    try:
        startup_require()
    except ImproperlyConfigured as exc:
        raise SystemExit(f"ImproperlyConfigured: {exc}") from None
