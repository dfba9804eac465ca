"""Which data items a dataset opens and how each is masked (O3).

The rule of O3: an item whose sensitivity is personal or higher may only be opened with a
desensitization rule. :func:`field_rules_check` enforces it wherever rules are set,
proposed or approved; :func:`rule_suggest` proposes a rule from the item's name so the
department starts from a safe default.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from catalog.models import DataItem, Sensitivity
from dataplane.masking import MaskKind, MaskRule, rule_errors
from dataplane.models import MaskingRule
from dataplane.models.masking import MASK_KIND_LABELS
from portal.errors import ValidationFailed

# Items at these levels are opened only masked.
MASK_REQUIRED = frozenset({Sensitivity.PERSONAL, Sensitivity.SENSITIVE,
                           Sensitivity.HIGHLY_SENSITIVE})

MASK_KINDS = frozenset(k.value for k in MaskKind)

# Name fragments → the rule they suggest, first match wins.
_NAME_HINTS = (
    (("身份证", "证件号", "护照"), MaskKind.ID_NUMBER),
    (("手机", "电话", "联系方式"), MaskKind.MOBILE),
    (("银行卡", "银行账号", "账号"), MaskKind.BANK_CARD),
    (("地址", "住址", "居住地"), MaskKind.ADDRESS),
    (("出生日期", "生日"), MaskKind.DATE_GENERALIZE),
    (("姓名", "名字", "联系人", "法定代表人"), MaskKind.NAME),
)


def mask_choices() -> list[tuple[str, str]]:
    return [("", _("不脱敏"))] + [(k.value, str(label)) for k, label in MASK_KIND_LABELS.items()]


def rule_suggest(item: DataItem) -> tuple[str, dict[str, Any]]:
    """A rule for an item that needs one: the provider's own rule for the item if it set
    one in the data plane, else one guessed from the name, else keyed hashing."""
    if item.sensitivity not in MASK_REQUIRED:
        return "", {}
    own = MaskingRule.objects.filter(item=item).first()
    if own is not None:
        return own.kind, dict(own.params or {})
    for fragments, kind in _NAME_HINTS:
        if any(f in item.name for f in fragments):
            return kind.value, {}
    return MaskKind.HASH.value, {}


def field_rules_check(rules: Iterable[Mapping[str, Any]], items: Mapping[int, DataItem]) -> None:
    """Refuse rules that would open a sensitive item unmasked, or that are malformed.

    ``rules`` are dicts with ``item`` (DataItem id), ``included``, ``mask_rule`` and
    ``mask_params``; ``items`` maps ids to the entry's items. Raises ``ValidationFailed``
    naming each wrong item.
    """
    problems: dict[str, list[str]] = {}
    included = 0
    for rule in rules:
        item = items.get(int(rule["item"]))
        if item is None:
            raise ValidationFailed(_("信息项不属于该目录资源。"), fields={"fields": [
                _("信息项不属于该目录资源，请刷新页面后重试。")]})
        if not rule.get("included"):
            continue
        included += 1
        kind = rule.get("mask_rule") or ""
        key = f"field_{item.pk}"
        if not kind:
            if item.sensitivity in MASK_REQUIRED:
                problems[key] = [_("“%(name)s”为%(level)s，开放前必须设置脱敏规则，或不开放此项。")
                                 % {"name": item.name, "level": item.get_sensitivity_display()}]
            continue
        if kind not in MASK_KINDS:
            problems[key] = [_("“%(name)s”的脱敏规则无效，请重新选择。") % {"name": item.name}]
            continue
        errors = rule_errors(MaskRule(kind, rule.get("mask_params") or {}))
        if errors:
            problems[key] = [_("“%(name)s”：%(errors)s") % {"name": item.name,
                                                           "errors": "；".join(errors)}]
    if included == 0:
        problems["fields"] = [_("至少开放一个信息项。")]
    if problems:
        raise ValidationFailed(_("开放字段设置有误，请按提示修改。"), fields=problems)
