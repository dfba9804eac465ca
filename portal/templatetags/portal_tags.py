"""Template tags of the site shell shared by every app."""

from datetime import date, datetime, timedelta

from django import template
from django.utils import timezone

from portal.models import RulePackVersion
from portal.rules import RULES, rule_of
from portal.workdays import WorkingCalendar

register = template.Library()

# The working-day window read once per request for the deadlines on a page.
_WINDOW = timedelta(days=400)


def _calendar(context, today: date, day: date) -> WorkingCalendar:
    """One calendar window per request (one query), whatever the number of deadlines."""
    request = context.get("request")
    calendar = getattr(request, "_portal_calendar", None)
    if calendar is None or not (calendar.covers(today) and calendar.covers(day)):
        calendar = WorkingCalendar(min(today, day) - _WINDOW, max(today, day) + _WINDOW)
        if request is not None:
            request._portal_calendar = calendar
    return calendar


def _rule_version(context, step):
    """The pack version that timed ``step``: the one loaded with it, else read once per
    request and version (a list of steps timed by the same versions costs one query
    per version, not one per row)."""
    field = step._meta.get_field("rule_version")
    if field.is_cached(step):
        return step.rule_version
    request = context.get("request")
    cache = getattr(request, "_portal_rule_versions", None)
    if cache is None:
        cache = {}
        if request is not None:
            request._portal_rule_versions = cache
    if step.rule_version_id not in cache:
        cache[step.rule_version_id] = RulePackVersion.objects.filter(
            pk=step.rule_version_id).first()
    return cache[step.rule_version_id]


def step_rule_text(step, context=None) -> str:
    """The rule that set ``step``'s due date, or "" when a person chose the date."""
    key = getattr(step, "due_rule", "")
    if key.partition("#")[0] not in RULES or not getattr(step, "rule_version_id", None):
        return ""
    version = _rule_version(context or {}, step)
    return rule_of(version, key).describe() if version is not None else ""


@register.inclusion_tag("partials/deadline.html", takes_context=True)
def deadline(context, due_on, closed=False, is_open=True, step=None) -> dict:
    """A deadline as every page shows it: the date and, while the step is still open, the
    working days left (P4) — "今天到期" on the day, overdue in red after it.

    ``closed`` (e.g. the time the step was done) or ``is_open=False`` shows the date alone. The one place deadlines are
    rendered, so a page never computes working days itself.

    ``step`` is the row whose deadline it is: when a rule pack timed it, the rule is shown
    beside the date ("10 个工作日（《政务数据共享条例》第…条）"), read from the pack version
    that gave the date, so a later edit of the pack does not rewrite what the step was told.
    """
    if not due_on:
        return {"due_on": None}
    if isinstance(due_on, datetime):
        due_on = timezone.localdate(due_on)
    closed = bool(closed) or not is_open
    state = {"due_on": due_on, "closed": closed, "rule": step_rule_text(step, context)}
    if closed:
        return state
    today = timezone.localdate()
    left = _calendar(context, today, due_on).working_days_between(today, due_on)
    state.update(
        overdue=due_on < today, overdue_days=max(-left, 0),
        due_today=due_on == today, left=max(left, 0), soon=due_on >= today and left <= 2,
    )
    return state
