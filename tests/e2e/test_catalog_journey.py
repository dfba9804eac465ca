"""C1, C6, C9 in a real browser: a clerk compiles an entry with three data items, the data
administrator submits it, the center approves it in the admin, and it is found by the
platform-wide Chinese search."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from catalog.models import Resource
from portal.models import Role
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, login, username, device=None):
    page.context.clear_cookies()
    login(username)
    if device is not None:
        page.get_by_label("动态验证码").fill(f"{totp(device.bin_key):06d}")
        with page.expect_navigation():
            page.get_by_role("button", name="验证").click()


def test_catalog_entry_from_clerk_to_platform_search(page, login, make_user, department, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    make_user(username="wang_clerk", department=department, roles=[Role.CLERK])
    admin = make_user(username="li_admin", department=department, roles=[Role.DATA_ADMIN])
    center = make_user(username="lin_center", roles=[Role.CENTER_REVIEWER])
    devices = {u.username: TOTPDevice.objects.create(user=u, name="phone", confirmed=True)
               for u in (admin, center)}

    # 1. The clerk compiles the entry with three data items on one page.
    sign_in(page, login, "wang_clerk")
    page.get_by_role("link", name="本部门目录").first.click()
    page.get_by_role("link", name="新建目录").click()
    page.get_by_label("资源名称").fill("不动产登记信息")
    page.get_by_label("资源分类").select_option("departmental")
    page.get_by_label("资源格式").select_option("database")
    page.get_by_label("资源摘要").fill("不动产单元的权利人、坐落和面积。")
    page.get_by_label("自然人").check()
    page.locator("#id_sharing_type").select_option("unconditional")
    page.get_by_label("联机查询").check()
    page.get_by_label("更新周期").select_option("daily")
    page.get_by_label("联系人").fill("王填报")
    page.get_by_label("联系电话").fill("0898-66000000")
    # Three empty rows are offered: remove one, then add one back with the button.
    visible = page.locator("table.items tbody tr.item-row:visible")
    assert visible.count() == 3
    visible.last.locator("button.remove-row").click()
    assert visible.count() == 2
    page.get_by_role("button", name="增加信息项行").click()
    assert visible.count() == 3
    for index, (name, length) in enumerate([("姓名", "50"), ("身份证号码", "18"), ("不动产坐落", "200")]):
        row = visible.nth(index)
        row.locator("input[name$='-name']").fill(name)
        row.locator("select[name$='-data_type']").select_option("string")
        row.locator("input[name$='-length']").fill(length)
    screenshot(page, "catalog-entry-form")
    with page.expect_navigation():
        page.locator("form.entry-form .actions-row").get_by_role("button", name="保存草稿").click()
    assert page.get_by_text("已保存草稿").is_visible(), page.locator(".error, .form-errors").all_inner_texts()
    resource = Resource.objects.get(name="不动产登记信息")
    assert resource.items.count() == 3 and resource.status == Resource.Status.DRAFT

    # 2. The data administrator submits it.
    sign_in(page, login, "li_admin", devices["li_admin"])
    page.goto(f"/catalog/resources/{resource.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("已提交信息中心审核")).to_be_visible()

    # 3. The center approves it in the admin's review queue.
    sign_in(page, login, "lin_center", devices["lin_center"])
    page.goto("/admin/catalog/submittedresource/")
    page.get_by_role("link", name="不动产登记信息").click()
    page.get_by_label("审核意见（退回时必填）").fill("符合编目要求")
    screenshot(page, "catalog-admin-review")
    with page.expect_navigation():
        page.get_by_role("button", name="审核通过").click()
    resource.refresh_from_db()
    assert resource.status == Resource.Status.REGISTERED and resource.code

    # 4. Anyone in government finds it by a part of its name.
    page.goto("/catalog/?q=不动产")
    result = page.locator("article.result", has_text="不动产登记信息")
    assert result.is_visible()
    assert result.get_by_text(resource.code).is_visible()
    screenshot(page, "catalog-search")
