"""Delivering shared data (S9): online query and bulk download, each asked of
``access_decide``, limited to the granted items, masked as required and logged (S10).

Sharing decides who may read what; the data plane (``dataplane``) holds the versions,
the engine, masking and the access log this service drives.

The web pages and the REST API call the same two functions, :func:`rows_fetch` and
:func:`download_open`, with a :class:`Consumer` describing who reads through which
channel. A refusal is logged before it is raised; an allowed read is logged before any
data leaves.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from catalog.models import DataItem, Resource
from dataplane.conf import dataplane_setting, engine_config, masking_secret, work_dir
from dataplane.consumer import Consumer
from dataplane.engine.duck import engine_cursor
from dataplane.engine.export import prefetched, stream_csv, stream_json_lines, stream_xlsx
from dataplane.engine.query import FilterError, Op, OutColumn, Query, parse_filter
from dataplane.engine.types import ColumnType
from dataplane.errors import NoData, PayloadTooLarge
from dataplane.models import (
    AccessLogEntry,
    DataVersion,
    MaskingRule,
    ResourceData,
    SystemTokenScope,
)
from dataplane.services.accesslog import accesslog_append
from dataplane.services.masking import consumer_rule
from dataplane.storage import parquet_path
from portal.errors import NotPermitted, ValidationFailed
from portal.models import ApiToken
from portal.params import int_param

from ..access import AccessDecision, _live_items, _unconditional_item_ids, access_decide

RESERVED_PARAMS = frozenset({"page", "page_size", "fields", "format", "purpose", "bom"})
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
MAX_PAGE_SIZE = 500


@dataclass
class Delivery:
    """An allowed read: the decision, the version and the columns that may leave."""

    consumer: Consumer
    resource: Resource
    version: DataVersion
    decision: AccessDecision
    columns: dict[int, OutColumn]                      # item id → column, granted only
    names: dict[str, int] = field(default_factory=dict)  # any accepted name → item id
    key_ids: frozenset[int] = frozenset()


def _log(consumer: Consumer, resource: Resource, action: str, *, allowed: bool,
         decision: AccessDecision | None = None, version: DataVersion | None = None,
         parameters: dict | None = None, items: Sequence[str] = (),
         masked: Sequence[str] = (), rows: int = 0, reason: str = "") -> AccessLogEntry:
    return accesslog_append(
        user=consumer.user, department=consumer.department, resource=resource, action=action,
        channel=consumer.channel, allowed=allowed, version=version,
        grant=decision.grant if decision else None, token=consumer.token,
        purpose=decision.purpose if decision else "", parameters=parameters, items=items,
        masked_items=masked, rows_returned=rows, reason=reason,
        ip_address=consumer.ip_address,
    )


def _refuse(consumer: Consumer, resource: Resource, action: str, reason: str,
            parameters: dict | None = None, decision: AccessDecision | None = None) -> None:
    _log(consumer, resource, action, allowed=False, decision=decision, parameters=parameters,
         reason=reason)
    raise NotPermitted(reason, target=resource, action=action)


def _scoped_decision(consumer: Consumer, resource: Resource, purpose: str | None) -> AccessDecision:
    """``access_decide``, narrowed to a system token's scope (its grants)."""
    decision = access_decide(department=consumer.department, resource=resource, purpose=purpose)
    token = consumer.token
    if token is None or token.kind != ApiToken.Kind.SYSTEM or not decision.allowed:
        return decision
    scope = SystemTokenScope.objects.filter(token=token).first()
    if scope is None:
        return AccessDecision.refuse(_("该系统令牌没有设定使用范围，请联系本部门数据管理员。"))
    if decision.grant is None:
        return decision if scope.allow_without_grant else AccessDecision.refuse(
            _("该系统令牌的使用范围不包括无需授权的数据。"))
    in_scope = {g.pk: g for g in scope.grants.filter(resource=resource)}
    if decision.grant.pk in in_scope:
        return decision
    for grant in in_scope.values():  # another live grant of the department may be in scope
        narrowed = access_decide(department=consumer.department, resource=resource,
                                 purpose=grant.purpose)
        if narrowed.grant is not None and narrowed.grant.pk in in_scope:
            return narrowed
    if scope.allow_without_grant:
        # The decision's own rule for what needs no grant (S1), without the grant's items.
        open_ids = _unconditional_item_ids(resource, _live_items(resource))
        if open_ids:
            return AccessDecision(True, frozenset(open_ids), frozenset(), None, "", "")
    return AccessDecision.refuse(_("该系统令牌的使用范围不包括本部门对该资源的授权。"))


def _columns(resource: Resource, version: DataVersion, decision: AccessDecision,
             consumer: Consumer, current_names: dict[int, str]) -> dict[int, OutColumn]:
    """The granted columns of ``version``, under the items' current names."""
    rules = {r.item_id: r for r in MaskingRule.objects.filter(item__resource=resource)}
    is_provider = consumer.department is not None and consumer.department.pk == resource.provider_id
    columns = {}
    for spec in version.schema:
        item_id = spec["item_id"]
        if item_id not in decision.item_ids:
            continue
        rule = consumer_rule(item_id=item_id, masked_item_ids=decision.masked_item_ids,
                             rule=rules.get(item_id), is_provider=is_provider)
        columns[item_id] = OutColumn(name=current_names.get(item_id, spec["name"]),
                                     type=ColumnType(spec["type"]), rule=rule,
                                     source=spec["name"])
    return columns


