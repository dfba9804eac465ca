"""The catalog's rules, in one place for the form, the services, the admin, the API and
the import.

* :func:`check_entry` returns the **errors** that refuse an entry: completeness of the C1
  metadata, the legal basis of C2 and the unconditional base items of C3.
* :func:`entry_warnings` returns the **warnings** a clerk and a reviewer see: missing
  identity items and locality (C4, YS-12) and overlap with another department's
  registered entry (C5, one data, one source).

Both work on a *proposal*: a mapping of ``Resource`` field names to values and a list of
mappings of ``DataItem`` field names, so they run before anything is saved. Messages are
in Chinese, name the field and say what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from .conf import catalog_setting
from .models import (
    FOUNDATIONAL_THEMES,
    NOT_SHARED_BASIS_KINDS,
    TYPES_WITH_LENGTH,
    Classification,
    DataItem,
    OpenType,
    Resource,
    SharingMethod,
    SharingType,
    Subject,
)

FIELD_NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_ITEMS = 500


@dataclass
class RuleErrors:
    """Errors of one proposal: per resource field, per item (by index) and general ones."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    items: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def add_item(self, index: int, name: str, message: str) -> None:
        self.items.setdefault(index, {}).setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.items or self.general)

    def as_dict(self) -> dict[str, Any]:
        """The API's shape: ``{"field": [...], "items": [{...}, ...], "non_field_errors": [...]}``."""
        out: dict[str, Any] = dict(self.fields)
        if self.items:
            size = max(self.items) + 1
            out["items"] = [self.items.get(i, {}) for i in range(size)]
        if self.general:
            out["non_field_errors"] = list(self.general)
        return out

    def messages(self) -> list[str]:
        """Every message as one flat list (for admin messages and reports)."""
        out = [m for msgs in self.fields.values() for m in msgs]
        for index in sorted(self.items):
            for msgs in self.items[index].values():
                out += [_("第 %(n)d 个信息项：%(m)s") % {"n": index + 1, "m": m} for m in msgs]
        return out + list(self.general)


def _label(name: str) -> str:
    return str(Resource._meta.get_field(name).verbose_name)


def _item_label(name: str) -> str:
    return str(DataItem._meta.get_field(name).verbose_name)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


# -- errors (C1, C2, C3) ------------------------------------------------------------------

REQUIRED_FIELDS = (
    "name", "classification", "summary", "format", "sharing_type", "update_cycle",
    "security_level", "contact_name", "contact_phone",
)


