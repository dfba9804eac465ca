"""S9 服务接口 in a real browser, at 1366 px and 390 px: the provider registers a data
service (credential never shown again), imports its operation from an OpenAPI document,
tries it (the raw answer beside what a grant holder receives) and submits it; the center
enables it; the consumer sees it with a curl line for its token. A real upstream HTTP
server answers."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dataplane.models import MaskingRule
from dataplane.services.tokens import system_token_issue
from portal.models import Role
from sharing.models import DataService
from tests.e2e.conftest import screenshot
from tests.sharing.factories import (
    DataItemFactory,
    FilingFactory,
    ResourceFactory,
    grant_for,
)
from tests.upstream import STATE, UpstreamThread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRET = "upstream-secret-7731"
OPENAPI = {
    "openapi": "3.0.3", "info": {"title": "人口基础信息库", "version": "1"},
    "paths": {"/persons": {"get": {
        "operationId": "queryPersons", "summary": "按身份证号码查询人员",
        "parameters": [{"name": "sfzh", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"data": {"type": "object", "properties": {
                "list": {"type": "array", "items": {"type": "object", "properties": {
                    "xm": {"type": "string"}, "sfzh": {"type": "string"},
                    "sjhm": {"type": "string"}}}}}}}}}}}}}}},
}


@pytest.fixture
def upstream():
    server = UpstreamThread().start()
    STATE.update(records=[{"xm": "张三", "sfzh": "460100199001011234", "sjhm": "13812345678"}],
                 switch="ok", last_query={}, last_headers={})
    yield server
    server.stop()


@pytest.mark.parametrize("width", [1366, 390])
def test_provider_registers_and_tries_center_enables_consumer_calls(
        sign_in, make_user, department, other_department, upstream, width):
    provider, consumer = other_department, department
    FilingFactory(department=consumer)
    resource = ResourceFactory(provider=provider, name="人口基础信息", format="service_interface",
                               sharing_method=["system"])
    for position, (name, field, key) in enumerate(
            [("姓名", "xm", False), ("身份证号码", "sfzh", True), ("手机号码", "sjhm", False)]):
        DataItemFactory(resource=resource, name=name, field_name=field, is_key=key,
                        position=position)
    items = {i.name: i for i in resource.items.all()}
    MaskingRule.objects.create(item=items["身份证号码"], kind="id_number")
    prov_admin = make_user(username=f"gw_prov_{width}", department=provider,
                           roles=[Role.DATA_ADMIN])
    cons_admin = make_user(username=f"gw_cons_{width}", department=consumer,
                           roles=[Role.DATA_ADMIN])
    center = make_user(username=f"gw_center_{width}", roles=[Role.CENTER_REVIEWER])
    grant = grant_for(consumer, resource, actor=prov_admin,
                      items=[items["姓名"], items["身份证号码"]], masked=[items["身份证号码"]])
    system_token_issue(actor=cons_admin, name="人社业务系统", grants=[grant],
                       expires_at=timezone.now() + timedelta(days=30))

    # 1. The provider registers the service.
    p = sign_in(prov_admin, width=width)
    p.goto("/sharing/services/")
    p.get_by_role("link", name="登记数据服务").click()
    p.get_by_label("接口地址").fill(upstream.url("normal"))
    p.get_by_label("凭据位置").select_option("header")
    p.get_by_label("凭据名称").fill("X-Api-Key")
    p.get_by_label("凭据", exact=True).fill(SECRET)
    p.get_by_role("button", name="保存").click()
    expect(p.get_by_text("已加密保存（不再显示）")).to_be_visible()
    assert SECRET not in p.content()

    # 2. It imports its operation from the OpenAPI document.
    p.get_by_role("link", name="从 OpenAPI 文档导入").click()
    p.get_by_label("或粘贴文档内容").fill(json.dumps(OPENAPI, ensure_ascii=False))
    p.get_by_role("button", name="读取文档").click()
    p.get_by_label("选用 query_persons").check()
    p.get_by_role("button", name="导入所选操作").click()
    expect(p.get_by_text("/api/v1/services/" + resource.code + "/query_persons/")).to_be_visible()

    # 3. It tries it: the raw answer beside the consumer's view.
    p.get_by_role("link", name="试调用").click()
    p.get_by_label("参数 sfzh").fill("460100199001011234")
    p.get_by_label("按哪项共享授权预览").select_option(str(grant.pk))
    p.get_by_role("button", name="调用").click()
    expect(p.locator(".raw-answer")).to_contain_text("13812345678")
    view = p.locator(".consumer-view")
    expect(view).to_contain_text("460100********1234")
    expect(view).not_to_contain_text("13812345678")
    assert STATE["last_headers"]["x-api-key"] == SECRET
    screenshot(p, f"gateway-try-{width}")
    p.go_back()
    p.go_back()
    p.reload()
    p.get_by_role("button", name="提交审核").click()
    expect(p.locator("[data-status]")).to_have_text("待信息中心审核")

    # 4. The center enables it.
    c = sign_in(center, width=width)
    c.goto("/sharing/services/")
    c.get_by_role("link", name="人口基础信息").first.click()
    c.get_by_label("意见").fill("接口登记完整，予以启用")
    c.get_by_role("button", name="启用").click()
    expect(c.locator("[data-status]")).to_have_text("已启用")
    assert DataService.objects.get(resource=resource).status == DataService.Status.ENABLED

    # 5. The consumer sees it with a curl line for its token.
    u = sign_in(cons_admin, width=width)
    u.goto("/sharing/services/")
    curl = u.locator(".curl code").first
    expect(curl).to_contain_text(f"/api/v1/services/{resource.code}/query_persons/")
    expect(curl).to_contain_text('Authorization: Token $PORTAL_TOKEN')
    expect(u.get_by_text("人社业务系统")).to_be_visible()
    box = u.locator(".curl").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1  # fits the screen
    screenshot(u, f"gateway-consumer-{width}")
