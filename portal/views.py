"""The site shell: home, sign-in with two-factor, inbox, profile and tokens."""

from base64 import b32encode
from datetime import timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.access import get_visible_or_404
from portal.forms import LoginForm, OtpTokenForm, TokenCreateForm
from portal.models import ApiToken, AuditEvent
from portal.responsibilities import departments_listable, responsibility_list
from portal.selectors import inbox_done, inbox_open, notifications_for
from portal.services.audit import audit_record
from portal.services.inbox import notification_mark_read
from portal.services.tokens import token_create, token_revoke


def home(request):
    if not request.user.is_authenticated:
        return render(request, "portal/landing.html")
    return render(request, "portal/home.html", {
        "inbox": inbox_open(request.user)[:8],
        "notifications": notifications_for(request.user)[:5],
        "today": timezone.localdate(),
    })


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _totp_accepted(request, device: TOTPDevice, form: OtpTokenForm) -> bool:
    """Check the code against the device (with its throttling); audit and explain failures."""
    allowed, _info = device.verify_is_allowed()
    if allowed and device.verify_token(form.cleaned_data["token"]):
        return True
    audit_record(action=AuditEvent.Action.TWO_FACTOR_FAILED, request=request)
    form.add_error("token", _("验证码不正确或已过期，请确认手机时间准确、等待验证器刷新后重试。")
                   if allowed else _("尝试次数过多，请稍后再试。"))
    return False


@login_required
def otp_verify(request):
    """Second step of sign-in: a TOTP code from the user's confirmed device."""
    if request.user.is_verified():
        return redirect(_safe_next(request, reverse("portal:home")))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('portal:otp_setup')}?next={_safe_next(request, '')}")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _totp_accepted(request, device, form):
        otp_login(request, device)
        return redirect(_safe_next(request, reverse("portal:home")))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _safe_next(request, "")})


@login_required
def otp_setup(request):
    """Enrol a TOTP device: show the QR code, confirm it with a first code."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("portal:otp_verify")
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "default"}
    )
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _totp_accepted(request, device, form):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        audit_record(action=AuditEvent.Action.TWO_FACTOR_ENROLLED, request=request)
        messages.success(request, _("两步验证已启用。"))
        return redirect(_safe_next(request, reverse("portal:home")))
    buffer = BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return render(request, "registration/otp_setup.html", {
        "form": form, "qr_svg": buffer.getvalue().decode(), "next": _safe_next(request, ""),
        "secret": b32encode(device.bin_key).decode().rstrip("="),
    })


@login_required
def inbox(request):
    show = request.GET.get("show", "open")
    items = inbox_done(request.user) if show == "done" else inbox_open(request.user)
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    return render(request, "portal/inbox.html", {
        "page": page, "show": show, "today": timezone.localdate(),
        "notifications": notifications_for(request.user)[:20],
    })


@login_required
def responsibilities(request):
    """The responsibility list (责任清单) of a department under its region's rule pack:
    one's own department, or any for the center and the authority (others: 404)."""
    listable = departments_listable(request.user)
    chosen = request.GET.get("department") or request.user.department_id
    department = get_visible_or_404(request, listable, pk=chosen) if chosen else None
    return render(request, "portal/responsibilities.html", {
        "department": department,
        "departments": listable if department is None or listable.count() > 1 else None,
        "rows": responsibility_list(department) if department else [],
    })


@login_required
@require_POST
def notifications_read(request):
    notification_mark_read(user=request.user)
    return redirect("portal:inbox")


@login_required
def profile(request):
    form = TokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = token_create(
            actor=request.user, name=form.cleaned_data["name"], request=request,
            expires_at=timezone.now() + timedelta(days=form.cleaned_data["expires_in_days"]),
        )
        form = TokenCreateForm()
    return render(request, "portal/profile.html", {
        "form": form, "new_key": new_key,
        "tokens": ApiToken.objects.filter(user=request.user, kind=ApiToken.Kind.PERSONAL),
        "roles": sorted(request.user.role_assignments.all(), key=lambda r: r.role),
        "has_device": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
        "now": timezone.now(),
    })


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_visible_or_404(request, ApiToken.objects.filter(user=request.user), pk=pk)
    token_revoke(actor=request.user, token=token, request=request)
    messages.success(request, _("令牌“%(name)s”已撤销。") % {"name": token.name})
    return redirect("portal:profile")
