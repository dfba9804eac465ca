"""Request middleware of the platform core."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths a signed-in user may reach before completing two-factor authentication.
_OPEN_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/")


class TwoFactorRequiredMiddleware:
    """Users whose roles require two-factor authentication (P2) must verify a TOTP code
    before they reach anything else; without a device they are sent to enrol one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and user.requires_two_factor
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("该账户须完成两步验证后才能使用，请先在网页登录并完成验证。"),
                     "code": "two_factor_required"},
                    status=403,
                )
            return redirect(f"{reverse('portal:otp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)


class ControlCharacterGuardMiddleware:
    """A NUL character in the path, the query or a form body cannot be stored or searched
    (PostgreSQL refuses it in text): the request is answered 400 here, with the site's
    error body, before any view or query sees it. Multipart bodies (uploads) are left to
    their views, which check the files they receive."""

    FORM = "application/x-www-form-urlencoded"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            from portal.error_pages import control_character_refused

            return control_character_refused(request)
        return self.get_response(request)

    def _has_nul(self, request) -> bool:
        if "\x00" in request.path:
            return True
        sources = [request.GET]
        if request.content_type == self.FORM and request.method == "POST":
            sources.append(request.POST)
        return any("\x00" in key or any("\x00" in value for value in values)
                   for source in sources for key, values in source.lists())
