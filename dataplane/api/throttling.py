"""Throttling of the data endpoints per API token (system tokens at their scope's rate)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from portal.models import ApiToken

from ..models import SystemTokenScope

DEFAULT_RATE = "120/min"


class DataTokenThrottle(SimpleRateThrottle):
    """Each token has its own bucket for data reads; session users are not counted here.

    A system token's rate is the one set on its scope (``rate_per_minute``); personal
    tokens use ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["dataplane"]``.
    """

    scope = "dataplane"

    def __init__(self) -> None:  # the rate depends on the token, set per request
        pass

    def _rate_for(self, token: ApiToken) -> str:
        if token.kind == ApiToken.Kind.SYSTEM:
            per_minute = (SystemTokenScope.objects.filter(token=token)
                          .values_list("rate_per_minute", flat=True).first())
            if per_minute:
                return f"{per_minute}/min"
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(
            self.scope, DEFAULT_RATE)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            return True
        self.rate = self._rate_for(request.auth)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
