"""The one place a limit is read: the rule pack of a region (``portal.models.rules``).

``RULES`` lists every rule a pack holds. A service asks :func:`region_rules` for the
pack version governing a region (its own pack, else its parent's, …, else the default
pack) and :func:`due_after` for a due date in working days (P4) with the rule that set
it; :func:`deadline_start <portal.deadlines.deadline_start>` records both on the step, so
the page can say "10 个工作日（《政务数据共享条例》第十二条）" from the version that timed it.
"""

from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import Region
from portal.models.rules import RulePack, RulePackVersion
from portal.workdays import add_working_days


@dataclass(frozen=True)
class RuleSpec:
    label: Any
    unit: str  # "days" (working days), "months", "flag", "levels" (list of days), "date",
    #            "choice" (one of ``choices``)
    # Options a rule may carry besides its value, each with its allowed values (None: a
    # number of working days): who acts, who consents, a second limit for a condition.
    options: tuple[tuple[str, tuple | None], ...] = ()
    choices: tuple[str, ...] = ()


# Who may act on a step or consent to it (``by`` / ``consent`` options).
ACTORS = ("center", "authority", "head", "data_admin")
ACTOR_LABELS = {
    "center": gettext_lazy("信息中心"),
    "authority": gettext_lazy("主管部门"),
    "head": gettext_lazy("提供部门第一责任人"),
    "data_admin": gettext_lazy("提供部门数据管理员"),
}

RULES: dict[str, RuleSpec] = {
    # ``by``: who checks the application (YS-18, HY-17: the center; Shanxi: the authority).
    "sharing.prereview": RuleSpec(gettext_lazy("申请合规性审查 / 信息中心预审"), "days",
                                  options=(("by", ("center", "authority")),)),
    # ``unpublished_value``: the limit when the data must first be published on the
    # platform (Shanxi: 5 working days if already shared there, 10 otherwise).
    "sharing.answer": RuleSpec(gettext_lazy("提供部门答复"), "days",
                               options=(("unpublished_value", None),)),
    # value: the most working days one extension adds; ``consent``: who must agree;
    # ``notify_applicant``: the applicant is told (Guizhou).
    "sharing.answer_extension": RuleSpec(
        gettext_lazy("答复延期"), "days",
        options=(("consent", ("head", "data_admin", "authority")),
                 ("notify_applicant", (True, False)))),
    # HY-17: after consent the provider supplies the data to the platform within a limit.
    "sharing.supply": RuleSpec(gettext_lazy("同意后提供数据"), "days"),
    "sharing.enablement": RuleSpec(gettext_lazy("信息中心开通"), "days"),
    # 回流: an upper-level provider answers a lower-level department's request for data
    # about the lower level's own jurisdiction.
    "sharing.return_flow": RuleSpec(gettext_lazy("上级部门回流数据"), "days"),
    "sharing.negotiation": RuleSpec(gettext_lazy("协商"), "days"),
    "sharing.coordination": RuleSpec(gettext_lazy("主管部门协调"), "days"),
    "sharing.transfer": RuleSpec(gettext_lazy("转送第三方同意"), "days"),
    "sharing.objection": RuleSpec(gettext_lazy("异议校核答复"), "days"),
    "sharing.reminder_days": RuleSpec(gettext_lazy("共享期限提醒"), "levels"),
    "sharing.grant_expiry_notice": RuleSpec(gettext_lazy("授权到期提醒"), "days"),
    "sharing.negative_list_review": RuleSpec(gettext_lazy("负面清单复核周期"), "months"),
    "catalog.update": RuleSpec(gettext_lazy("目录更新"), "days"),
    "catalog.review": RuleSpec(gettext_lazy("信息中心审核目录"), "days"),
    # No collecting again what sharing already provides: an entry overlapping another
    # department's registered entry (C5) is refused, or needs a reason the center reviews.
    "catalog.recollection": RuleSpec(gettext_lazy("不得重复收集"), "choice",
                                     choices=("refuse", "reason")),
    "catalog.reminder_days": RuleSpec(gettext_lazy("目录更新提醒"), "levels"),
    "opendata.review": RuleSpec(gettext_lazy("开放数据审核"), "days"),
    "opendata.answer": RuleSpec(gettext_lazy("开放申请与需求答复"), "days"),
    "opendata.reminder_days": RuleSpec(gettext_lazy("开放数据期限提醒"), "levels"),
    "assessment.annual_report_due": RuleSpec(gettext_lazy("年度共享情况报告报送截止"), "date"),
    "assessment.annual_report_reminder_days": RuleSpec(gettext_lazy("年度共享情况报告截止提醒"),
                                                       "levels"),
    "assessment.notice_default": RuleSpec(gettext_lazy("整改期限（默认）"), "days"),
    "assessment.objection_answer": RuleSpec(gettext_lazy("得分异议答复"), "days"),
    "assessment.complaint_answer": RuleSpec(gettext_lazy("投诉答复"), "days"),
    "assessment.reminder_days": RuleSpec(gettext_lazy("整改期限提醒"), "levels"),
}


