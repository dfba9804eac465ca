"""Demo data for the assessment: last year's record of the demo departments.

The demo's catalog, sharing and open-data loaders act today, through the services, for
the few departments that have demo users; a plan for *last* year would see none of it and
rank every department alike. This module writes what a year of work leaves behind —
registered entries with their items, change events and how they were handled, share
requests and how they were answered — dated inside last year, for every department in
scope, with a deterministic spread from diligent to idle. The rows are written with the
models (the services would stamp today's date) and are marked 演示 so nobody takes them
for real records. Used only by ``seed_demo_assessment``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from catalog.models import ChangeEvent, DataItem, Resource
from portal.models import Department
from portal.rules import region_due
from portal.search import search_index_update
from portal.workdays import add_working_days

MARK = "（演示档案）"

# Per department key: registered entries, share of them with complete metadata (of 10),
# change events (due, updated on time, late), requests (due, on time, late, refused),
# manual scores (organisation /4, security /3, application cases /3).
PROFILES = {
    "gat": (14, 10, (3, 3, 0), (8, 8, 0, 0), ("4", "3", "3")),
    "scjg": (12, 10, (2, 2, 0), (7, 7, 0, 0), ("4", "3", "2.5")),
    "rst": (11, 9, (2, 2, 0), (5, 5, 0, 0), ("3.5", "3", "2.5")),
    "zrzy": (10, 9, (2, 2, 0), (5, 4, 1, 0), ("3.5", "2.5", "2")),
    "wjw": (10, 8, (2, 2, 0), (6, 5, 1, 1), ("3", "2.5", "2.5")),
    "tjj": (8, 9, (1, 1, 0), (3, 3, 0, 0), ("3.5", "2.5", "2")),
    "sthj": (8, 8, (1, 1, 0), (3, 3, 0, 0), ("3", "2", "1.5")),
    "sft": (7, 8, (1, 1, 0), (2, 2, 0, 0), ("3", "2", "1.5")),
    "czt": (6, 8, (1, 1, 0), (2, 2, 0, 0), ("3", "2.5", "1")),
    "jtt": (8, 7, (2, 2, 0), (3, 2, 1, 0), ("3", "2", "2")),
    "jyt": (7, 7, (2, 2, 0), (4, 3, 1, 0), ("2.5", "2", "2")),
    "mzt": (5, 7, (1, 1, 0), (2, 2, 0, 0), ("2.5", "2", "1")),
    "zjt": (6, 5, (2, 1, 1), (4, 2, 2, 2), ("2", "1.5", "1.5")),
    "nynct": (4, 5, (1, 0, 1), (2, 1, 1, 1), ("2", "1.5", "1")),
    "gjj": (4, 6, (0, 0, 0), (2, 2, 0, 0), ("2.5", "2", "1.5")),
    "bmj": (1, 4, (0, 0, 0), (0, 0, 0, 0), ("2", "2.5", "0")),
    "bb": (2, 5, (1, 0, 0), (0, 0, 0, 0), ("2", "1", "0")),
    "dw": (0, 0, (0, 0, 0), (0, 0, 0, 0), ("1", "1", "0")),
    "hk_gaj": (7, 8, (1, 1, 0), (3, 3, 0, 0), ("3", "2.5", "2")),
    "hk_scjg": (5, 7, (1, 1, 0), (2, 2, 0, 0), ("2.5", "2", "1.5")),
    "sy_zrzy": (4, 6, (1, 1, 0), (2, 1, 1, 0), ("2", "1.5", "1")),
    "sy_wjw": (2, 4, (0, 0, 0), (1, 1, 0, 0), ("2", "1.5", "1")),
}

SUBJECTS = ["行政许可信息", "行政处罚信息", "业务办理信息", "监督检查信息", "统计报表信息",
            "服务事项信息", "从业人员资质信息", "设施设备信息", "项目管理信息", "投诉举报信息",
            "档案目录信息", "专项资金信息"]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _day(year: int, n: int) -> date:
    """A working-looking day of ``year``, spread over its months by ``n``."""
    day = date(year, 1 + n % 11, 3 + (n * 7) % 24)
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def manual_points(department: Department) -> tuple[str, str, str] | None:
    """The demo reviewer's points on the three manual indicators."""
    profile = PROFILES.get(_key_of(department))
    return profile[4] if profile else None


def _key_of(department: Department) -> str:
    from portal.management.commands.seed_demo import DEPARTMENTS

    by_name = {name: key for key, _region, name, _short, _kind in DEPARTMENTS}
    return by_name.get(department.name, "")


