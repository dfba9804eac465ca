"""Models of the platform core: organisation, accounts, audit, calendar, inbox, workflow."""

from .accounts import ApiToken, Role, RoleAssignment, User
from .audit import AuditEvent
from .calendar import CalendarDay, CalendarYear, SystemAlert
from .inbox import InboxItem, Notification
from .organisation import Department, Region
from .outbox import OutboxTask
from .rules import RulePack, RulePackVersion
from .workflow import WorkflowEvent

__all__ = [
    "ApiToken",
    "AuditEvent",
    "CalendarDay",
    "CalendarYear",
    "Department",
    "InboxItem",
    "Notification",
    "OutboxTask",
    "Region",
    "Role",
    "RulePack",
    "RulePackVersion",
    "RoleAssignment",
    "SystemAlert",
    "User",
    "WorkflowEvent",
]
