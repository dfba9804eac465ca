from rest_framework.throttling import SimpleRateThrottle

from portal.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Throttle each API token separately; requests without a token are not counted here."""

    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        return None