def check_entry(data: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> RuleErrors:
    """Everything that refuses an entry (C1–C3)."""
    errors = RuleErrors()
    _check_required(data, errors)
    _check_classification(data, errors)
    _check_sharing(data, errors)
    _check_legal_basis(data, errors)
    _check_open(data, errors)
    _check_items(items, errors)
    _check_foundational(data, items, errors)
    return errors


def _check_required(data, errors: RuleErrors) -> None:
    for name in REQUIRED_FIELDS:
        if _blank(data.get(name)):
            errors.add(name, _("请填写“%(field)s”。") % {"field": _label(name)})


def _check_classification(data, errors: RuleErrors) -> None:
    classification, theme = data.get("classification"), data.get("theme")
    if classification in (Classification.FOUNDATIONAL, Classification.THEMATIC) and not theme:
        errors.add("theme", _("基础信息资源和主题信息资源须选择“主题”。"))
    if classification == Classification.FOUNDATIONAL and theme and theme not in FOUNDATIONAL_THEMES:
        errors.add("theme", _("基础信息资源的主题只能是人口、法人单位、房地产（不动产）、"
                              "自然资源和空间地理、电子证照或社会信用；其他主题请将分类改为主题信息资源。"))


def _check_sharing(data, errors: RuleErrors) -> None:
    sharing_type = data.get("sharing_type")
    methods = data.get("sharing_method") or []
    unknown = [m for m in methods if m not in SharingMethod.values]
    if unknown:
        errors.add("sharing_method", _("共享方式“%(v)s”无效，请从列表中选择。") % {"v": "、".join(map(str, unknown))})
    if sharing_type in (SharingType.UNCONDITIONAL, SharingType.CONDITIONAL) and not methods:
        errors.add("sharing_method", _("请至少选择一种“共享方式”（系统对接、前置机、联机查询、批量下载或文件）。"))
    if sharing_type == SharingType.CONDITIONAL and _blank(data.get("sharing_conditions")):
        errors.add("sharing_conditions", _("有条件共享的资源须写明“共享条件”：使用部门、用途或须满足的条件。"))


def _check_legal_basis(data, errors: RuleErrors) -> None:
    """C2: conditional entries cite a law, regulation, rule or policy; not-shared entries a
    law, administrative regulation or central policy (NAT-10(1), HN-9)."""
    sharing_type = data.get("sharing_type")
    if sharing_type not in (SharingType.CONDITIONAL, SharingType.NOT_SHARED):
        return
    kind = data.get("legal_basis_kind")
    label = SharingType(sharing_type).label
    if _blank(data.get("legal_basis")):
        errors.add("legal_basis", _("%(type)s的资源须填写“法律依据”：文件名称、文号及条款。") % {"type": label})
    if not kind:
        errors.add("legal_basis_kind", _("%(type)s的资源须选择“依据类型”。") % {"type": label})
    elif sharing_type == SharingType.NOT_SHARED and kind not in NOT_SHARED_BASIS_KINDS:
        errors.add("legal_basis_kind", _("不予共享只能依据法律、行政法规或党中央、国务院政策文件；"
                                         "依据地方性法规、规章或其他政策文件的，请改为有条件共享。"))


def _check_open(data, errors: RuleErrors) -> None:
    is_open, open_type = bool(data.get("is_open")), data.get("open_type") or OpenType.NOT_OPEN
    if is_open and open_type == OpenType.NOT_OPEN:
        errors.add("open_type", _("向社会开放的资源须选择“无条件开放”或“有条件开放”。"))
    if not is_open and open_type != OpenType.NOT_OPEN:
        errors.add("open_type", _("未勾选“是否向社会开放”时，开放类型只能是“不予开放”。"))
    if open_type == OpenType.CONDITIONAL and _blank(data.get("open_conditions")):
        errors.add("open_conditions", _("有条件开放的资源须写明“开放条件”。"))
    if is_open and data.get("sharing_type") == SharingType.NOT_SHARED:
        errors.add("is_open", _("不予共享的资源不能向社会开放，请先核实共享类型。"))


def _check_items(items: Sequence[Mapping[str, Any]], errors: RuleErrors) -> None:
    if not items:
        errors.general.append(_("请至少填写一个信息项（名称、数据类型、长度）。"))
        return
    if len(items) > MAX_ITEMS:
        errors.general.append(_("信息项不能超过 %(n)d 个，请拆分为多个资源。") % {"n": MAX_ITEMS})
    names: dict[str, int] = {}
    field_names: dict[str, int] = {}
    for index, item in enumerate(items):
        name = (item.get("name") or "").strip()
        if not name:
            errors.add_item(index, "name", _("请填写“信息项名称”。"))
        elif name in names:
            errors.add_item(index, "name", _("信息项“%(name)s”与第 %(n)d 项重名，请修改或删除其中一项。")
                            % {"name": name, "n": names[name] + 1})
        else:
            names[name] = index
        if _blank(item.get("data_type")):
            errors.add_item(index, "data_type", _("请选择“数据类型”。"))
        length = item.get("length")
        if item.get("data_type") in TYPES_WITH_LENGTH and not length:
            errors.add_item(index, "length", _("字符型和数值型信息项须填写“数据长度”（正整数）。"))
        if length is not None and length != "" and (not isinstance(length, int) or length <= 0 or length > 65535):
            errors.add_item(index, "length", _("“数据长度”须为 1–65535 之间的整数。"))
        field_name = (item.get("field_name") or "").strip()
        if field_name:
            if not FIELD_NAME_PATTERN.match(field_name):
                errors.add_item(index, "field_name", _("“字段标识”须以英文字母开头，只含英文字母、数字和下划线。"))
            elif field_name.lower() in field_names:
                errors.add_item(index, "field_name", _("“字段标识”%(f)s 与第 %(n)d 项重复。")
                                % {"f": field_name, "n": field_names[field_name.lower()] + 1})
            else:
                field_names[field_name.lower()] = index


def _check_foundational(data, items, errors: RuleErrors) -> None:
    """C3: foundational resources share their base items unconditionally (NAT-10(2), HN-10)."""
    if data.get("classification") != Classification.FOUNDATIONAL or not items:
        return
    base = [(i, item) for i, item in enumerate(items) if item.get("is_base")]
    if not base:
        errors.general.append(_("基础信息资源须勾选其“基础信息项”（如姓名、身份证号码），基础信息项一律无条件共享。"))
        return
    for index, item in base:
        effective = item.get("sharing_type") or data.get("sharing_type")
        if effective and effective != SharingType.UNCONDITIONAL:
            errors.add_item(index, "sharing_type", _("基础信息项必须无条件共享：请将此项的共享类型设为“无条件共享”，"
                                                     "或取消“基础信息项”勾选。"))


# -- warnings (C4, C5) ----------------------------------------------------------------------

@dataclass(frozen=True)
class RuleWarning:
    rule: str  # "C4" or "C5"
    message: str
    field: str = ""
    resources: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "field": self.field,
                "resources": list(self.resources)}


