"""The one place a limit is read: the rule pack of a region (``portal.models.rules``).

``RULES`` lists every rule a pack holds. A service asks :func:`region_rules` for the
pack version governing a region (its own pack, else its parent's, …, else the default
pack) and :func:`due_after` for a due date in working days (P4) with the rule that set
it; :func:`deadline_start <portal.deadlines.deadline_start>` records both on the step, so
the page can say "10 个工作日（《政务数据共享条例》第十二条）" from the version that timed it.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import Region
from portal.models.rules import RulePack, RulePackVersion
from portal.workdays import add_working_days


@dataclass(frozen=True)
class RuleSpec:
    label: Any
    unit: str  # "days" (working days), "months", "flag", "levels" (list of days), "date"


RULES: dict[str, RuleSpec] = {
    "sharing.prereview": RuleSpec(gettext_lazy("申请合规性审查 / 信息中心预审"), "days"),
    "sharing.answer": RuleSpec(gettext_lazy("提供部门答复"), "days"),
    "sharing.answer_extension": RuleSpec(gettext_lazy("答复延期"), "days"),
    "sharing.enablement": RuleSpec(gettext_lazy("信息中心开通"), "days"),
    "sharing.negotiation": RuleSpec(gettext_lazy("协商"), "days"),
    "sharing.coordination": RuleSpec(gettext_lazy("主管部门协调"), "days"),
    "sharing.transfer": RuleSpec(gettext_lazy("转送第三方同意"), "days"),
    "sharing.objection": RuleSpec(gettext_lazy("异议校核答复"), "days"),
    "sharing.reminder_days": RuleSpec(gettext_lazy("共享期限提醒"), "levels"),
    "sharing.grant_expiry_notice": RuleSpec(gettext_lazy("授权到期提醒"), "days"),
    "sharing.negative_list_review": RuleSpec(gettext_lazy("负面清单复核周期"), "months"),
    "catalog.update": RuleSpec(gettext_lazy("目录更新"), "days"),
    "catalog.reminder_days": RuleSpec(gettext_lazy("目录更新提醒"), "levels"),
    "opendata.review": RuleSpec(gettext_lazy("开放数据审核"), "days"),
    "opendata.answer": RuleSpec(gettext_lazy("开放申请与需求答复"), "days"),
    "opendata.reminder_days": RuleSpec(gettext_lazy("开放数据期限提醒"), "levels"),
    "assessment.annual_report_due": RuleSpec(gettext_lazy("年度共享情况报告报送截止"), "date"),
    "assessment.notice_default": RuleSpec(gettext_lazy("整改期限（默认）"), "days"),
    "assessment.objection_answer": RuleSpec(gettext_lazy("得分异议答复"), "days"),
    "assessment.complaint_answer": RuleSpec(gettext_lazy("投诉答复"), "days"),
    "assessment.reminder_days": RuleSpec(gettext_lazy("整改期限提醒"), "levels"),
}


class RulePackInvalid(ValueError):
    """A pack's rules are incomplete or malformed (the message names the rule)."""


@dataclass(frozen=True)
class Rule:
    """One rule as a version of a pack states it."""

    key: str
    value: Any
    enabled: bool
    article: str
    confirmed: bool
    source: str
    version_id: int | None

    @property
    def citation(self) -> str:
        if self.article and self.confirmed:
            return f"{self.source}{self.article}"
        if self.article:
            return _("%(source)s%(article)s（条款待核实）") % {"source": self.source,
                                                           "article": self.article}
        return _("%(source)s（条款待核实）") % {"source": self.source}

    def describe(self) -> str:
        """"10 个工作日（《政务数据共享条例》第十二条）"."""
        unit = RULES[self.key].unit
        if unit == "days":
            amount = _("%(n)d 个工作日") % {"n": self.value}
        elif unit == "months":
            amount = _("%(n)d 个月") % {"n": self.value}
        elif unit == "levels":
            amount = _("到期前 %(days)s 个工作日") % {"days": "、".join(map(str, self.value))}
        elif unit == "date":
            amount = (_("%(month)d 月底前") % self.value if not self.value.get("day")
                      else _("%(month)d 月 %(day)d 日前") % self.value)
        else:
            amount = _("是") if self.enabled else _("否")
        return f"{amount}（{self.citation}）"


def rule_of(version: RulePackVersion, key: str) -> Rule:
    entry = version.rules.get(key)
    if entry is None:
        raise RulePackInvalid(_("规则包缺少规则“%(rule)s”。") % {"rule": RULES[key].label})
    return Rule(key=key, value=entry.get("value"), enabled=bool(entry.get("enabled", True)),
                article=entry.get("article", ""), confirmed=bool(entry.get("confirmed")),
                source=entry.get("source") or version.source, version_id=version.pk)


