"""API tokens: created, shown once, revoked (API.md)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from portal.errors import NotPermitted
from portal.models import ApiToken, AuditEvent, User
from portal.services.audit import audit_record


@transaction.atomic
def token_create(*, actor: User, name: str, expires_at: datetime | None = None,
                 request=None) -> tuple[ApiToken, str]:
    """Create a personal token for ``actor``. Returns the token and its key (shown once)."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=actor, name=name.strip() or "API", prefix=key[:8], key_hash=ApiToken.hash_key(key),
        expires_at=expires_at,
    )
    audit_record(action=AuditEvent.Action.TOKEN_CREATED, request=request, actor=actor, target=token)
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken, request=None) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk and not actor.is_superuser:
        raise NotPermitted("只能撤销自己的令牌。", target=token, action="revoke")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=AuditEvent.Action.TOKEN_REVOKED, request=request, actor=actor,
                     target=token)
    return token