def _normal(name: str) -> str:
    return re.sub(r"[\s（）()【】\[\]·._\-—:：]", "", name or "")


# YS-12: which identity items each kind of entry must carry; any synonym satisfies one.
IDENTITY_ITEMS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    Subject.ENTERPRISE: [
        ("统一社会信用代码", ("统一社会信用代码", "社会信用代码", "工商注册号", "注册号", "组织机构代码", "机构代码")),
        ("企业（组织）全称", ("企业名称", "单位名称", "机构名称", "组织名称", "企业全称", "单位全称",
                      "全称", "名称", "法人名称", "市场主体名称")),
        ("法定代表人姓名", ("法定代表人", "法定代表人姓名", "法人代表", "法人代表姓名", "法定代表人名称")),
        ("法定代表人身份证号码", ("法定代表人身份证号码", "法定代表人身份证号", "法定代表人证件号码",
                         "法人代表身份证号码", "法人代表身份证号")),
    ],
    Subject.INDIVIDUAL: [
        ("姓名", ("姓名", "人员姓名", "公民姓名")),
        ("身份证号码（或护照号）", ("身份证号码", "公民身份号码", "身份证号", "证件号码", "护照号", "护照号码")),
    ],
    Subject.PROJECT: [("项目编码", ("项目编码", "项目代码"))],
    Subject.ADMINISTRATIVE_POWER: [("权力编码", ("权力编码", "权力事项编码", "事项编码"))],
}
_IDENTITY_NAMES = frozenset(_normal(s) for specs in IDENTITY_ITEMS.values() for _n, syn in specs for s in syn)


def entry_warnings(
    data: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    *,
    provider_id: int | None,
    exclude_ids: Iterable[int] = (),
) -> list[RuleWarning]:
    """C4 and C5 warnings for a proposal. ``exclude_ids``: the entry itself and the
    registered entry it revises, which must not count as overlapping."""
    return identity_warnings(data, items) + overlap_warnings(
        data, items, provider_id=provider_id, exclude_ids=exclude_ids
    )