def rules_validate(rules: dict) -> None:
    """Every rule present, each value of its unit (raises :class:`RulePackInvalid`)."""
    if not isinstance(rules, dict):
        raise RulePackInvalid(_("规则须为 JSON 对象。"))
    for key, spec in RULES.items():
        entry = rules.get(key)
        label = spec.label
        if not isinstance(entry, dict):
            raise RulePackInvalid(_("缺少规则“%(rule)s”。") % {"rule": label})
        value = entry.get("value")
        ok = {
            "days": isinstance(value, int) and 0 < value <= 365,
            "months": isinstance(value, int) and 0 < value <= 120,
            "levels": isinstance(value, list) and all(isinstance(v, int) and 0 < v <= 60
                                                      for v in value),
            "date": isinstance(value, dict) and value.get("month") in range(1, 13)
            and (value.get("day") in (None, 0) or value.get("day") in range(1, 29)),
            "flag": True,
        }[spec.unit]
        if not ok:
            raise RulePackInvalid(_("规则“%(rule)s”的取值无效。") % {"rule": label})
        if not isinstance(entry.get("article", ""), str):
            raise RulePackInvalid(_("规则“%(rule)s”的条款须为文字。") % {"rule": label})
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise RulePackInvalid(_("未知的规则：%(keys)s。") % {"keys": "、".join(unknown)})


@transaction.atomic
def rule_pack_save(*, actor, pack: RulePack) -> RulePackVersion:
    """Save ``pack`` as its next version (the rules are validated first). Steps already
    open keep the version that timed them."""
    rules_validate(pack.rules)
    if pack.pk is not None:
        RulePack.objects.select_for_update().filter(pk=pack.pk).first()
    pack.version = (pack.version or 0) + 1
    pack.save()
    return RulePackVersion.objects.create(
        pack=pack, version=pack.version, rules=pack.rules, source=pack.source,
        saved_by=actor if getattr(actor, "pk", None) else None)


@transaction.atomic
def rule_pack_copy(*, actor, pack: RulePack, code: str, name: str) -> RulePack:
    """A new pack starting from ``pack``'s rules (to be edited for a region)."""
    copy = RulePack(code=code, name=name, source=pack.source, copied_from=pack,
                    rules=pack.rules)
    rule_pack_save(actor=actor, pack=copy)
    return copy


def rule_pack_in_use(pack: RulePack) -> bool:
    """A region uses it, or a step was timed by one of its versions."""
    from portal.deadlines import deadline_kinds

    if pack.is_default or Region.objects.filter(rule_pack=pack).exists():
        return True
    versions = RulePackVersion.objects.filter(pack=pack)
    return any(kind.model.objects.filter(rule_version__in=versions).exists()
               for kind in deadline_kinds())


def _current(pack_id: int) -> RulePackVersion:
    return (RulePackVersion.objects.select_related("pack").filter(pack_id=pack_id)
            .order_by("-version").first())


def region_pack_id(region_id: int | None) -> int:
    """The pack governing ``region_id``: its own, else the nearest ancestor's, else the
    default pack (one query over the region tree, one for the default)."""
    if region_id is not None:
        rows = {pk: (parent, pack) for pk, parent, pack in
                Region.objects.values_list("pk", "parent_id", "rule_pack_id")}
        node, seen = region_id, set()
        while node is not None and node not in seen:
            seen.add(node)
            parent, pack = rows.get(node, (None, None))
            if pack is not None:
                return pack
            node = parent
    default = RulePack.objects.filter(is_default=True).values_list("pk", flat=True).first()
    if default is None:
        raise RulePackInvalid(_("没有默认规则包：请在管理后台将一个规则包设为默认。"))
    return default


def region_rules(region_id: int | None) -> RulePackVersion:
    """The current version of the pack governing ``region_id``."""
    return _current(region_pack_id(region_id))


def due_after(version: RulePackVersion, key: str, start: date | None = None
              ) -> tuple[date, Rule]:
    """The due date ``key``'s working days after ``start`` (default today), and the rule."""
    rule = rule_of(version, key)
    return add_working_days(start or timezone.localdate(), int(rule.value)), rule


def region_due(region_id: int | None, key: str, start: date | None = None
               ) -> tuple[date, Rule]:
    """``due_after`` with the pack governing ``region_id``."""
    return due_after(region_rules(region_id), key, start)


def common_region(first_id: int, second_id: int) -> int | None:
    """The lowest region above (or equal to) both: whose authority coordinates between
    departments of the two regions (NAT-12: 本级主管部门)."""
    parents = dict(Region.objects.values_list("pk", "parent_id"))

    def chain(node):
        out = []
        while node is not None and node not in out:
            out.append(node)
            node = parents.get(node)
        return out

    above_second = set(chain(second_id))
    return next((r for r in chain(first_id) if r in above_second), None)
