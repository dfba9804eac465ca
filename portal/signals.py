"""Audit receivers for authentication events (P2).

These only write the audit trail; no business rule lives here.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.models import AuditEvent, User
from portal.services.audit import audit_record


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit_record(action=AuditEvent.Action.LOGIN, request=request, actor=user)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditEvent.Action.LOGOUT, request=request, actor=user)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    actor = User.objects.filter(username=username).first() if username else None
    audit_record(action=AuditEvent.Action.LOGIN_FAILED, request=request, actor=actor,
                 username=username)


@receiver(user_locked_out)
def _on_lockout(sender, request, username=None, ip_address=None, **kwargs):
    actor = User.objects.filter(username=username).first() if username else None
    audit_record(action=AuditEvent.Action.LOCKOUT, request=request, actor=actor,
                 username=username or "", detail={"ip": ip_address})