def delivery_open(*, consumer: Consumer, resource: Resource, action: str,
                  purpose: str | None = None, parameters: dict | None = None) -> Delivery:
    """Ask the policy question once; refuse (logged) or return what may leave."""
    decision = _scoped_decision(consumer, resource, purpose or None)
    if not decision.allowed:
        _refuse(consumer, resource, action, decision.reason, parameters)
    state = ResourceData.objects.select_related("current_version").filter(resource=resource).first()
    version = state.current_version if state else None
    if version is None:
        raise NoData(_("提供部门尚未上传该资源的数据。"), target=resource)
    items = list(DataItem.objects.filter(resource=resource).only("pk", "name", "field_name", "is_key"))
    names: dict[str, int] = {}
    for item in items:
        for alias in (item.name, item.field_name):
            if alias:
                names.setdefault(alias.casefold(), item.pk)
    for spec in version.schema:
        names.setdefault(spec["name"].casefold(), spec["item_id"])
    current = {item.pk: item.name for item in items}
    return Delivery(consumer=consumer, resource=resource, version=version, decision=decision,
                    columns=_columns(resource, version, decision, consumer, current), names=names,
                    key_ids=frozenset(i.pk for i in items if i.is_key))


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(value[-1]) if value else ""
    return "" if value is None else str(value)


def _display(delivery: Delivery, item_id: int) -> str:
    column = delivery.columns.get(item_id)
    if column is not None:
        return column.name
    return (DataItem.objects.filter(pk=item_id).values_list("name", flat=True).first()
            or str(item_id))


def _resolve(delivery: Delivery, name: str, *, field: str, action: str,
             parameters: dict) -> int:
    """The item id for a requested name; 400 when unknown, 403 (logged) when not granted."""
    item_id = delivery.names.get(name.strip().casefold())
    if item_id is None:
        raise ValidationFailed(_("没有名为“%(name)s”的信息项。") % {"name": name},
                               fields={field: [_("没有名为“%(name)s”的信息项，请核对信息项名称。")
                                               % {"name": name}]})
    if item_id not in delivery.decision.item_ids:
        _refuse(delivery.consumer, delivery.resource, action,
                _("未获授权的信息项：%(name)s。") % {"name": _display(delivery, item_id)},
                parameters, delivery.decision)
    if item_id not in delivery.columns:
        raise ValidationFailed(_("当前数据版本不含信息项“%(name)s”。") % {"name": name},
                               fields={field: [_("当前数据版本不含该信息项。")]})
    return item_id


def _log_parameters(params: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): _first(v)[:500] for k, v in params.items()}


def _plan(delivery: Delivery, params: Mapping[str, Any], action: str) -> tuple[Query, dict]:
    """Fields and filters from the request parameters, checked against the grant."""
    parameters = _log_parameters(params)
    ungranted = []
    fields_raw = _first(params.get("fields")).strip()
    if fields_raw:
        selected = []
        for name in (n for n in fields_raw.split(",") if n.strip()):
            item_id = delivery.names.get(name.strip().casefold())
            if item_id is not None and item_id not in delivery.decision.item_ids:
                ungranted.append(_display(delivery, item_id))
                continue
            item_id = _resolve(delivery, name, field="fields", action=action,
                               parameters=parameters)
            if item_id not in selected:
                selected.append(item_id)
        if ungranted:
            _refuse(delivery.consumer, delivery.resource, action,
                    _("未获授权的信息项：%(names)s。") % {"names": "、".join(ungranted)},
                    parameters, delivery.decision)
    else:
        selected = list(delivery.columns)
    filters = []
    for key, value in params.items():
        if key in RESERVED_PARAMS:
            continue
        name, _sep, op_name = key.partition("__")
        try:
            op = Op(op_name or "eq")
        except ValueError:
            raise ValidationFailed(_("不支持的查询运算“%(op)s”。") % {"op": op_name},
                                   fields={key: [_("可用运算：eq、ne、lt、lte、gt、gte、in、"
                                                   "contains、startswith、isnull。")]}) from None
        item_id = _resolve(delivery, name, field=key, action=action, parameters=parameters)
        if item_id not in delivery.key_ids:
            keys = "、".join(delivery.columns[i].name for i in delivery.key_ids
                            if i in delivery.columns) or _("（无）")
            raise ValidationFailed(
                _("“%(name)s”不能作为查询条件。") % {"name": name},
                fields={key: [_("只能按可作查询条件的信息项筛选：%(keys)s。") % {"keys": keys}]})
        try:
            filters.append(parse_filter(delivery.columns[item_id], op, _first(value)))
        except FilterError as exc:
            raise ValidationFailed(str(exc), fields={key: [str(exc)]}) from None
    query = Query(path=parquet_path(delivery.version.parquet_file),
                  columns=[delivery.columns[i] for i in selected], filters=filters,
                  secret=masking_secret())
    return query, parameters


