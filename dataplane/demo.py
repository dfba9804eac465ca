"""Demo masking rules, shared by the demo loaders of sharing and the data plane: items
whose names say what they hold get the rule that fits (a grant may mask only items that
have a rule)."""

from collections.abc import Iterable

from catalog.models import DataItem
from portal.models import User

from .masking import MaskKind
from .models import MaskingRule
from .services.masking import masking_rule_set

RULES = [("身份证", MaskKind.ID_NUMBER), ("身份号码", MaskKind.ID_NUMBER),
         ("手机", MaskKind.MOBILE), ("电话", MaskKind.MOBILE), ("姓名", MaskKind.NAME),
         ("住址", MaskKind.ADDRESS), ("地址", MaskKind.ADDRESS)]


def demo_mask_kind(item: DataItem) -> MaskKind | None:
    return next((kind for word, kind in RULES if word in item.name), None)


def demo_masking_rules_set(*, actor: User, items: Iterable[DataItem]) -> list[DataItem]:
    """Set the fitting rule on each item that has none; return the items with a rule."""
    ruled = []
    for item in items:
        kind = demo_mask_kind(item)
        if kind is None:
            continue
        if not MaskingRule.objects.filter(item=item).exists():
            masking_rule_set(actor=actor, item=item, kind=kind, note="演示规则")
        ruled.append(item)
    return ruled
