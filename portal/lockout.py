"""Login lockout (P2, 等保 L3 identification): the user-and-address pair, and the address.

Government offices reach the portal through one NAT per building, so locking an address
after five typos locks a whole department out. Here a run of failures locks only the pair
(this username from this address, ``PORTAL_LOGIN_FAILURE_LIMIT``, default 5): the same
user from elsewhere and colleagues behind the same address keep working. An address is
locked as a whole only when the failures from it, over all usernames, reach the much
higher ``PORTAL_ADDRESS_FAILURE_LIMIT`` (default 50) within the cool-off — a password
sprayer, not a colleague who mistyped. Both locks last ``PORTAL_LOCKOUT_MINUTES``.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.db.models import Sum
from django.utils import timezone

from .conf import portal_setting


class PortalAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler (counting per username and address, per
    ``AXES_LOCKOUT_PARAMETERS``) plus the address-wide limit."""

    @staticmethod
    def address_failures(request) -> int:
        ip_address = getattr(request, "axes_ip_address", None)
        if not ip_address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=ip_address)
        cool_off = get_cool_off(request)
        if cool_off is not None:
            attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def address_locked(self, request) -> bool:
        return self.address_failures(request) >= portal_setting("ADDRESS_FAILURE_LIMIT")

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not request.axes_locked_out and self.address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request,
                                 username=get_client_username(request, credentials),
                                 ip_address=request.axes_ip_address)
