"""The main pages of every role, in a real browser at 1366 px and 390 px, on the demo data:
no page scrolls sideways, the main navigation is one line at 1366 px and a keyboard-
reachable menu at 390 px, and no English word reaches a Chinese page (outside codes,
names and URLs). The screenshots land in docs/screenshots/ (`make screenshots`)."""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = (1366, 390)

# Words a Chinese page may show in Latin letters: formats, standards, products and the
# platform's own codes. Anything else in Latin letters is an untranslated message.
ALLOWED = {
    "API", "CSV", "XLSX", "JSON", "PDF", "OFD", "WPS", "TXT", "MB", "KB", "GB", "IP", "URL",
    "REST", "CKAN", "DCAT", "DCAT-AP", "JSON-LD", "RDF", "OpenAPI", "Excel", "Word", "Atom",
    "Turtle", "PostgreSQL", "UTF-", "GBK", "GB18030", "SHA-", "HMAC-SHA", "Token",
    "Authorization", "Retry-After", "Action", "HTTPS", "ID",
}
CODE_LIKE = re.compile(r"^(?:[A-Za-z]|[A-Z]{1,4}-?|[A-Z]{2}\d*|[a-z]+_[a-z_]+)$")
LATIN = re.compile(r"[A-Za-z][A-Za-z\-]*")

SCAN = r"""() => {
  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest('script,style,noscript,code,pre,kbd,samp,[translate=no],[lang=en]')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const text = node.textContent.replace(/https?:\/\/\S+|\/[\w\-./?=&%]+|[\w.+-]+@[\w.-]+/g, ' ');
    words.push(text);
  }
  return words.join(' ');
}"""


def _untranslated(text: str) -> set[str]:
    return {w for w in LATIN.findall(text) if w not in ALLOWED and not CODE_LIKE.match(w)}


def _pages(ids) -> dict[str, list[tuple[str, str]]]:
    """(name, path) of each role's main pages."""
    year = timezone.localdate().year - 1
    return {
        "anon": [("landing", "/"), ("open-home", "/open/"), ("open-search", "/open/datasets/"),
                 ("open-dataset", f"/open/datasets/{ids['dataset']}/"),
                 ("open-requests", "/open/requests/"), ("results", f"/assessment/results/{year}/")],
        "citizen": [("citizen-me", "/open/me/")],
        "gat_clerk": [("clerk-home", "/"), ("clerk-catalog", "/catalog/mine/"),
                      ("clerk-entry-form", "/catalog/resources/new/"),
                      ("clerk-import", "/catalog/import/"),
                      ("clerk-apply-list", "/sharing/resources/"),
                      ("clerk-requests", "/sharing/requests/mine/")],
        "gat_admin": [("admin-inbox", "/inbox/"), ("admin-incoming", "/sharing/requests/incoming/"),
                      ("admin-data", "/data/"), ("admin-resource", f"/catalog/resources/{ids['resource']}/")],
        "scjg_admin": [("admin-drafts", "/catalog/mine/?status=draft")],
        "center": [("center-home", "/"), ("center-open-manage", "/open/manage/")],
        "authority": [("authority-dashboard", "/assessment/"),
                      ("authority-plan", f"/assessment/plans/{ids['plan']}/"),
                      ("authority-unit", f"/assessment/plans/{ids['plan']}/units/{ids['unit']}/")],
    }


@pytest.fixture
def demo(settings, tmp_path):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    with open(tmp_path / "seed.txt", "w") as out:
        call_command("seed_demo", stdout=out)
    from assessment.models import Plan
    from catalog.models import Resource
    from opendata.models import Dataset

    plan = Plan.objects.get(year=timezone.localdate().year - 1)
    return {"dataset": Dataset.objects.filter(status="published").order_by("pk").first().name,
            "resource": Resource.objects.filter(status="registered", provider__short_name="省公安厅")
            .order_by("pk").first().pk,
            "plan": plan.pk, "unit": plan.units.order_by("rank").first().pk}


def _sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD if username not in DEMO_USERS else DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


DEMO_USERS = {"citizen", "gat_clerk", "gat_admin", "scjg_admin", "center", "authority"}
DEMO_PASSWORD = "Demo@Portal2026"


def test_main_pages_fit_both_widths_keep_the_menu_reachable_and_speak_chinese(
        browser, live_server, demo):
    problems, checked = [], 0
    refresh = os.environ.get("PORTAL_SCREENSHOTS") == "1"
    for user, pages in _pages(demo).items():
        context = browser.new_context(locale="zh-CN", base_url=live_server.url,
                                      viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        if user != "anon":
            _sign_in(page, user)
        for name, path in pages:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(path)
                checked += 1
                if response.status >= 400:
                    problems.append(f"{user} {path} @{width}: HTTP {response.status}")
                    continue
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 1:
                    problems.append(f"{user} {path} @{width}: scrolls sideways by {overflow}px")
                tops = page.eval_on_selector_all(
                    ".main-nav a", "links => links.map(a => Math.round(a.getBoundingClientRect().top))")
                if width == 1366 and len(set(tops)) > 1:
                    problems.append(f"{user} {path} @1366: navigation on {len(set(tops))} lines")
                if width == 1366:
                    words = _untranslated(page.evaluate(SCAN))
                    if words:
                        problems.append(f"{user} {path}: Latin words {sorted(words)}")
                if refresh:
                    DOCS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(DOCS / f"{name}-{width}.png"), full_page=width == 390)
        context.close()
    assert checked == 2 * sum(len(p) for p in _pages(demo).values())
    assert not problems, "\n".join(problems)


def test_narrow_menu_opens_from_the_keyboard(browser, live_server, demo):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    _sign_in(page, "gat_clerk")
    toggle = page.get_by_role("button", name="菜单")
    expect(toggle).to_be_visible()
    expect(page.locator(".main-nav")).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 70  # the header no longer takes a third of the screen
    for _ in range(10):  # skip link, brand, then the toggle
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('nav-toggle')"):
            break
    else:
        pytest.fail("the menu toggle is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('.main-nav') !== null")
    assert focused and page.evaluate("document.activeElement.textContent").strip() == "工作台"
    page.keyboard.press("Escape")
    expect(page.locator(".main-nav")).to_be_hidden()
    context.close()


def test_admin_review_screens_fit_1366_and_speak_chinese(browser, live_server, demo):
    """The admin's review screens (the negative-list round with its item table, a catalog
    entry under review) do not scroll sideways at 1366 px: columns of short labels keep
    to one line instead of one character per line."""
    from portal.models import User
    from sharing.models import NegativeListRound

    context = browser.new_context(locale="zh-CN", base_url=live_server.url,
                                  viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, "authority")
    round_ = NegativeListRound.objects.order_by("pk").first()
    usernames = {word for name in User.objects.values_list("username", flat=True)
                 for word in LATIN.findall(name)}
    problems = []
    for path in (f"/admin/sharing/negativelistround/{round_.pk}/change/",
                 "/admin/sharing/negativelistentry/"):
        response = page.goto(path)
        assert response.status == 200, path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            problems.append(f"{path}: scrolls sideways by {overflow}px")
        words = _untranslated(page.evaluate(SCAN)) - usernames  # "张三（center）" names a login
        if words:
            problems.append(f"{path}: Latin words {sorted(words)}")
        if "negativelistround" in path:  # 审查事由 reads as words, not one character a line
            widths = page.eval_on_selector_all(
                "td.field-problem",
                "cells => cells.map(c => Math.round(c.getBoundingClientRect().width))")
            assert widths and min(widths) >= 48, widths
    context.close()
    assert not problems, "\n".join(problems)
