"""Set-based writes for the sweeps: many notifications in one INSERT and many rows marked
in one UPDATE, without building a model instance per row.

On PostgreSQL both are single statements over arrays (``unnest`` / ``= ANY``); elsewhere
(SQLite in development) they fall back to the ORM, split where the backend limits the
number of parameters. ``portal.models.Notification``'s unique (user, key) constraint makes
a repeated insert a no-op, as ``portal.services.inbox.notify`` does one by one.
"""

from collections.abc import Sequence
from typing import NamedTuple

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

from portal.models import Notification


class Notice(NamedTuple):
    user_id: int
    key: str
    level: str
    title: str
    body: str
    url: str


_NOTICE_COLUMNS = ("user", "key", "level", "title", "body", "url", "created_at")
_ARRAY_TYPES = ("bigint[]", "text[]", "text[]", "text[]", "text[]", "text[]", "timestamptz[]")


def notices_insert(notices: Sequence[Notice]) -> None:
    """Insert the notifications; those whose (user, key) exists are skipped."""
    if not notices:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(
            [Notification(created_at=now, **n._asdict()) for n in notices],
            ignore_conflicts=True)
        return
    meta = Notification._meta
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column)
                        for name in _NOTICE_COLUMNS)
    unnest = ", ".join(f"%s::{array}" for array in _ARRAY_TYPES)
    values = [list(column) for column in zip(*notices, strict=True)] + [[now] * len(notices)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "  # noqa: S608
            f"SELECT * FROM unnest({unnest}) ON CONFLICT DO NOTHING", values)


def rows_mark(model: type[models.Model], pks: Sequence[int], **values) -> None:
    """``UPDATE model SET values WHERE pk IN pks`` (no history: these are the sweep's own
    markers, not anyone's edit)."""
    if not pks:
        return
    if connection.vendor == "postgresql":
        # One array parameter however many keys.
        keys = RawSQL("SELECT unnest(%s::bigint[])", (list(pks),))
        model.objects.filter(pk__in=keys).update(**values)
        return
    chunk = connection.features.max_query_params or len(pks)
    for start in range(0, len(pks), chunk):
        model.objects.filter(pk__in=pks[start:start + chunk]).update(**values)



def rows_mark_each(model: type[models.Model], field: str, values: dict[int, int]) -> None:
    """``UPDATE model SET field = <the row's value>`` for each pk in ``values``: one
    statement on PostgreSQL (``unnest`` of two arrays), one per distinct value elsewhere."""
    if not values:
        return
    if connection.vendor != "postgresql":
        by_value: dict[int, list[int]] = {}
        for pk, value in values.items():
            by_value.setdefault(value, []).append(pk)
        for value, pks in by_value.items():
            rows_mark(model, pks, **{field: value})
        return
    meta, quote = model._meta, connection.ops.quote_name
    table, column = quote(meta.db_table), quote(meta.get_field(field).column)
    key = quote(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = v.value FROM (SELECT unnest(%s::bigint[]) AS pk, "  # noqa: S608
            f"unnest(%s::integer[]) AS value) AS v WHERE {table}.{key} = v.pk",
            [list(values), list(values.values())])
