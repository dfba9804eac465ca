"""P2: passwords, lockout, idle timeout, two-factor, audit trail."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditEvent, Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD):
    return client.post(reverse("portal:login"), {"username": username, "password": password})


@pytest.mark.parametrize("weak", ["short1!A", "alllowercaseletters", "12345678901234", "Password1234"])
def test_p2_weak_passwords_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_p2_strong_password_accepted():
    validate_password("Hainan-Data-2026!")


def test_p2_lockout_after_repeated_failures_is_audited(client, make_user, settings):
    user = make_user()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, user.username, "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    response = login(client, user.username, "wrong-password")
    assert response.status_code == 429
    assert "已临时锁定" in response.content.decode()
    # Even the right password is refused while locked.
    response = login(client, user.username)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, username=user.username)
    assert failed.count() >= settings.AXES_FAILURE_LIMIT
    lockout = AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT, username=user.username).first()
    assert lockout.actor == user and lockout.ip_address == "127.0.0.1"
    assert lockout.at.tzinfo is not None and lockout.at.utcoffset().total_seconds() == 0


def test_p2_successful_login_is_audited(client, make_user, department):
    user = make_user(department=department, roles=[Role.CLERK])
    response = login(client, user.username)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == user and event.ip_address == "127.0.0.1"


def test_p2_idle_session_expires(client, make_user, department, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    user = make_user(department=department, roles=[Role.CLERK])
    login(client, user.username)
    assert client.get(reverse("portal:inbox")).status_code == 200
    session = client.session
    session.set_expiry(-1)  # the idle period has passed
    session.save()
    response = client.get(reverse("portal:inbox"))
    assert response.status_code == 302 and reverse("portal:login") in response.url


@pytest.mark.parametrize("role, required", [
    (Role.CLERK, False), (Role.SECURITY_OFFICER, False), (Role.HEAD, False),
    (Role.DATA_ADMIN, True), (Role.CENTER_REVIEWER, True), (Role.AUTHORITY, True),
])
def test_p2_two_factor_required_for_the_right_roles(client, make_user, department, role, required):
    user = make_user(department=department, roles=[role])
    login(client, user.username)
    response = client.get(reverse("portal:inbox"))
    if required:
        assert response.status_code == 302 and response.url.startswith(reverse("portal:otp_verify"))
        api = client.get("/api/v1/me/")
        assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    else:
        assert response.status_code == 200


def test_p2_totp_enrolment_then_verification(client, make_user, department, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # throttling itself is django-otp's, tested there
    user = make_user(department=department, roles=[Role.DATA_ADMIN])
    login(client, user.username)
    response = client.get(reverse("portal:otp_verify"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("portal:otp_setup"))
    assert "<svg" in response.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("portal:otp_setup"), {"token": "000000" if totp(device.bin_key) != 0 else "111111"})
    assert "验证码不正确" in response.content.decode()
    response = client.post(reverse("portal:otp_setup"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert client.get(reverse("portal:inbox")).status_code == 200
    # A new session must verify again with the enrolled device.
    client.logout()
    login(client, user.username)
    assert client.get(reverse("portal:inbox")).url.startswith(reverse("portal:otp_verify"))
    response = client.post(reverse("portal:otp_verify"), {"token": "12ab"})
    assert "6 位数字" in response.content.decode()


def test_p2_demo_exemption_only_where_allowed(make_user, department, settings):
    user = make_user(department=department, roles=[Role.CENTER_REVIEWER], two_factor_exempt=True)
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = False
    assert user.requires_two_factor
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    assert not user.requires_two_factor


def test_p2_hidden_object_is_404_and_denial_audited(client, make_user, department):
    from portal.services.tokens import token_create

    owner = make_user(department=department, roles=[Role.CLERK])
    other = make_user(department=department, roles=[Role.CLERK])
    token, _key = token_create(actor=owner, name="业务系统")
    client.force_login(other)
    response = client.post(reverse("portal:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    denial = AuditEvent.objects.get(action=AuditEvent.Action.PERMISSION_DENIED)
    assert denial.actor == other and denial.object_id == str(token.pk)
    # A missing object is the same 404, without an audit row.
    assert client.post(reverse("portal:token_revoke", args=[99999])).status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED).count() == 1


@pytest.mark.parametrize("role, allowed", [
    (Role.CENTER_REVIEWER, True), (Role.AUTHORITY, True), (Role.CLERK, False),
    (Role.DATA_ADMIN, False), (Role.HEAD, False), (Role.LEGAL_REVIEWER, False),
])
def test_p6_admin_is_for_center_and_authority(client, make_user, department, role, allowed, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    user = make_user(department=department, roles=[role], two_factor_exempt=True)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert (response.status_code == 200) is allowed
    if not allowed:
        assert response.status_code == 302


def test_p2_audit_log_is_read_only_in_admin(client, make_user, department, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    center = make_user(department=department, roles=[Role.CENTER_REVIEWER], two_factor_exempt=True)
    client.force_login(center)
    assert client.get(reverse("admin:portal_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_auditevent_add")).status_code == 403


def login_from(client, ip, username, password=PASSWORD):
    return client.post(reverse("portal:login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


NAT, HOME = "10.8.0.1", "10.9.0.7"


def test_p2_typos_lock_the_user_at_that_address_only(client, make_user, settings):
    """Five typos behind the office NAT lock that user there, not the office, and not
    that user elsewhere (等保 identification: lockout without a department-wide DoS)."""
    typist, colleague = make_user(), make_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login_from(client, NAT, typist.username, "wrong-password")
    assert response.status_code == 429
    assert login_from(client, NAT, typist.username).status_code == 429  # locked: the pair
    assert login_from(client, NAT, colleague.username).status_code == 302  # same NAT: fine
    client.logout()
    assert login_from(client, HOME, typist.username).status_code == 302  # other address


@pytest.mark.parametrize("limit", [12])
def test_p2_an_address_guessing_many_accounts_is_locked_as_a_whole(client, make_user,
                                                                   settings, limit):
    settings.PORTAL = {**settings.PORTAL, "ADDRESS_FAILURE_LIMIT": limit}
    bystander = make_user()
    victims = [make_user() for _ in range(limit // 2)]
    codes = [login_from(client, NAT, v.username, "Spring2026!").status_code
             for v in victims for _ in range(2)]
    assert codes[:-1] == [200] * (limit - 1) and codes[-1] == 429  # each pair: 2 < 5
    assert login_from(client, NAT, bystander.username).status_code == 429  # address locked
    assert login_from(client, HOME, bystander.username).status_code == 302
    lockouts = AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT, ip_address=NAT)
    assert lockouts.exists()
