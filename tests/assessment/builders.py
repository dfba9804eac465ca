"""Rows of the other apps built directly, for hand-made indicator scenarios."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from catalog.models import ChangeEvent, DataItem, Project, Resource

TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


_counter = iter(range(1, 1_000_000))


def resource(provider, *, status="registered", registered_on=date(2025, 3, 1), items=(("姓名", "说明"),),
             **fields) -> Resource:
    """A catalog entry; complete metadata unless fields say otherwise."""
    n = next(_counter)
    values = {
        "name": f"资源{n}", "classification": "departmental", "summary": "摘要",
        "format": "database", "format_subtype": "PostgreSQL", "locality": "海南省",
        "sharing_type": "unconditional", "sharing_method": ["online_query"],
        "update_cycle": "monthly", "contact_name": "王五", "contact_phone": "0898-1",
        "publication_date": date(2025, 1, 1),
        **fields,
    }
    entry = Resource.objects.create(provider=provider, status=status, **values)
    if status in ("registered", "retired"):
        entry.code = f"T-{n:06d}"
        entry.registered_at = at(registered_on)
        entry.save()
    for position, (name, description) in enumerate(items, start=1):
        DataItem.objects.create(resource=entry, position=position, name=name,
                                description=description)
    return entry


def change_event(department, *, due_on: date, status="open", completed_on: date | None = None
                 ) -> ChangeEvent:
    event = ChangeEvent.objects.create(
        department=department, kind="law_revised", title="法规修订", occurred_on=due_on,
        due_on=due_on, status=status, completed_at=at(completed_on) if completed_on else None)
    return event


def project(department, *, approved_on=None, completed_on=None, status="approved") -> Project:
    n = next(_counter)
    return Project.objects.create(code=f"P{n:05d}", name=f"项目{n}", department=department,
                                  status=status, approved_on=approved_on,
                                  completed_on=completed_on)
