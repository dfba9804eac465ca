"""The data plane in a real browser (S9, S10): the provider uploads a GBK file and sets a
masking rule with a preview; the consumer queries by a key item, sees the masked values
and downloads; the provider then sees the reads in the access log."""

import pytest

from dataplane.masking import MaskKind
from tests.dataplane.conftest import csv_text
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(settings, resource, provider_admin, consumer):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    for user in (provider_admin, consumer):
        user.two_factor_exempt = True
        user.save(update_fields=["two_factor_exempt"])
    return provider_admin, consumer


def test_upload_mask_query_download_and_log(people, granted, resource, page, login,  # noqa: F811
                                            tmp_path):
    provider_admin, consumer = people
    data_file = tmp_path / "人口数据.csv"
    data_file.write_bytes(csv_text().encode("gbk"))

    login(provider_admin.username)
    page.goto(f"/data/r/{resource.code}/")
    page.get_by_label("数据文件").set_input_files(str(data_file))
    page.get_by_label("版本说明").fill("十一月数据")
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url(f"**/data/r/{resource.code}/versions/*/")
    assert page.get_by_text("当前版本").first.is_visible()
    screenshot(page, "dataplane-version")

    page.goto(f"/data/r/{resource.code}/masking/")
    row = page.locator("tr[data-item='身份证号码']")
    row.get_by_label("脱敏方式").select_option(MaskKind.ID_NUMBER.value)
    row.get_by_role("button", name="保存").click()
    page.get_by_role("link", name="用当前版本前 10 行预览").click()
    screenshot(page, "dataplane-masking")
    assert page.get_by_text("460100********1234").first.is_visible()
    page.get_by_role("button", name="退出").click()

    login(consumer.username)
    page.goto(f"/data/r/{resource.code}/query/")
    page.locator("input[name^=v_]").last.fill("60000")  # the second key item: 年收入
    page.locator("select[name^=op_]").last.select_option("gte")
    page.get_by_role("button", name="查询").click()
    assert page.get_by_text("共 2 条").is_visible()
    assert page.get_by_text("460100********3456").is_visible()
    assert page.get_by_text("460100198502023456").count() == 0
    screenshot(page, "dataplane-query")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert "王五" in content and "张三" not in content
    page.get_by_role("button", name="退出").click()

    login(provider_admin.username)
    page.goto("/data/log/")
    screenshot(page, "dataplane-log")
    assert page.locator("td", has_text="联机查询 · 网页").count() == 1
    assert page.locator("td", has_text="批量下载 · 网页").count() == 1


