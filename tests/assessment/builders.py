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


def share_request(provider, applicant, *, due_on: date, answered_on: date | None = None,
                  late: bool = False, answer: str = "approved", status: str | None = None,
                  days: int = 5):
    from sharing.models import ShareRequest

    resource_ = resource(provider)
    return ShareRequest.objects.create(
        applicant=applicant, provider=provider, resource=resource_, purpose="work_reference",
        purpose_detail="履职", knowledge_scope="本处", security_measures="专人管理",
        period_start=date(2025, 1, 1), period_end=date(2026, 12, 31), method="online_query",
        status=status or ("provider_review" if answered_on is None else "approved"),
        answer_started_on=due_on, answer_due_on=due_on,
        answered_at=at(answered_on) if answered_on else None,
        answer=answer if answered_on else "", answered_late=late,
        answer_working_days=days if answered_on else None)


def objection(provider, reporter, *, created_on: date, answered_on: date | None = None,
              fix_days: int | None = None, status: str = "open", due_on: date | None = None):
    from sharing.models import Objection

    return Objection.objects.create(
        reporter=reporter, provider=provider, resource=resource(provider), kind="wrong",
        description="错误", status=status, created_at=at(created_on), due_on=due_on,
        answered_at=at(answered_on) if answered_on else None, fix_working_days=fix_days)


def data_version(resource_, *, number: int, activated_on: date, days_late: int = 0,
                 status: str = "superseded"):
    from dataplane.models import DataVersion

    return DataVersion.objects.create(
        resource=resource_, number=number, status=status, source_name="d.csv",
        source_format="csv", activated_at=at(activated_on), days_late=days_late)


def resource_data(resource_, *, next_due_on: date | None):
    from dataplane.models import ResourceData

    return ResourceData.objects.create(resource=resource_, next_due_on=next_due_on)


def access(provider, department, *, on: date, allowed: bool = True, purpose: str = "work_reference",
           action: str = "query", rows: int = 10):
    """An access-log entry written directly (the hash chain is the data plane's concern)."""
    from dataplane.models import AccessLogEntry

    n = next(_counter)
    return AccessLogEntry.objects.create(
        seq=n, at=at(on), department=department, resource=resource(provider), provider=provider,
        action=action, channel="web", allowed=allowed, purpose=purpose, rows_returned=rows,
        prev_hash="0" * 64, hash=f"{n:064d}")


def dataset(publisher, *, published_on: date | None, status: str = "published",
            withdrawn_on: date | None = None):
    from opendata.models import Dataset

    n = next(_counter)
    return Dataset.objects.create(
        name=f"ds-{n}", resource=resource(publisher, is_open=True, open_type="unconditional"),
        publisher=publisher, title=f"数据集{n}", description="简介", theme="other",
        open_type="unconditional", update_cycle="monthly", status=status,
        first_published_at=at(published_on) if published_on else None,
        withdrawn_at=at(withdrawn_on) if withdrawn_on else None)
