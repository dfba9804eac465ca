"""Domain errors raised by services and policies.

Every face maps them the same way: the API's exception handler to an HTTP status, the web
pages to a message for the user, the admin to an error message. Messages are in Chinese
and say what to do.
"""

from typing import Any


class DomainError(Exception):
    """Base class. ``status`` is the HTTP status the API answers with."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, target: Any = None, action: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.target = target
        self.action = action

    def __str__(self) -> str:
        return str(self.message)


class ValidationFailed(DomainError):
    """Input broke a rule. ``fields`` maps a field name to its messages."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.fields = fields or {}


class NotPermitted(DomainError):
    """The user may see the object but may not do this to it."""

    status = 403
    code = "permission_denied"


class IllegalTransition(DomainError):
    """The action is not allowed in the object's current state."""

    status = 409
    code = "illegal_transition"


class Conflict(DomainError):
    status = 409
    code = "conflict"