def _masked_names(query: Query) -> list[str]:
    return [c.name for c in query.columns if c.rule is not None]


@dataclass
class RowsPage:
    count: int
    page: int
    page_size: int
    columns: list[str]
    masked: list[str]
    rows: list[dict[str, Any]]
    version: DataVersion
    entry: AccessLogEntry

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))


def _count(con, query: Query, version: DataVersion) -> int:
    """Matching rows; without filters the version's row count (no scan)."""
    if not query.filters and not query.search:
        return version.row_count
    sql, values = query.count_sql()
    return int(con.sql(sql, params=values or None).fetchall()[0][0])


def rows_fetch(*, consumer: Consumer, resource: Resource, params: Mapping[str, Any]) -> RowsPage:
    """Online query (联机查询): filtered, projected to granted items, paginated, logged."""
    action = AccessLogEntry.Action.QUERY
    delivery = delivery_open(consumer=consumer, resource=resource, action=action,
                             purpose=_first(params.get("purpose")),
                             parameters=_log_parameters(params))
    page = int_param(params, "page", default=1, low=1)
    page_size = int_param(params, "page_size", default=20, low=1, high=MAX_PAGE_SIZE)
    query, parameters = _plan(delivery, params, action)
    con = engine_cursor(engine_config())
    try:
        count = _count(con, query, delivery.version)
        sql, values = query.rows_sql(limit=page_size, offset=(page - 1) * page_size)
        relation = con.sql(sql, params=values or None)
        names = [c.name for c in query.columns]
        rows = [dict(zip(names, row, strict=True)) for row in relation.fetchall()]
    finally:
        con.close()
    entry = _log(consumer, resource, action, allowed=True, decision=delivery.decision,
                 version=delivery.version, parameters=parameters, items=names,
                 masked=_masked_names(query), rows=len(rows))
    return RowsPage(count=int(count), page=page, page_size=page_size, columns=names,
                    masked=_masked_names(query), rows=rows, version=delivery.version, entry=entry)


@dataclass
class Download:
    chunks: Iterator[bytes]
    filename: str
    content_type: str
    rows: int
    entry: AccessLogEntry


def _stream(query: Query, fmt: str, *, bom: bool) -> Iterator[bytes]:
    """The file's bytes, produced batch by batch; the connection closes at the end."""
    con = engine_cursor(engine_config())
    try:
        names = [c.name for c in query.columns]
        batch_rows = int(dataplane_setting("DOWNLOAD_BATCH_ROWS"))
        if fmt == "csv":
            sql, values = query.rows_sql(for_files=True)
            yield from prefetched(stream_csv(con, sql, values, names, bom=bom,
                                             batch_rows=batch_rows))
        elif fmt == "json":
            sql, values = query.json_lines_sql()
            yield from prefetched(stream_json_lines(con, sql, values, batch_rows=batch_rows))
        else:
            sql, values = query.rows_sql(for_files=True, xml_safe=True)
            yield from stream_xlsx(con, sql, values, names, work_dir=str(work_dir()))
    finally:
        con.close()


def download_open(*, consumer: Consumer, resource: Resource, params: Mapping[str, Any]) -> Download:
    """Bulk download (批量下载): the same checks as a query, logged, then streamed."""
    action = AccessLogEntry.Action.DOWNLOAD
    fmt = (_first(params.get("format")) or "csv").lower()
    if fmt not in FORMATS:
        raise ValidationFailed(_("不支持的下载格式。"),
                               fields={"format": [_("请选择 csv、json 或 xlsx。")]})
    delivery = delivery_open(consumer=consumer, resource=resource, action=action,
                             purpose=_first(params.get("purpose")),
                             parameters=_log_parameters(params))
    query, parameters = _plan(delivery, params, action)
    con = engine_cursor(engine_config())
    try:
        rows = _count(con, query, delivery.version)
    finally:
        con.close()
    limit = int(dataplane_setting("XLSX_MAX_ROWS"))
    if fmt == "xlsx" and rows > limit:
        raise PayloadTooLarge(_("共 %(rows)d 条记录，超过 XLSX 格式 %(limit)d 条的上限，"
                                "请改用 CSV 或 JSON 格式，或增加筛选条件。")
                              % {"rows": rows, "limit": limit})
    entry = _log(consumer, resource, action, allowed=True, decision=delivery.decision,
                 version=delivery.version, parameters=parameters,
                 items=[c.name for c in query.columns], masked=_masked_names(query), rows=rows)
    content_type, extension = FORMATS[fmt]
    filename = f"{resource.code}-v{delivery.version.number}.{extension}"
    bom = _first(params.get("bom")).lower() not in ("0", "false", "no")
    return Download(chunks=_stream(query, fmt, bom=bom), filename=filename,
                    content_type=content_type, rows=rows, entry=entry)
