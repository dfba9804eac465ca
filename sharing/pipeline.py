"""The deployment's answer pipeline (S3) and other sharing deadlines, from
``settings.SHARING_PIPELINE`` (documented there and in docs/sharing.md)."""

from datetime import date

from django.conf import settings
from django.utils import timezone

from portal.workdays import add_working_days


def config() -> dict:
    return settings.SHARING_PIPELINE


def center_prereview() -> bool:
    return bool(config()["center_prereview"])


def center_enablement() -> bool:
    return bool(config()["center_enablement"])


def reminder_levels() -> list[int]:
    """Working days before a due date at which reminders go out, most urgent first."""
    return sorted({int(d) for d in config()["reminder_days_before"] if int(d) > 0})


def due_after(days_key: str, start: date | None = None) -> date:
    """The due date ``config()[days_key]`` working days after ``start`` (default today)."""
    return add_working_days(start or timezone.localdate(), int(config()[days_key]))
