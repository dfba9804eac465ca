"""Who reads data, as the access log records it: shared data (sharing's delivery and
gateway) and open data (opendata's read services) take the same value object, so every
read is logged the same way whichever face it came through (S10, O6)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.models import ApiToken, Department, User

from .models import AccessLogEntry


@dataclass(frozen=True)
class Consumer:
    """Who reads: the user (none for an anonymous member of the public reading open
    data), the department they act for, the token, the channel."""

    user: User | None
    department: Department | None
    token: ApiToken | None = None
    channel: str = AccessLogEntry.Channel.WEB
    ip_address: str | None = None

    @classmethod
    def of(cls, *, user: User | None, token: ApiToken | None, channel: str,
           ip_address: str | None) -> Consumer:
        """A system token acts for its department; anything else for the user's own.

        A token stands for its user; an anonymous user is recorded as none."""
        if token is not None:
            user = token.user
        if user is not None and not user.is_authenticated:
            user = None
        if token is not None and token.kind == ApiToken.Kind.SYSTEM:
            department = token.department
        else:
            department = user.department if user is not None and user.department_id else None
        return cls(user=user, department=department, token=token, channel=channel,
                   ip_address=ip_address)
