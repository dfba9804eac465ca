"""O4, HN-31 in a real browser: a member of the public searches in Chinese, opens a
dataset, previews it, downloads the CSV, and files a data request — without signing in."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.opendata.conftest import (  # noqa: F401 - fixtures shared with the open-data tests
    center,
    data_admin,
    open_resource,
    publish,
    upload,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_public_searches_previews_downloads_and_requests(page, publish, open_resource):  # noqa: F811
    dataset = publish(keywords="不动产，登记")
    publish(resource=open_resource(name="医疗机构执业许可信息", theme="health",
                                   summary="医疗机构名称、执业地点和诊疗科目。"))

    page.goto("/open/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("searchbox", name="搜索数据集").fill("不动产")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_text("找到 1 个数据集")).to_be_visible()
    screenshot(page, "opendata-search")

    page.get_by_role("link", name=dataset.title).click()
    expect(page.get_by_role("heading", name=dataset.title, level=1)).to_be_visible()
    preview = page.get_by_role("region", name="数据预览")
    assert preview.get_by_text("美兰区").is_visible()
    assert preview.get_by_text("460100********1234").is_visible()
    assert page.get_by_text("460100199001011234").count() == 0
    api_url = page.get_by_label("接口地址").input_value()
    assert f"/api/v1/opendata/datasets/{dataset.pk}/rows/" in api_url
    screenshot(page, "opendata-dataset")

    with page.expect_download() as info:
        page.get_by_role("link", name="下载 CSV").click()
    download = info.value
    assert download.suggested_filename == f"{dataset.title}.csv"
    text = open(download.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("姓名,身份证号码")
    assert "460100********1234" in text and "460100199001011234" not in text

    page.get_by_role("link", name="数据需求").first.click()
    page.get_by_role("link", name="提出需求").click()
    page.get_by_label("需求名称").fill("公共充电桩位置与功率")
    page.get_by_label("需求描述").fill("希望开放全省公共充电桩的位置、功率和运营单位。")
    page.get_by_label("联系人").fill("赵女士")
    page.get_by_label("联系邮箱").fill("zhao@example.com")
    page.get_by_role("button", name="提交需求").click()
    expect(page.get_by_text("需求已提交，办理进度将在本页公开。")).to_be_visible()
    expect(page.get_by_role("heading", name="公共充电桩位置与功率")).to_be_visible()
    expect(page.get_by_text("待受理").first).to_be_visible()
    assert page.get_by_text("zhao@example.com").count() == 0
    screenshot(page, "opendata-request")