def _entries(department: Department, year: int, count: int, complete: int) -> list[Resource]:
    made = []
    for n in range(count):
        full = n * 10 < complete * count  # the first ``complete`` tenths are complete
        subject = SUBJECTS[n % len(SUBJECTS)]
        registered = _day(year, n + department.pk)
        entry = Resource.objects.create(
            provider=department, status=Resource.Status.REGISTERED,
            name=f"{department.short_name or department.name}{subject}",
            classification="departmental", summary=f"{MARK}{department.name}{subject}。",
            format="database", format_subtype="PostgreSQL" if full else "",
            locality=department.region.name if full else "",
            subjects=["enterprise"], sharing_type="unconditional" if n % 3 else "conditional",
            sharing_conditions="" if n % 3 else "用于履职核验", legal_basis_kind="" if n % 3 else "rule",
            legal_basis="" if n % 3 else "本部门职责相关规章",
            sharing_method=["online_query"] if full or n % 2 else [],
            update_cycle="monthly", contact_name="演示联系人", contact_phone="0898-66000000",
            publication_date=registered if full else None,
            code=f"3-{department.organisation_code}-{90000 + n:05d}",
            registered_at=_at(registered), submitted_at=_at(registered - timedelta(days=5)))
        for position, name in enumerate(("统一社会信用代码", "名称", "办理日期"), start=1):
            DataItem.objects.create(
                resource=entry, position=position, name=name,
                data_type="date" if name == "办理日期" else "string",
                length=None if name == "办理日期" else 50,
                description=f"{name}（{subject}）" if full or position == 1 else "")
        made.append(entry)
    search_index_update(made)
    return made


def _change_events(department: Department, year: int, due: int, on_time: int, late: int) -> None:
    for n in range(due):
        occurred = _day(year, 3 * n + 1)
        due_on, _rule = region_due(department.region_id, "catalog.update", occurred)
        if n < on_time:
            status, done = ChangeEvent.Status.DONE, due_on - timedelta(days=3)
        elif n < on_time + late:
            status, done = ChangeEvent.Status.DONE, due_on + timedelta(days=9)
        else:
            status, done = ChangeEvent.Status.OPEN, None
        ChangeEvent.objects.create(
            department=department, kind="law_revised", title=f"{MARK}法规修订引起的目录更新",
            occurred_on=occurred, due_on=due_on, status=status,
            completed_at=_at(done) if done else None,
            completion_note="已按修订后的规定更新目录" if done else "")


def _requests(department: Department, year: int, entries: list[Resource], due: int, on_time: int,
              late: int, refused: int, applicants: list[Department]) -> None:
    from sharing.models import ShareRequest

    for n in range(due if entries and applicants else 0):
        resource = entries[n % len(entries)]
        received = _day(year, 2 * n + 5)
        due_on, rule = region_due(department.region_id, "sharing.answer", received)
        answered = n < on_time + late
        days = 4 if n < on_time else rule.days + 4
        refuse = answered and n >= due - refused
        request = ShareRequest.objects.create(
            number=f"GX{year}9{department.pk:03d}{n:03d}", applicant=applicants[n % len(applicants)],
            provider=department, resource=resource, purpose="work_reference",
            purpose_detail=f"{MARK}履职核验", knowledge_scope="业务处室经办人员",
            security_measures="专网访问，按岗授权", period_start=date(year, 1, 1),
            period_end=date(year, 12, 31), method="online_query", commitment_accepted=True,
            status=("refused" if refuse else "approved") if answered else "provider_review",
            submitted_at=_at(received), answer_started_on=received, answer_due_on=due_on,
            answered_at=_at(add_working_days(received, days)) if answered else None,
            answer=("refused" if refuse else "approved") if answered else "",
            refusal_reason="超出履职所需范围" if refuse else "",
            answered_late=answered and n >= on_time, answer_working_days=days if answered else None,
            closed_at=_at(add_working_days(received, days)) if answered else None)
        request.items.set(resource.items.all())


@transaction.atomic
def previous_year_record(*, departments: list[Department], year: int) -> int:
    """Write ``year``'s record for ``departments`` once (a second call does nothing).
    Returns the number of registered entries written."""
    if ChangeEvent.objects.filter(title__startswith=MARK, occurred_on__year=year).exists() or \
            Resource.objects.filter(summary__startswith=MARK, registered_at__year=year).exists():
        return 0
    written = 0
    for department in departments:
        profile = PROFILES.get(_key_of(department))
        if profile is None:
            continue
        count, complete, changes, requests, _manual = profile
        entries = _entries(department, year, count, complete)
        written += len(entries)
        _change_events(department, year, *changes)
        others = [d for d in departments if d.pk != department.pk][:5]
        _requests(department, year, entries, *requests, applicants=others)
    return written
