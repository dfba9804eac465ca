"""Masking rules per data item and their before/after preview (S9 item 4, O3)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import DataItem, Resource
from portal.errors import NotPermitted, ValidationFailed
from portal.models import User

from ..conf import engine_config, masking_secret
from ..engine.duck import engine_cursor
from ..masking import MaskedColumn, MaskKind, MaskRule, preview_parquet, rule_errors
from ..models import AccessLogEntry, DataVersion, MaskingRule, ResourceData
from ..policies import can_edit_masking
from ..storage import parquet_path
from .accesslog import accesslog_append


def rule_of(masking_rule: MaskingRule | None) -> MaskRule:
    """The engine rule for a stored rule; no rule means suppression."""
    if masking_rule is None:
        return MaskRule(MaskKind.SUPPRESS)
    return MaskRule(masking_rule.kind, masking_rule.params)


def consumer_rule(*, item_id: int, masked_item_ids, rule: MaskingRule | None,
                  is_provider: bool) -> MaskRule | None:
    """The rule an item leaves under for one reader, or None when it leaves as it is.

    Masked when the reader's grant requires it, or when the rule applies to every
    consumer (not the provider); a required mask without a rule suppresses the value.
    """
    masked = item_id in masked_item_ids or (
        rule is not None and rule.applies_to_all and not is_provider)
    return rule_of(rule) if masked else None


@transaction.atomic
def masking_rule_set(*, actor: User, item: DataItem, kind: str, params: dict[str, Any] | None = None,
                     applies_to_all: bool = False, note: str = "") -> MaskingRule:
    if not can_edit_masking(actor, item.resource):
        raise NotPermitted(_("只有提供部门的数据管理员或数据安全管理员可以设置脱敏规则。"),
                           target=item, action="mask")
    if kind not in MaskKind.__members__.values():
        raise ValidationFailed(_("请选择脱敏方式。"), fields={"kind": [_("请选择脱敏方式。")]})
    params = {k: v for k, v in (params or {}).items() if v not in ("", None)}
    errors = rule_errors(MaskRule(kind, params))
    if errors:
        raise ValidationFailed(_("脱敏参数有误。"), fields={"params": errors})
    rule = MaskingRule.objects.select_for_update().filter(item=item).first() or MaskingRule(item=item)
    rule.kind, rule.params, rule.applies_to_all, rule.note = kind, params, applies_to_all, note
    rule.updated_by = actor
    rule.save()
    return rule


@transaction.atomic
def masking_rule_delete(*, actor: User, item: DataItem) -> None:
    if not can_edit_masking(actor, item.resource):
        raise NotPermitted(_("只有提供部门的数据管理员或数据安全管理员可以设置脱敏规则。"),
                           target=item, action="mask")
    rule = MaskingRule.objects.filter(item=item).first()
    if rule is not None:
        rule.delete()


def masking_preview(*, actor: User, resource: Resource, limit: int = 10,
                    ip_address: str | None = None) -> list[dict[str, Any]]:
    """Before/after of the current version's first rows for every item with a rule.

    Shows raw values, so only the provider's rule editors may ask; the preview is logged.
    """
    if not can_edit_masking(actor, resource):
        raise NotPermitted(_("只有提供部门的数据管理员或数据安全管理员可以预览脱敏效果。"),
                           target=resource, action="preview")
    state = ResourceData.objects.select_related("current_version").filter(resource=resource).first()
    version: DataVersion | None = state.current_version if state else None
    if version is None:
        return []
    rules = {r.item_id: r for r in MaskingRule.objects.filter(item__resource=resource)}
    columns = [MaskedColumn(source=c["name"], name=c["name"], rule=rule_of(rules[c["item_id"]]))
               for c in version.schema if c["item_id"] in rules]
    if not columns:
        return []
    with engine_cursor(engine_config()) as con:
        rows = preview_parquet(con, parquet_path(version.parquet_file), columns,
                               secret=masking_secret(), limit=limit)
    accesslog_append(
        user=actor, department=actor.department, resource=resource,
        action=AccessLogEntry.Action.PREVIEW, channel=AccessLogEntry.Channel.WEB, allowed=True,
        version=version, parameters={"limit": limit}, items=[c.name for c in columns],
        rows_returned=len(rows), ip_address=ip_address,
    )
    return rows
