"""Personal API tokens on the open-data endpoints (O5).

Downloads are plain Django views, so they read the token themselves with
:func:`token_from_request`. CKAN clients send the key bare (``Authorization: <key>``),
which :class:`CkanTokenAuthentication` accepts besides the portal's ``Token <key>``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions

from dataplane.consumer import Consumer
from portal.api.authentication import ApiTokenAuthentication
from portal.models import ApiToken
from portal.services.audit import client_ip


def _key(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if not header:
        return None
    parts = header.split()
    if len(parts) == 2 and parts[0].lower() == "token":
        return parts[1]
    if len(parts) == 1:
        return parts[0]
    return None


def token_lookup(key: str | None) -> ApiToken | None:
    """The usable token with this key, or None (unknown, revoked, expired, inactive user)."""
    if not key:
        return None
    token = (ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key))
             .first())
    if token is None or not token.is_usable(timezone.now()) or not token.user.is_active:
        return None
    return token


def token_from_request(request: HttpRequest) -> ApiToken | None:
    cached = getattr(request, "_opendata_token", False)
    if cached is not False:
        return cached
    token = token_lookup(_key(request))
    request._opendata_token = token
    return token


def request_consumer(request: HttpRequest, *, token: ApiToken | None, channel: str) -> Consumer:
    """Who reads, for the open-data read services: the token's user, else the signed-in
    user, else an anonymous member of the public."""
    return Consumer.of(user=getattr(request, "user", None), token=token, channel=channel,
                       ip_address=client_ip(request))


class CkanTokenAuthentication(ApiTokenAuthentication):
    """``Authorization: Token <key>`` or CKAN's bare ``Authorization: <key>``."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "").strip()
        if header and len(header.split()) == 1:
            token = token_lookup(header)
            if token is None:
                raise exceptions.AuthenticationFailed("API key is not valid.")
            return token.user, token
        return super().authenticate(request)


class CkanTokenScheme(OpenApiAuthenticationExtension):
    target_class = "opendata.api.auth.CkanTokenAuthentication"
    name = "ckanKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "个人令牌：`Token <key>`，或 CKAN 方式直接填写 `<key>`"}
