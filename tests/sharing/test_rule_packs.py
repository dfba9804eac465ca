"""Rule packs per region (docs/rules.md, R1–R8): every shipped pack times a request across
National Day 2025 (1–8 October off, 28 September and 11 October worked), its reminders
follow the pack, an edit changes only steps opened afterwards, and a pack in use stays."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin import site as admin_site
from django.urls import reverse

from dataplane.models import DataVersion
from portal.deadlines import deadlines_sweep
from portal.errors import NotPermitted
from portal.models import Notification, Region, RulePack, RulePackVersion
from portal.rule_packs import shipped_packs_upgrade
from portal.rules import (
    RulePackInvalid,
    region_rules,
    rule_pack_copy,
    rule_pack_in_use,
    rule_pack_save,
    rules_validate,
)
from portal.workdays import add_working_days, is_working_day
from sharing import pipeline
from sharing.models import ShareRequest
from sharing.services.requests import request_approve, request_prereview, request_supply
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


def before(due: date, n: int) -> date:
    """The working day ``n`` working days before ``due`` (when the level-n reminder goes)."""
    day = due - timedelta(days=1)
    while not (is_working_day(day) and add_working_days(day, n) == due):
        day -= timedelta(days=1)
    return day


# Per pack, submitted on Friday 26 September 2025: each step as (status, due date, the
# rule that timed it, who is reminded), in the order the request goes through them.
# National Day: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
PREREVIEW, ANSWER, SUPPLY, ENABLE = S.PREREVIEW, S.PROVIDER_REVIEW, S.SUPPLY, S.ENABLEMENT
STEPS = {
    "national-2025": [(ANSWER, date(2025, 10, 16), "sharing.answer", "provider_admin")],
    "national-2016": [(ANSWER, date(2025, 10, 16), "sharing.answer", "provider_admin")],
    "hainan-2018": [(ANSWER, date(2025, 10, 16), "sharing.answer", "provider_admin")],
    "yushui-2018": [(PREREVIEW, date(2025, 9, 30), "sharing.prereview", "center"),
                    (ANSWER, date(2025, 10, 21), "sharing.answer", "provider_admin")],
    "hengyang-2021": [(PREREVIEW, date(2025, 9, 30), "sharing.prereview", "center"),
                      (ANSWER, date(2025, 10, 21), "sharing.answer", "provider_admin"),
                      (SUPPLY, date(2025, 11, 4), "sharing.supply", "provider_admin"),
                      (ENABLE, date(2025, 11, 7), "sharing.enablement", "center")],
    "guizhou-2020": [(ANSWER, date(2025, 10, 23), "sharing.answer", "provider_admin")],
    # The data is not on the platform yet: 10 working days after the 2-day check.
    "shanxi-2020": [(PREREVIEW, date(2025, 9, 29), "sharing.prereview", "authority"),
                    (ANSWER, date(2025, 10, 20), "sharing.answer#unpublished",
                     "provider_admin")],
}
# Who hears when the last step is overdue.
ESCALATED_TO = {ANSWER: "provider_head", ENABLE: "authority"}
# The answer rule as the provider's page shows it.
ANSWER_TEXT = {
    "national-2025": "10 个工作日（《政务数据共享条例》第四章（条款待核实））",
    "national-2016": "10 个工作日（《政务信息资源共享管理暂行办法》第十二条）",
    "hainan-2018": "10 个工作日（《海南省公共信息资源管理办法》（条款待核实））",
    "yushui-2018": "10 个工作日（《渝水区政务信息资源共享管理办法》（条款待核实））",
    "hengyang-2021": "10 个工作日（《衡阳市政务数据共享开放管理办法》第十七条（条款待核实））",
    "guizhou-2020": "15 个工作日（《贵州省政府数据共享开放条例》第三章（条款待核实））",
    "shanxi-2020": "10 个工作日（数据须先在平台发布）（《山西省政务数据管理与应用办法》（条款待核实））",
}


def act(request, status, people):
    """Finish the step ``status`` as the one who holds it."""
    if status == PREREVIEW:
        actor = people.authority if request.prereview_by == "authority" else people.center
        return request_prereview(actor=actor, request=request, passed=True)
    if status == SUPPLY:
        return request_supply(actor=people.provider_admin, request=request, comment="已推送")
    actor = people.center if status == ENABLE else people.provider_admin
    return request_approve(actor=actor, request=request)


@pytest.mark.parametrize("code", list(STEPS))
def test_r1_r2_r8_each_shipped_pack_times_a_request_across_national_day(
        code, people, conditional_resource, region, web):
    """R1 (answer limit), R2 (compliance check, supply after consent and enablement per
    pack), R8 (reminders before each step, escalation after the last): every step's due
    date, the rule that timed it and the version it came from."""
    region.rule_pack = RulePack.objects.get(code=code)
    region.save()
    version = region_rules(region.pk)
    steps = STEPS[code]
    with at(date(2025, 9, 26)):
        request = make_request(people.applicant_clerk, conditional_resource,
                               submit_by=people.applicant_admin)
    for position, (status, due, rule, who) in enumerate(steps):
        assert (request.status, request.due_on, request.due_rule) == (status, due, rule)
        assert request.rule_version_id == version.pk
        if status == ANSWER:
            page = web(people.provider_admin).get(
                reverse("sharing:request_detail", args=[request.pk])).content.decode()
            assert ANSWER_TEXT[code] in page
        deadlines_sweep(today=before(due, 3))
        assert "提前 3 个工作日" in reminders(getattr(people, who))[-1].title
        if position == len(steps) - 1:
            deadlines_sweep(today=add_working_days(due, 1))
            assert reminders(getattr(people, ESCALATED_TO.get(status, "provider_head")),
                             Notification.Level.ESCALATION)
            return
        with at(due):
            request = act(request, status, people)


def test_r1_shanxi_answers_in_5_days_when_the_data_is_already_on_the_platform(
        people, conditional_resource, region):
    """R1: Shanxi's conditional limit — 5 working days for data already shared on the
    platform (a current data version), 10 when it must first be published."""
    region.rule_pack = RulePack.objects.get(code="shanxi-2020")
    region.save()
    DataVersion.objects.create(resource=conditional_resource, number=1, source_name="d.csv",
                               source_format="csv", status=DataVersion.Status.CURRENT)
    with at(date(2025, 9, 26)):
        request = make_request(people.applicant_clerk, conditional_resource,
                               submit_by=people.applicant_admin)
    assert (request.status, request.prereview_by) == (S.PREREVIEW, "authority")
    with pytest.raises(NotPermitted):  # the authority checks here, not the center
        request_prereview(actor=people.center, request=request, passed=True)
    with at(date(2025, 9, 29)):
        request = request_prereview(actor=people.authority, request=request, passed=True)
    assert (request.due_on, request.due_rule) == (date(2025, 10, 13), "sharing.answer")


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


def test_r1_a_migration_adding_a_rule_keeps_edited_values_and_adds_only_the_new_rule():
    """R1: ``shipped_packs_upgrade`` (the migrations that add rules) gives an edited copy
    the new rule from the pack it was copied from, keeps every edited value, saves it as a
    new version and leaves packs that already have the rule alone."""
    default = RulePack.objects.get(is_default=True)
    copy = rule_pack_copy(actor=None, pack=default, code="edited", name="改过的规则包")
    copy.rules["sharing.answer"]["value"] = 7
    del copy.rules["assessment.annual_report_reminder_days"]
    copy.version += 1
    copy.save()  # as a pack saved before the rule existed
    untouched = {p.code: p.version for p in RulePack.objects.exclude(pk=copy.pk)}
    shipped_packs_upgrade(RulePack, RulePackVersion,
                          new_rules=("assessment.annual_report_reminder_days",))
    copy.refresh_from_db()
    assert copy.rules["sharing.answer"]["value"] == 7
    assert copy.rules["assessment.annual_report_reminder_days"] == \
        default.rules["assessment.annual_report_reminder_days"]
    assert RulePackVersion.objects.get(pack=copy, version=copy.version).rules == copy.rules
    rules_validate(copy.rules)
    assert {p.code: p.version for p in RulePack.objects.exclude(pk=copy.pk)} == untouched
