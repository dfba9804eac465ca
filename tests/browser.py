"""Browser fixtures: the real pages in headless Chromium (Playwright driving Debian's
chromium). Registered for every test package by the root conftest, so one browser
serves the whole run; tests that use them are marked ``e2e`` and skipped without
Chromium."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page (Chinese locale) against the live test server."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url,
                                  viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(page):
    """``login(username)``: sign in through the real login form."""
    from tests.conftest import PASSWORD

    def do(username: str, password: str = PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()

    return do


@pytest.fixture
def sign_in(browser, live_server, settings):
    """``sign_in(user, width=1280)``: a page of its own browser context, signed in (with the
    TOTP step for users who need it). One context per user, so no code is used twice."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import PASSWORD

    settings.SECURE_SSL_REDIRECT = False
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    contexts = []

    def open_as(user, width: int = 1280):
        context = browser.new_context(locale="zh-CN", base_url=live_server.url,
                                      viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        device = (TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
                  if user.requires_two_factor else None)
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        if device is not None:
            page.get_by_label("动态验证码").fill(f"{totp(device.bin_key):06d}")
            with page.expect_navigation():
                page.get_by_role("button", name="验证").click()
        return page

    yield open_as
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
