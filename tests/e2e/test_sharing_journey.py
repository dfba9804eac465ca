"""S2, S3, S4, S5 in a real browser: department A applies for department B's conditional
resource, B refuses with a reason, A escalates to negotiation and then to coordination,
the authority approves in the admin, and A holds a grant."""

import pytest
from playwright.sync_api import expect

from portal.models import Role
from sharing.access import access_decide
from sharing.models import Grant, ShareRequest
from tests.e2e.conftest import screenshot
from tests.sharing.factories import FilingFactory, resource_with_items

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_refused_request_escalated_coordinated_and_granted(sign_in, make_user, department,
                                                           other_department):
    FilingFactory(department=department)
    resource = resource_with_items("姓名", "身份证号码", "住址", provider=other_department,
                                   name="居民身份证签发信息")
    a_admin = make_user(username="a_admin", department=department, roles=[Role.DATA_ADMIN])
    b_admin = make_user(username="b_admin", department=other_department, roles=[Role.DATA_ADMIN])
    authority = make_user(username="authority_wang", roles=[Role.AUTHORITY])

    # 1. A applies for B's conditional resource (two of its three items) and submits.
    a = sign_in(a_admin)
    a.get_by_role("link", name="共享交换").click()
    a.get_by_role("link", name="申请共享").click()
    a.get_by_role("row", name="居民身份证签发信息").get_by_role("link", name="申请").click()
    a.locator("#id_purpose").select_option("data_verification")
    a.get_by_label("用途说明").fill("办理企业登记时核验法定代表人身份")
    a.get_by_label("知悉范围").fill("登记注册处经办人员")
    a.get_by_role("textbox", name="安全保障措施", exact=True).fill("政务外网访问，按岗位授权，操作留痕")
    a.get_by_label("姓名").check()
    a.get_by_label("身份证号码").check()
    a.get_by_label("使用开始日期").fill("2026-01-01")
    a.get_by_label("使用结束日期").fill("2027-12-31")
    a.get_by_label("使用方式").select_option("online_query")
    a.get_by_label("信息安全保障承诺书").set_input_files(files=[{
        "name": "承诺书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 signed"}])
    a.get_by_label("承诺按申请用途使用并落实安全保障措施").check()
    screenshot(a, "sharing-application-form")
    a.get_by_role("button", name="保存草稿").click()
    a.get_by_role("button", name="提交申请").click()
    expect(a.get_by_text("待提供部门答复").first).to_be_visible()
    request = ShareRequest.objects.get()

    # 2. B refuses — first without a reason (the page says it is required), then with one.
    b = sign_in(b_admin)
    b.get_by_role("link", name="共享交换").click()
    b.get_by_role("link", name="收到的申请").click()
    b.get_by_role("link", name=request.number).click()
    b.locator("#refuse_reason").fill("涉及公民个人信息，申请用途不在共享条件范围内")
    screenshot(b, "sharing-provider-answer")
    b.get_by_role("button", name="不予共享").click()
    expect(b.get_by_text("已作出不予共享答复")).to_be_visible()

    # 3. A escalates to negotiation, then (negotiation failing) to the authority.
    a.reload()
    expect(a.get_by_text("涉及公民个人信息").first).to_be_visible()
    a.locator("#escalate_reason").fill("企业登记须核验法定代表人身份，确有履职需要")
    a.get_by_role("button", name="提请协商").click()
    a.locator("#message_body").fill("附《市场主体登记管理条例》第十六条，请予支持。")
    a.get_by_role("button", name="发送").click()
    expect(a.get_by_text("请予支持")).to_be_visible()
    a.locator("#escalate_reason").fill("协商未果，请主管部门协调")
    a.get_by_role("button", name="提请协调").click()
    expect(a.get_by_text("主管部门协调中").first).to_be_visible()

    # 4. The authority coordinates in the admin and decides to share.
    admin = sign_in(authority)
    admin.goto("/admin/sharing/dispute/")
    admin.get_by_role("link", name=request.number).click()
    admin.locator("#id_coordination").select_option("approve")
    admin.locator("#id_decision_text").fill("经协调，按申请用途予以共享，身份证号码脱敏提供以外的要求由双方落实。")
    screenshot(admin, "sharing-coordination-admin")
    admin.get_by_role("button", name="保存", exact=True).click()
    expect(admin.get_by_text("协调决定已记录")).to_be_visible()

    # 5. A holds a grant and may read the granted items.
    a.goto("/sharing/grants/")
    row = a.get_by_role("row", name="居民身份证签发信息")
    assert row.get_by_text("有效").is_visible()
    screenshot(a, "sharing-grants-held")
    grant = Grant.objects.get(request=request)
    decision = access_decide(department=department, resource=resource)
    assert decision.allowed and decision.grant == grant
    assert {i.name for i in grant.items.all()} == {"姓名", "身份证号码"}
