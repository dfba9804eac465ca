"""Both ends of the cascade.

The lower instance serves :func:`cascade_export_page`: its registered and retired entries
(not revisions in progress, not entries it holds from further down), ordered by
``(updated_at, id)`` and paged by a cursor after the last row, optionally only those
changed since a time. The upper instance runs :func:`cascade_pull` for a source: it asks
for the changes since its watermark, page by page, and mirrors each entry — provider
department (matched by unified social credit code, created under the source's region),
fields, data items and state (registered or retired). A cascaded entry's state is the
origin's: it is not a transition here, so no workflow event is written, and no one here
may edit, revise or retire it (:func:`is_cascaded` in the catalog policies).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from portal.errors import NotPermitted, ValidationFailed
from portal.models import Department, Region, User
from portal.params import object_id
from portal.policies import is_center
from portal.search import search_index_update
from portal.secrets import secret_decrypt, secret_encrypt

from ..models import DataItem, Resource
from .models import CascadedEntry, CascadeRun, CascadeSource

PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000
TIMEOUT = 30.0
SLACK = timedelta(minutes=5)  # clocks of two servers differ a little
RESOURCE_FIELDS = ("name", "classification", "theme", "summary", "format", "format_subtype",
                   "locality", "sharing_type", "sharing_conditions", "sharing_method",
                   "usage_requirements", "legal_basis_kind", "legal_basis", "update_cycle",
                   "is_open", "open_type", "open_conditions", "is_disclosure",
                   "security_level", "contact_name", "contact_phone", "contact_email")
ITEM_FIELDS = ("name", "field_name", "data_type", "length", "description", "sensitivity",
               "sharing_type", "is_key", "is_base")


class CascadeUnavailable(Exception):
    """The lower platform could not be read; the run fails with this reason."""


def is_cascaded(resource: Resource) -> bool:
    return CascadedEntry.objects.filter(resource_id=resource.pk).exists()


def cascade_origin(resource: Resource) -> CascadedEntry | None:
    return CascadedEntry.objects.filter(resource_id=resource.pk).select_related("source").first()


# --- the lower instance --------------------------------------------------------------------

def cascade_exportable() -> QuerySet[Resource]:
    """What a lower instance shows the upper one: its own registered and retired entries."""
    return (Resource.objects.filter(status__in=[Resource.Status.REGISTERED,
                                                Resource.Status.RETIRED],
                                    revision_of__isnull=True, cascade_origin__isnull=True)
            .select_related("provider__region").prefetch_related("items"))


def _entry(resource: Resource, base_url: str) -> dict[str, Any]:
    provider = resource.provider
    return {
        "id": str(resource.pk), "code": resource.code, "status": resource.status,
        "updated_at": resource.updated_at.isoformat(),
        "registered_at": resource.registered_at.isoformat() if resource.registered_at else None,
        "url": base_url + reverse("catalog:resource_detail", args=[resource.pk]),
        **{f: getattr(resource, f) for f in RESOURCE_FIELDS},
        "provider": {"uscc": provider.uscc, "name": provider.name,
                     "short_name": provider.short_name, "kind": provider.kind,
                     "region": {"code": provider.region.code, "name": provider.region.name}},
        "items": [{f: getattr(i, f) for f in ITEM_FIELDS}
                  for i in resource.items.all() if not i.retired],
    }


def cascade_export_page(*, actor: User, base_url: str, since: datetime | None = None,
                        after: str = "", limit: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of the catalog for the upper instance; ``after`` is the last cursor."""
    from ..policies import can_read_cascade

    if not can_read_cascade(actor):
        raise NotPermitted(_("只有政务用户可以读取级联目录。"))
    qs = cascade_exportable()
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    if after:
        stamp, _sep, pk = after.rpartition("|")
        moment = parse_datetime(stamp)
        last = object_id(pk)
        if moment is None or last is None:
            raise ValidationFailed(_("分页游标无效。"), fields={"after": [_("分页游标无效。")]})
        qs = qs.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=last))
    rows = list(qs.order_by("updated_at", "pk")[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    return {"results": [_entry(r, base_url) for r in rows],
            "next": f"{last.updated_at.isoformat()}|{last.pk}" if more and last else None}


# --- the upper instance --------------------------------------------------------------------

@transaction.atomic
def cascade_source_register(*, actor: User, name: str, url: str, region: Region, token: str,
                            interval_hours: int = 24) -> CascadeSource:
    """The center registers a lower platform (with a read-only token it issued to us)."""
    if not is_center(actor):
        raise NotPermitted(_("只有信息中心可以登记下级平台。"))
    if not url.startswith(("http://", "https://")) or not token:
        raise ValidationFailed(_("请填写下级平台地址和访问令牌。"),
                               fields={"url": [_("请填写以 http:// 或 https:// 开头的地址。")]})
    return CascadeSource.objects.create(name=name, url=url.rstrip("/"), region=region,
                                        token=secret_encrypt(token),
                                        interval_hours=interval_hours,
                                        created_by=actor, next_run_at=timezone.now())


def cascade_source_token_set(*, actor: User, source: CascadeSource, token: str) -> None:
    """A new token from the lower platform replaces the stored one (encrypted)."""
    if not is_center(actor):
        raise NotPermitted(_("只有信息中心可以登记下级平台。"))
    if not token:
        raise ValidationFailed(_("请填写访问令牌。"), fields={"token": [_("请填写访问令牌。")]})
    CascadeSource.objects.filter(pk=source.pk).update(token=secret_encrypt(token))


def _department(source: CascadeSource, data: dict[str, Any], cache: dict) -> Department:
    uscc = data["uscc"]
    if uscc not in cache:
        department = Department.objects.filter(uscc=uscc).first()
        if department is None:
            department = Department.objects.create(
                uscc=uscc, name=data["name"][:128], short_name=(data.get("short_name") or "")[:32],
                region=source.region, kind=data.get("kind") or Department.Kind.GOVERNMENT)
        cache[uscc] = department
    return cache[uscc]


def _mirror(source: CascadeSource, entry: dict[str, Any], known: CascadedEntry | None,
            departments: dict) -> str:
    """Create or update one cascaded entry; returns ``created``, ``updated`` or ``retired``."""
    updated_at = parse_datetime(entry["updated_at"])
    retired = entry["status"] == Resource.Status.RETIRED
    values = {f: entry[f] for f in RESOURCE_FIELDS if f in entry}
    values["provider"] = _department(source, entry["provider"], departments)
    if known is None:
        if retired:
            return ""
        code = entry.get("code")
        if code and Resource.objects.filter(code=code).exists():
            code = None
        resource = Resource.objects.create(
            code=code, status=Resource.Status.REGISTERED,
            registered_at=parse_datetime(entry["registered_at"] or entry["updated_at"]),
            **values)
        CascadedEntry.objects.create(resource=resource, source=source, remote_id=entry["id"],
                                     origin_url=entry["url"], remote_updated_at=updated_at)
        outcome = "created"
    else:
        resource = known.resource
        was_retired = resource.status == Resource.Status.RETIRED
        for name, value in values.items():
            setattr(resource, name, value)
        if retired:
            resource.status, resource.retired_at = Resource.Status.RETIRED, timezone.now()
            resource.retire_reason = _("来源平台已撤销该目录。")
        else:
            resource.status, resource.retired_at, resource.retire_reason = (
                Resource.Status.REGISTERED, None, "")
        resource.save()
        resource.items.all().delete()
        CascadedEntry.objects.filter(pk=known.pk).update(
            origin_url=entry["url"], remote_updated_at=updated_at, pulled_at=timezone.now())
        outcome = "retired" if retired and not was_retired else "updated"
    DataItem.objects.bulk_create([
        DataItem(resource=resource, position=i, **{f: item.get(f) for f in ITEM_FIELDS
                                                   if item.get(f) is not None})
        for i, item in enumerate(entry["items"], start=1)])
    search_index_update([resource])
    return outcome


def cascade_pull(*, source_id: int) -> CascadeRun:
    """Pull the changes of one lower platform since the last pull."""
    source = CascadeSource.objects.get(pk=source_id)
    since = source.watermark - SLACK if source.watermark else None
    run = CascadeRun.objects.create(source=source, since=since)
    counts = {"created": 0, "updated": 0, "retired": 0}
    endpoint = source.url + reverse("catalog-cascade-entries")
    params: dict[str, str] = {"limit": str(PAGE_SIZE)}
    if since is not None:
        params["since"] = since.isoformat()
    departments: dict[str, Department] = {}
    try:
        with httpx.Client(timeout=TIMEOUT, headers={
                "Authorization": f"Token {secret_decrypt(source.token)}",
                "Accept": "application/json"}) as client:
            while True:
                run.requests += 1
                try:
                    response = client.get(endpoint, params=params)
                    response.raise_for_status()
                    page = response.json()
                except (httpx.HTTPError, ValueError) as exc:
                    raise CascadeUnavailable(_("无法读取下级平台目录：%(error)s")
                                             % {"error": str(exc)[:500]}) from exc
                entries = page.get("results") or []
                with transaction.atomic():
                    known = {e.remote_id: e for e in CascadedEntry.objects.filter(
                        source=source, remote_id__in=[e["id"] for e in entries])
                        .select_related("resource")}
                    for entry in entries:
                        outcome = _mirror(source, entry, known.get(entry["id"]), departments)
                        if outcome:
                            counts[outcome] += 1
                if not page.get("next"):
                    break
                params["after"] = page["next"]
    except CascadeUnavailable as exc:
        CascadeRun.objects.filter(pk=run.pk).update(
            status=CascadeRun.Status.FAILED, reason=str(exc), finished_at=timezone.now(),
            requests=run.requests, **counts)
        run.refresh_from_db()
        return run
    CascadeRun.objects.filter(pk=run.pk).update(
        status=CascadeRun.Status.DONE, finished_at=timezone.now(), requests=run.requests,
        **counts)
    CascadeSource.objects.filter(pk=source.pk).update(watermark=run.started_at)
    run.refresh_from_db()
    return run


def cascade_due(*, now=None) -> list[int]:
    """The sources due for a pull; their next pull moves on by their interval."""
    now = now or timezone.now()
    due = []
    for source in CascadeSource.objects.filter(is_active=True, next_run_at__lte=now):
        CascadeSource.objects.filter(pk=source.pk).update(next_run_at=now + source.interval)
        due.append(source.pk)
    return due