def identity_warnings(data: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> list[RuleWarning]:
    """C4 (YS-12): identity items by subject, and the locality every entry states."""
    warnings: list[RuleWarning] = []
    present = {_normal(item.get("name") or "") for item in items}
    subjects = data.get("subjects") or []
    if not subjects:
        warnings.append(RuleWarning("C4", _("请在“信息主体”中注明资源涉及企业、自然人、项目或行政权力，以便核对必备信息项。"),
                                "subjects"))
    for subject in subjects:
        missing = [label for label, synonyms in IDENTITY_ITEMS.get(subject, [])
                   if not present & {_normal(s) for s in synonyms}]
        if missing:
            warnings.append(RuleWarning("C4", _("涉及%(subject)s的资源应包含信息项：%(items)s。")
                                    % {"subject": Subject(subject).label, "items": "、".join(missing)},
                                    "items"))
    if _blank(data.get("locality")):
        warnings.append(RuleWarning("C4", _("请填写“信息属地”（信息所属的行政区域）。"), "locality"))
    return warnings


def overlap_warnings(
    data: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    *,
    provider_id: int | None,
    exclude_ids: Iterable[int] = (),
) -> list[RuleWarning]:
    """C5: another department already registered an entry with substantially the same
    data items (identity items excluded, since every entry carries them), or the same name.

    One indexed query over item names, whatever the catalog's size.
    """
    ratio = catalog_setting("OVERLAP_RATIO")
    minimum = catalog_setting("OVERLAP_MIN_ITEMS")
    names = {(item.get("name") or "").strip() for item in items}
    names = {n for n in names if n and _normal(n) not in _IDENTITY_NAMES}
    exclude = [pk for pk in exclude_ids if pk]
    registered = Resource.objects.filter(status=Resource.Status.REGISTERED)
    if provider_id:
        registered = registered.exclude(provider_id=provider_id)
    warnings: list[RuleWarning] = []
    if names:
        needed = max(minimum, int(len(names) * ratio + 0.999))
        rows = (
            DataItem.objects.filter(name__in=names, retired=False,
                                    resource__in=registered.exclude(pk__in=exclude))
            .values("resource_id", "resource__name", "resource__code", "resource__provider__name")
            .annotate(shared=Count("name", distinct=True))
            .filter(shared__gte=min(needed, len(names)))
            .order_by("-shared", "resource_id")[:5]
        )
        for row in rows:
            warnings.append(RuleWarning(
                "C5",
                _("与%(dept)s已注册的“%(name)s”（%(code)s）有 %(n)d 个相同信息项，请核实是否多头采集"
                  "（一数一源），可改为申请共享该资源。")
                % {"dept": row["resource__provider__name"], "name": row["resource__name"],
                   "code": row["resource__code"], "n": row["shared"]},
                "items", (row["resource_id"],),
            ))
    name = (data.get("name") or "").strip()
    if name:
        same = registered.exclude(pk__in=exclude).filter(name=name).select_related("provider").first()
        if same is not None and all(same.pk not in w.resources for w in warnings):
            warnings.append(RuleWarning(
                "C5", _("%(dept)s已注册同名资源“%(name)s”（%(code)s），请核实是否重复编目。")
                % {"dept": same.provider.name, "name": same.name, "code": same.code},
                "name", (same.pk,),
            ))
    return warnings


# -- proposals from saved rows ----------------------------------------------------------------

RESOURCE_FIELDS = (
    "name", "classification", "theme", "summary", "format", "format_subtype", "subjects",
    "locality", "sharing_type", "sharing_conditions", "sharing_method", "usage_requirements",
    "legal_basis_kind", "legal_basis", "update_cycle", "is_open", "open_type",
    "open_conditions", "is_disclosure", "security_level", "publication_date",
    "contact_name", "contact_phone", "contact_email", "project",
)
ITEM_FIELDS = (
    "name", "field_name", "data_type", "length", "description", "sensitivity",
    "sharing_type", "is_key", "is_base",
)


def proposal_from_resource(resource: Resource) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The saved entry as the mappings the rules take."""
    data = {name: getattr(resource, name) for name in RESOURCE_FIELDS}
    items = [
        {"id": item.pk, "origin": item.origin_id, **{name: getattr(item, name) for name in ITEM_FIELDS}}
        for item in resource.items.all() if not item.retired
    ]
    return data, items


def resource_warnings(resource: Resource) -> list[RuleWarning]:
    """C4/C5 warnings of a saved entry (its revision target does not count as overlap)."""
    data, items = proposal_from_resource(resource)
    return entry_warnings(data, items, provider_id=resource.provider_id,
                          exclude_ids=[resource.pk, resource.revision_of_id])
