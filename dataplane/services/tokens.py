"""System tokens (系统对接令牌): per-department API tokens with a scope of grants, an
expiry and revocation. The key is shown once; only its hash is stored.

The scope's grants are sharing's rows (``SystemTokenScope.grants``); this module only
checks that they belong to the actor's department, so it needs nothing from sharing."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import NotPermitted, ValidationFailed
from portal.models import ApiToken, AuditEvent, User
from portal.services.audit import audit_record

from ..conf import dataplane_setting
from ..models import SystemTokenScope
from ..policies import can_issue_system_token, can_revoke_system_token


def _validate(*, actor: User, name: str, expires_at: datetime | None,
              grants: list[Model], rate_per_minute: int) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写令牌名称，如对接的业务系统名称。")]
    max_days = int(dataplane_setting("TOKEN_MAX_DAYS"))
    now = timezone.now()
    if expires_at is None or expires_at <= now:
        errors["expires_at"] = [_("请设定一个将来的到期时间。")]
    elif expires_at > now + timedelta(days=max_days):
        errors["expires_at"] = [_("系统令牌有效期最长 %(days)d 天。") % {"days": max_days}]
    if any(g.department_id != actor.department_id for g in grants):
        errors["grants"] = [_("只能选择本部门持有的共享授权。")]
    if not 1 <= rate_per_minute <= 6000:
        errors["rate_per_minute"] = [_("每分钟请求上限应在 1 到 6000 之间。")]
    if errors:
        raise ValidationFailed(_("系统令牌信息有误，请按提示修改。"), fields=errors)


@transaction.atomic
def system_token_issue(*, actor: User, name: str, expires_at: datetime | None,
                       grants: Iterable[Model] = (), allow_without_grant: bool = False,
                       rate_per_minute: int = 120, request=None) -> tuple[ApiToken, str]:
    """Issue a token for the actor's department. Returns the token and its key (shown once)."""
    if not can_issue_system_token(actor, actor.department_id):
        raise NotPermitted(_("只有部门的数据管理员或数据安全管理员可以签发系统令牌。"),
                           action="issue_token")
    grants = list(grants)
    _validate(actor=actor, name=name, expires_at=expires_at, grants=grants,
              rate_per_minute=rate_per_minute)
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=actor, department_id=actor.department_id, kind=ApiToken.Kind.SYSTEM,
        name=name.strip()[:64], prefix=key[:8], key_hash=ApiToken.hash_key(key),
        expires_at=expires_at,
    )
    scope = SystemTokenScope.objects.create(token=token, allow_without_grant=allow_without_grant,
                                            rate_per_minute=rate_per_minute, created_by=actor)
    scope.grants.set(grants)
    audit_record(action=AuditEvent.Action.TOKEN_CREATED, request=request, actor=actor,
                 target=token, detail={"kind": "system", "grants": [g.pk for g in grants]})
    return token, key


@transaction.atomic
def system_token_revoke(*, actor: User, token: ApiToken, request=None) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not can_revoke_system_token(actor, token):
        raise NotPermitted(_("无权撤销该系统令牌（或令牌已撤销）。"), target=token, action="revoke")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(action=AuditEvent.Action.TOKEN_REVOKED, request=request, actor=actor,
                 target=token)
    return token
