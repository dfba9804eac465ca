"""``Authorization: Token <key>`` authentication over hashed, revocable API tokens."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from portal.models import ApiToken


def token_resolve(key: str) -> ApiToken:
    """The usable token for ``key``; ``AuthenticationFailed`` (401) with the reason otherwise.

    Shared by the DRF authentication and the gateway's async view.
    """
    token = (
        ApiToken.objects.select_related("user", "department")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
    if token is None:
        raise exceptions.AuthenticationFailed(_("令牌无效。"))
    if token.revoked_at is not None:
        raise exceptions.AuthenticationFailed(_("令牌已被撤销。"))
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        raise exceptions.AuthenticationFailed(_("令牌已过期，请重新申请。"))
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("账户已停用。"))
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误，应为：Authorization: Token <令牌>。"))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌格式错误。")) from None
        token = token_resolve(key)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token-based authentication: `Token <key>`",
        }
