"""The 条例's duties as steps of a pack's pipeline (docs/rules.md R6, R7, R9): the answer
extension with its consent (Guizhou), 回流 from upper to lower levels, the ban on
collecting again what sharing provides (reusing C5's overlap detection)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from catalog.models import Resource
from catalog.services import resource_approve, resource_submit
from portal.deadlines import deadlines_sweep
from portal.errors import Conflict, NotPermitted, ValidationFailed
from portal.models import InboxItem, Notification, Region, Role, RulePack
from sharing.models import AnswerExtension, Objection, ShareRequest
from sharing.services.extensions import extension_ask, extension_decide
from sharing.services.objections import objection_answer, objection_create, objection_follow_up
from tests.catalog.factories import make_resource
from tests.factories import DepartmentFactory, RegionFactory
from tests.sharing.factories import FilingFactory, make_request, resource_with_items

pytestmark = pytest.mark.django_db
S = ShareRequest.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI),
                               tick=False)


def use_pack(region, code: str) -> None:
    region.rule_pack = RulePack.objects.get(code=code)
    region.save()


@pytest.fixture
def guizhou_request(people, conditional_resource, region):
    use_pack(region, "guizhou-2020")
    with at(date(2025, 9, 26)):
        return make_request(people.applicant_clerk, conditional_resource,
                            submit_by=people.applicant_admin)


def test_r9_guizhou_extension_needs_the_provider_heads_consent_and_tells_the_applicant(
        people, guizhou_request, web):
    """R9: 15 working days (to 23 October across National Day), extended by at most 15
    more (to 13 November) once the provider's head consents; the applicant is told; the
    step keeps the extension rule and fresh reminders."""
    request = guizhou_request
    assert (request.due_on, request.due_rule) == (date(2025, 10, 23), "sharing.answer")
    with at(date(2025, 10, 20)):
        with pytest.raises(ValidationFailed) as too_long:
            extension_ask(actor=people.provider_admin, request=request, days=16,
                          reason="数据需跨系统核对")
        assert "1 至 15 个工作日" in str(too_long.value.fields["days"][0])
        with pytest.raises(NotPermitted):  # the applicant cannot extend the provider's time
            extension_ask(actor=people.applicant_admin, request=request, days=5, reason="x")
        extension = extension_ask(actor=people.provider_admin, request=request, days=15,
                                  reason="数据需跨系统核对")
        assert extension.is_pending and extension.consent_by == "head"
        request.refresh_from_db()
        assert request.due_on == date(2025, 10, 23)  # unchanged until the head consents
        assert InboxItem.objects.filter(user=people.provider_head, done_at__isnull=True,
                                        key__endswith=":extension").exists()
        with pytest.raises(NotPermitted, match="提供部门第一责任人"):
            extension_decide(actor=people.provider_admin, extension=extension, approve=True)
        page = web(people.provider_head).get(
            reverse("sharing:request_detail", args=[request.pk])).content.decode()
        assert "同意延长答复期限" in page
        response = web(people.provider_head).post(
            reverse("sharing:request_extension_decide", args=[request.pk]),
            {"decision": "approve", "comment": "同意"})
        assert response.status_code == 302
    request.refresh_from_db()
    extension.refresh_from_db()
    assert (extension.status, extension.new_due_on) == (AnswerExtension.Status.APPROVED,
                                                        date(2025, 11, 13))
    assert (request.status, request.due_on, request.answer_due_on, request.due_rule) == (
        S.PROVIDER_REVIEW, date(2025, 11, 13), date(2025, 11, 13), "sharing.answer_extension")
    told = Notification.objects.filter(user=people.applicant_admin,
                                       title__contains="延长答复期限").get()
    assert "2025-10-23" in told.body and "2025-11-13" in told.body
    page = web(people.applicant_admin).get(
        reverse("sharing:request_detail", args=[request.pk])).content.decode()
    assert "最多延长 15 个工作日，须经提供部门第一责任人同意并告知申请部门" in page
    extended = page[page.index("新期限"):]
    extended = extended[:extended.index("</p>")]
    assert "2025-11-13" in extended and "期限依据：" in extended, extended
    deadlines_sweep(today=date(2025, 10, 24))  # the old due date has passed: no escalation
    assert not Notification.objects.filter(user=people.provider_head,
                                           level=Notification.Level.ESCALATION).exists()
    deadlines_sweep(today=date(2025, 11, 10))
    assert Notification.objects.filter(user=people.provider_admin, title__contains="提前 3 个工作日",
                                       level=Notification.Level.REMINDER).exists()
    with at(date(2025, 11, 3)), pytest.raises(Conflict, match="只能延长一次"):
        extension_ask(actor=people.provider_head, request=request, days=1, reason="再延")


def test_r9_a_refused_extension_leaves_the_due_date_and_the_head_extends_at_once(
        people, guizhou_request):
    """R9: a refusal keeps the answer due on its date and says why; a head who asks is
    the one who consents, so the extension applies at once."""
    with at(date(2025, 10, 9)):
        extension = extension_ask(actor=people.provider_admin, request=guizhou_request,
                                  days=5, reason="人手不足")
        with pytest.raises(ValidationFailed, match="不同意延期"):
            extension_decide(actor=people.provider_head, extension=extension, approve=False)
        extension_decide(actor=people.provider_head, extension=extension, approve=False,
                         comment="请按期答复")
    guizhou_request.refresh_from_db()
    assert guizhou_request.due_on == date(2025, 10, 23)
    assert Notification.objects.filter(user=people.provider_admin,
                                       title__contains="延期申请未获同意").exists()
    other = make_request(people.applicant_clerk, resource_with_items(
        provider=guizhou_request.provider), submit_by=people.applicant_admin)
    extension = extension_ask(actor=people.provider_head, request=other, days=3,
                              reason="需要会商")
    assert extension.status == AnswerExtension.Status.APPROVED


def test_r9_no_extension_where_the_pack_does_not_allow_it_nor_after_the_due_date(
        people, conditional_resource, region):
    """R9: national-2025 has no extension step; an overdue answer cannot be extended."""
    with at(date(2025, 9, 26)):
        request = make_request(people.applicant_clerk, conditional_resource,
                               submit_by=people.applicant_admin)
        with pytest.raises(ValidationFailed, match="不允许延长答复期限"):
            extension_ask(actor=people.provider_head, request=request, days=3, reason="x")
    use_pack(region, "guizhou-2020")
    with at(date(2025, 9, 26)):
        late = make_request(people.applicant_clerk, resource_with_items(
            provider=conditional_resource.provider), submit_by=people.applicant_admin)
    with at(date(2025, 10, 24)), pytest.raises(ValidationFailed, match="答复期限已过"):
        extension_ask(actor=people.provider_head, request=late, days=3, reason="x")
    assert not AnswerExtension.objects.exists()


def test_r6_return_flow_a_county_asks_the_province_for_its_own_data(make_user):
    """R6 (回流): a county department's request to a provincial provider is a return-flow
    request, answered within the provider pack's return-flow limit and reminded by it; a
    request between departments of one level is not."""
    province = RegionFactory(code="520000", name="贵州省")
    county = RegionFactory(code="520102", name="南明区", level=Region.Level.COUNTY,
                           parent=province)
    county_department = DepartmentFactory(region=county)
    FilingFactory(department=county_department)
    clerk = make_user(department=county_department, roles=[Role.CLERK])
    admin = make_user(department=county_department, roles=[Role.DATA_ADMIN])
    provincial = DepartmentFactory(region=province)
    provincial_admin = make_user(department=provincial, roles=[Role.DATA_ADMIN])
    pack = RulePack.objects.get(code="national-2025")
    pack.rules = {**pack.rules, "sharing.return_flow": {
        **pack.rules["sharing.return_flow"], "value": 5}}
    from portal.rules import rule_pack_save

    rule_pack_save(actor=None, pack=pack)
    with at(date(2025, 9, 26)):
        upward = make_request(clerk, resource_with_items(provider=provincial),
                              submit_by=admin)
        level = make_request(clerk, resource_with_items(
            provider=DepartmentFactory(region=county)), submit_by=admin)
    assert (upward.return_flow, upward.due_rule, upward.due_on) == (
        True, "sharing.return_flow", date(2025, 10, 10))
    assert (level.return_flow, level.due_rule, level.due_on) == (
        False, "sharing.answer", date(2025, 10, 16))
    deadlines_sweep(today=date(2025, 9, 30))  # three working days before 10 October
    assert Notification.objects.filter(user=provincial_admin,
                                       title__contains="提前 3 个工作日").exists()


def test_r7_recollection_overlap_needs_a_reason_or_is_refused(people, department, region):
    """R7 (不得重复收集): under national-2025 an entry whose items another department
    already registered goes to the center only with a reason, kept for the review; a pack
    set to refuse turns it away; without overlap nothing is asked (C5's detection)."""
    items = ("企业名称", "注册资本", "经营范围")
    make_resource(DepartmentFactory(region=region), items=items, name="企业基本信息")
    draft = make_resource(department, status=Resource.Status.DRAFT, items=items,
                          name="企业登记")
    admin = people.applicant_admin
    with pytest.raises(ValidationFailed) as missing:
        resource_submit(actor=admin, resource=draft)
    assert "请说明重复收集的理由" in str(missing.value)
    assert "recollection_reason" in missing.value.fields
    draft.refresh_from_db()
    assert draft.status == Resource.Status.DRAFT  # nothing half-written
    submitted = resource_submit(actor=admin, resource=draft,
                                recollection_reason="本部门审批业务需实时核验，共享接口时效不足")
    assert submitted.status == Resource.Status.SUBMITTED
    assert submitted.recollection_reason.startswith("本部门审批业务")
    assert any(w["rule"] == "C5" for w in submitted.review_warnings)
    resource_approve(actor=people.center, resource=submitted)  # the center reviewed it

    pack = RulePack.objects.get(code="national-2025")
    copy_rules = {**pack.rules, "catalog.recollection": {
        **pack.rules["catalog.recollection"], "value": "refuse"}}
    from portal.rules import rule_pack_copy, rule_pack_save

    strict = rule_pack_copy(actor=people.authority, pack=pack, code="strict", name="严格")
    strict.rules = copy_rules
    rule_pack_save(actor=people.authority, pack=strict)
    use_pack(region, "strict")
    again = make_resource(department, status=Resource.Status.DRAFT, items=items,
                          name="企业登记二")
    with pytest.raises(ValidationFailed, match="不得重复收集"):
        resource_submit(actor=admin, resource=again, recollection_reason="理由")
    fresh = make_resource(department, status=Resource.Status.DRAFT, items=("独有字段",),
                          name="独有数据")
    assert resource_submit(actor=admin, resource=fresh).recollection_reason == ""


def test_r10_correction_request_timed_by_the_provider_pack_and_timed_again_when_reopened(
        people, conditional_resource, region, web):
    """R10 (校核纠错, S8): the check request is answered within the provider pack's limit
    (hainan-2018: 5 working days, 第二十四条) across National Day; raising it again opens a
    new step timed by the same rule; the page says which rule set the date."""
    use_pack(region, "hainan-2018")
    with at(date(2025, 9, 29)):
        objection = objection_create(actor=people.applicant_clerk, resource=conditional_resource,
                                     kind=Objection.Kind.WRONG, record_reference="460100",
                                     description="出生日期与户籍不符")
    assert (objection.due_on, objection.due_rule) == (date(2025, 10, 13), "sharing.objection")
    assert objection.rule_version.pack.code == "hainan-2018"
    page = web(people.provider_admin).get(
        reverse("sharing:objection_detail", args=[objection.pk])).content.decode()
    assert "5 个工作日（《海南省公共信息资源管理办法》第二十四条（条款待核实））" in page
    deadlines_sweep(today=date(2025, 10, 14))
    assert Notification.objects.filter(user=people.provider_head,
                                       level=Notification.Level.ESCALATION).exists()
    with at(date(2025, 10, 14)):
        objection_answer(actor=people.provider_admin, objection=objection, corrected=False,
                         answer="经核实无误")
        reopened = objection_follow_up(actor=people.applicant_clerk, objection=objection,
                                       accept=False, comment="户籍记录不同")
    assert (reopened.due_on, reopened.step_seq) == (date(2025, 10, 21), objection.step_seq + 1)


def test_r11_dispute_negotiation_then_coordination_by_the_common_regions_pack(
        make_user, people):
    """R11 (S4): a county's refused request to a city provider is negotiated and then
    coordinated within the limits of the pack of the region above both (the city, here
    hengyang-2021 with its negotiation limit edited to 5)."""
    city = RegionFactory(code="430400", name="衡阳市", level=Region.Level.CITY,
                         rule_pack=RulePack.objects.get(code="hengyang-2021"))
    pack = city.rule_pack
    pack.rules = {**pack.rules, "sharing.negotiation": {**pack.rules["sharing.negotiation"],
                                                        "value": 5}}
    from portal.rules import rule_pack_save

    rule_pack_save(actor=people.authority, pack=pack)
    county = RegionFactory(code="430405", name="珠晖区", level=Region.Level.COUNTY, parent=city,
                           rule_pack=RulePack.objects.get(code="national-2016"))
    applicant = DepartmentFactory(region=county)
    FilingFactory(department=applicant)
    admin = make_user(department=applicant, roles=[Role.DATA_ADMIN])
    provider = DepartmentFactory(region=city)
    provider_admin = make_user(department=provider, roles=[Role.DATA_ADMIN])
    center = people.center
    from sharing.services.disputes import request_escalate
    from sharing.services.requests import request_prereview, request_refuse

    with at(date(2025, 9, 26)):
        request = make_request(admin, resource_with_items(provider=provider), submit_by=admin)
        request = request_prereview(actor=center, request=request, passed=True)
        request = request_refuse(actor=provider_admin, request=request, reason="涉及隐私")
        request = request_escalate(actor=admin, request=request, reason="履职必需")
    assert (request.status, request.due_on, request.due_rule) == (
        S.NEGOTIATING, date(2025, 10, 10), "sharing.negotiation")
    assert request.rule_version.pack.code == "hengyang-2021"
    with at(date(2025, 10, 10)):
        request = request_escalate(actor=admin, request=request, reason="协商未果")
    assert (request.status, request.due_on, request.due_rule) == (
        S.COORDINATING, date(2025, 11, 6), "sharing.coordination")
