"""P2/P3/P5: sign-in, two-factor step and the inbox in a real browser, in Chinese."""

from datetime import date

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from portal.models import Role
from portal.services.inbox import inbox_add
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_clerk_signs_in_and_sees_inbox_in_chinese(page, login, make_user, department):
    clerk = make_user(username="zhang_clerk", department=department, roles=[Role.CLERK])
    inbox_add(users=[clerk], key="demo:1", title="补充目录信息项：不动产登记信息", url="/inbox/",
              due_on=date(2031, 3, 2))
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    screenshot(page, "login")
    login("zhang_clerk")
    assert page.get_by_role("heading", name="张三").count() or page.get_by_text("您好").count()
    page.get_by_role("link", name="我的待办").first.click()
    row = page.get_by_role("row", name="补充目录信息项：不动产登记信息")
    assert row.get_by_text("2031-03-02").is_visible()
    screenshot(page, "inbox")


def test_wrong_password_message_is_chinese(page, login, make_user):
    make_user(username="li_clerk")
    login("li_clerk", "wrong-password")
    expect(page.get_by_text("用户名或密码错误")).to_be_visible()


def test_data_admin_must_pass_two_factor(page, login, make_user, department, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = make_user(username="wang_admin", department=department, roles=[Role.DATA_ADMIN])
    login("wang_admin")
    assert "/accounts/otp/setup/" in page.url
    expect(page.locator(".qr svg")).to_be_visible()
    device = TOTPDevice.objects.get(user=admin)
    page.get_by_label("动态验证码").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="确认启用").click()
    expect(page.get_by_text("两步验证已启用")).to_be_visible()
    page.goto("/inbox/")
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
