"""Rule packs per region (docs/rules.md, R1–R8): every shipped pack times a request across
National Day 2025 (1–8 October off, 28 September and 11 October worked), its reminders
follow the pack, an edit changes only steps opened afterwards, and a pack in use stays."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin import site as admin_site
from django.urls import reverse

from portal.deadlines import deadlines_sweep
from portal.models import Notification, Region, RulePack
from portal.rules import (
    RulePackInvalid,
    region_rules,
    rule_pack_copy,
    rule_pack_in_use,
    rule_pack_save,
)
from sharing import pipeline
from sharing.models import ShareRequest
from sharing.services.requests import request_approve, request_prereview
from tests.factories import DepartmentFactory, RegionFactory
from tests.sharing.factories import FilingFactory, make_request, resource_with_items

pytestmark = pytest.mark.django_db
S = ShareRequest.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI),
                               tick=False)


def reminders(user, level=Notification.Level.REMINDER):
    return list(Notification.objects.filter(user=user, level=level).order_by("pk"))


# Per pack: (pre-review due, answer due, enablement due, the answer rule as the page shows it)
EXPECTED = {
    "national-2025": (None, date(2025, 10, 16), None,
                      "10 个工作日（《政务数据共享条例》（条款待核实））"),
    "national-2016": (None, date(2025, 10, 16), None,
                      "10 个工作日（《政务信息资源共享管理暂行办法》第十二条）"),
    "hainan-2018": (None, date(2025, 10, 16), None,
                    "10 个工作日（《海南省公共信息资源管理办法》（条款待核实））"),
    "yushui-2018": (date(2025, 9, 30), date(2025, 10, 21), None,
                    "10 个工作日（《渝水区政务信息资源共享管理办法》（条款待核实））"),
    "hengyang-2021": (date(2025, 9, 30), date(2025, 10, 21), date(2025, 10, 24),
                      "10 个工作日（《衡阳市政务数据共享开放管理办法》第十七条）"),
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_r1_r2_r8_each_shipped_pack_times_a_request_across_national_day(
        code, people, conditional_resource, region, web):
    """R1 (answer limit), R2 (optional pre-review and enablement), R8 (reminders)."""
    region.rule_pack = RulePack.objects.get(code=code)
    region.save()
    prereview_due, answer_due, enablement_due, answer_rule = EXPECTED[code]
    version = region_rules(region.pk)
    with at(date(2025, 9, 26)):
        request = make_request(people.applicant_clerk, conditional_resource,
                               submit_by=people.applicant_admin)
    if prereview_due:
        assert (request.status, request.due_on) == (S.PREREVIEW, prereview_due)
        assert (request.due_rule, request.rule_version_id) == ("sharing.prereview", version.pk)
        deadlines_sweep(today=date(2025, 9, 26))  # 3 working days before 30 September
        assert "提前 3 个工作日" in reminders(people.center)[0].title
        with at(prereview_due):
            request = request_prereview(actor=people.center, request=request, passed=True)
    assert (request.status, request.due_on) == (S.PROVIDER_REVIEW, answer_due)
    assert request.due_rule == "sharing.answer" and request.rule_version_id == version.pk

    page = web(people.provider_admin).get(reverse("sharing:request_detail", args=[request.pk])).content.decode()
    assert answer_rule in page

    three_before = {date(2025, 10, 16): date(2025, 10, 13),
                    date(2025, 10, 21): date(2025, 10, 16)}[answer_due]
    deadlines_sweep(today=three_before)
    assert [n.title for n in reminders(people.provider_admin)][-1].count("提前 3 个工作日") == 1
    if enablement_due is None:
        late = date(2025, 10, 22) if answer_due == date(2025, 10, 21) else date(2025, 10, 17)
        deadlines_sweep(today=late)
        assert reminders(people.provider_head, Notification.Level.ESCALATION)
        return
    with at(answer_due):
        request = request_approve(actor=people.provider_admin, request=request)
    assert (request.status, request.due_on, request.due_rule) == (
        S.ENABLEMENT, enablement_due, "sharing.enablement")


def test_r3_province_on_national_2025_and_city_on_hengyang_2021_in_one_database(
        make_user, people):
    """R3: the provider's region governs the answer; the lowest region above both
    departments governs negotiation and coordination."""
    province = RegionFactory(code="430000", name="湖南省")  # no pack: the default pack
    city = RegionFactory(code="430400", name="衡阳市", level=Region.Level.CITY, parent=province,
                         rule_pack=RulePack.objects.get(code="hengyang-2021"))
    county = RegionFactory(code="430405", name="珠晖区", level=Region.Level.COUNTY,
                           parent=city)  # inherits the city's pack
    applicant = DepartmentFactory(region=province)
    FilingFactory(department=applicant)
    clerk = make_user(department=applicant, roles=["clerk"])
    admin = make_user(department=applicant, roles=["data_admin"])
    province_resource = resource_with_items(provider=DepartmentFactory(region=province))
    county_resource = resource_with_items(provider=DepartmentFactory(region=county))
    with at(date(2025, 9, 26)):
        national = make_request(clerk, province_resource, submit_by=admin)
        city_timed = make_request(clerk, county_resource, submit_by=admin)
    assert (national.status, national.due_on) == (S.PROVIDER_REVIEW, date(2025, 10, 16))
    assert national.rule_version.pack.code == "national-2025"
    assert (city_timed.status, city_timed.due_on) == (S.PREREVIEW, date(2025, 9, 30))
    assert city_timed.rule_version.pack.code == "hengyang-2021"
    # A dispute between the province and the county is coordinated at the province.
    assert pipeline.rules_for(city_timed, "sharing.coordination").pack.code == "national-2025"
    assert pipeline.rules_for(city_timed, "sharing.answer").pack.code == "hengyang-2021"


def test_r4_editing_a_pack_leaves_open_steps_unchanged(people, conditional_resource, region):
    """R4: an open step keeps its due date and the version that set it."""
    pack = RulePack.objects.get(code="national-2016")
    region.rule_pack = pack
    region.save()
    with at(date(2025, 9, 26)):
        before = make_request(people.applicant_clerk, conditional_resource,
                              submit_by=people.applicant_admin)
    first_version = before.rule_version
    pack.rules = {**pack.rules, "sharing.answer": {**pack.rules["sharing.answer"], "value": 15}}
    rule_pack_save(actor=people.authority, pack=pack)
    before.refresh_from_db()
    assert (before.due_on, before.rule_version) == (date(2025, 10, 16), first_version)
    with at(date(2025, 9, 26)):
        after = make_request(people.applicant_clerk, resource_with_items(
            provider=conditional_resource.provider), submit_by=people.applicant_admin)
    assert after.due_on == date(2025, 10, 23) and after.rule_version.version == 2
    assert pack.history.first().rules["sharing.answer"]["value"] == 15  # shown in the admin


def test_r5_a_pack_in_use_cannot_be_deleted_and_a_copy_can(people, region, rf):
    """R5: the default pack, a region's pack and a pack that timed a step stay."""
    default = RulePack.objects.get(is_default=True)
    assert default.code == "national-2025" and rule_pack_in_use(default)
    copy = rule_pack_copy(actor=people.authority, pack=default, code="shanxi-2024",
                          name="山西省（副本）")
    pack_admin = admin_site._registry[RulePack]
    request = rf.get("/")
    request.user = people.authority
    assert not rule_pack_in_use(copy) and copy.versions.count() == 1
    assert pack_admin.has_delete_permission(request, copy)
    region.rule_pack = copy
    region.save()
    assert rule_pack_in_use(copy) and not pack_admin.has_delete_permission(request, copy)
    request.user = people.provider_admin
    assert not pack_admin.has_change_permission(request, default)
    copy.rules = {**copy.rules, "sharing.answer": {"value": "十"}}
    with pytest.raises(RulePackInvalid, match="提供部门答复"):
        rule_pack_save(actor=people.authority, pack=copy)