class RulePackInvalid(ValueError):
    """A pack's rules are incomplete or malformed (the message names the rule)."""


# A step timed by a rule's second limit records ``key#variant`` as its rule.
UNPUBLISHED = "unpublished"


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
    options: dict = field(default_factory=dict)
    variant: str = ""
    note: str = ""

    @property
    def ref(self) -> str:
        """What a step records as the rule that timed it (``due_rule``)."""
        return f"{self.key}#{self.variant}" if self.variant else self.key

    @property
    def days(self) -> int:
        """The working days this rule (or its variant) gives."""
        if self.variant == UNPUBLISHED:
            return int(self.options.get("unpublished_value") or self.value)
        return int(self.value)

    def option(self, name: str, default=None):
        return self.options.get(name, default)

    @property
    def citation(self) -> str:
        if self.article and self.confirmed:
            return f"{self.source}{self.article}"
        if self.article:
            return _("%(source)s%(article)s（条款待核实）") % {"source": self.source,
                                                           "article": self.article}
        return _("%(source)s（条款待核实）") % {"source": self.source}

    def amount(self) -> str:
        """The rule's value in words ("10 个工作日", "最多延长 15 个工作日，须经…同意")."""
        unit = RULES[self.key].unit
        if self.key == "sharing.answer_extension":
            text = _("最多延长 %(n)d 个工作日") % {"n": self.value}
            consent = self.option("consent")
            if consent:
                text += _("，须经%(who)s同意") % {"who": ACTOR_LABELS[consent]}
            if self.option("notify_applicant"):
                text += _("并告知申请部门")
            return text
        if unit == "days":
            if self.variant == UNPUBLISHED:
                return _("%(n)d 个工作日（数据须先在平台发布）") % {"n": self.days}
            text = _("%(n)d 个工作日") % {"n": self.value}
            if self.option("unpublished_value"):
                text += _("；数据须先在平台发布的 %(n)d 个工作日") % {
                    "n": self.option("unpublished_value")}
            return text
        if unit == "months":
            return _("%(n)d 个月") % {"n": self.value}
        if unit == "levels":
            return _("到期前 %(days)s 个工作日") % {"days": "、".join(map(str, self.value))}
        if unit == "date":
            return (_("%(month)d 月底前") % self.value if not self.value.get("day")
                    else _("%(month)d 月 %(day)d 日前") % self.value)
        if unit == "choice":
            return str(CHOICE_LABELS.get(self.value, self.value))
        return _("是") if self.enabled else _("否")

    def describe(self) -> str:
        """"10 个工作日（《政务数据共享条例》第十二条）"."""
        return f"{self.amount()}（{self.citation}）"


CHOICE_LABELS = {
    "refuse": gettext_lazy("与其他部门已注册资源重复的，不予提交"),
    "reason": gettext_lazy("与其他部门已注册资源重复的，须说明理由并经信息中心审核"),
}


def rule_of(version: RulePackVersion, key: str) -> Rule:
    """The rule ``key`` (or ``key#variant``, as a step records it) of ``version``."""
    key, _sep, variant = key.partition("#")
    entry = version.rules.get(key)
    if entry is None:
        raise RulePackInvalid(_("规则包缺少规则“%(rule)s”。") % {"rule": RULES[key].label})
    options = {name: entry[name] for name, _allowed in RULES[key].options if name in entry}
    return Rule(key=key, value=entry.get("value"), enabled=bool(entry.get("enabled", True)),
                article=entry.get("article", ""), confirmed=bool(entry.get("confirmed")),
                source=entry.get("source") or version.source, version_id=version.pk,
                options=options, variant=variant, note=entry.get("note", ""))


def _option_ok(value, allowed: tuple | None) -> bool:
    if allowed is None:
        return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 365
    return value in allowed


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
            "choice": value in spec.choices,
            "flag": True,
        }[spec.unit]
        if not ok:
            raise RulePackInvalid(_("规则“%(rule)s”的取值无效。") % {"rule": label})
        for name, allowed in spec.options:
            if name in entry and entry[name] is not None and not _option_ok(entry[name], allowed):
                raise RulePackInvalid(_("规则“%(rule)s”的选项“%(option)s”取值无效。")
                                      % {"rule": label, "option": name})
        for text in ("article", "note"):
            if not isinstance(entry.get(text, ""), str):
                raise RulePackInvalid(_("规则“%(rule)s”的条款和说明须为文字。") % {"rule": label})
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
                    rules=deepcopy(pack.rules))
    rule_pack_save(actor=actor, pack=copy)
    return copy


def rule_pack_in_use(pack: RulePack) -> bool:
    """A region uses it, or a row of any app was timed by one of its versions (every
    protecting reference to a version counts: steps, reports, extensions)."""
    if pack.is_default or Region.objects.filter(rule_pack=pack).exists():
        return True
    versions = RulePackVersion.objects.filter(pack=pack)
    return any(
        relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": versions}).exists()
        for relation in RulePackVersion._meta.related_objects
        if relation.on_delete is models.PROTECT)


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
    return add_working_days(start or timezone.localdate(), rule.days), rule


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
