"""What a revision changes against the registered entry (shown to the reviewer, C6)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import DataItem, Resource
from .rules import ITEM_FIELDS, RESOURCE_FIELDS


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ItemChange:
    kind: str  # "added", "removed", "changed"
    name: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class ResourceDiff:
    fields: list[FieldChange]
    items: list[ItemChange]

    def __bool__(self) -> bool:
        return bool(self.fields or self.items)


def _display(obj, name: str) -> str:
    value = getattr(obj, name)
    model_field = obj._meta.get_field(name)
    if model_field.choices and not isinstance(value, list):
        return str(dict(model_field.flatchoices).get(value, value or "—"))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        from .models import SharingMethod, Subject

        labels = {**dict(SharingMethod.choices), **dict(Subject.choices)}
        return "、".join(str(labels.get(v, v)) for v in value) or "—"
    if value in (None, ""):
        return "—"
    return str(value)


def _changes(old, new, names) -> list[FieldChange]:
    out = []
    for name in names:
        if getattr(old, name) != getattr(new, name):
            out.append(FieldChange(str(old._meta.get_field(name).verbose_name),
                                   _display(old, name), _display(new, name)))
    return out


def resource_diff(registered: Resource | None, revision: Resource) -> ResourceDiff | None:
    """Field and item changes of ``revision`` against ``registered``; items are matched by
    the ``origin`` link the revision's items keep to the registered ones."""
    if registered is None:
        return None
    fields = _changes(registered, revision, RESOURCE_FIELDS)
    old_codes = {r.code for r in registered.related_resources.all()}
    new_codes = {r.code for r in revision.related_resources.all()}
    if old_codes != new_codes:
        fields.append(FieldChange("关联资源", "、".join(sorted(filter(None, old_codes))) or "—",
                                  "、".join(sorted(filter(None, new_codes))) or "—"))
    current = {i.pk: i for i in DataItem.objects.filter(resource=registered, retired=False)}
    items: list[ItemChange] = []
    seen: set[int] = set()
    for item in revision.items.order_by("position", "pk"):
        old = current.get(item.origin_id)
        if old is None:
            items.append(ItemChange("added", item.name))
            continue
        seen.add(old.pk)
        changes = _changes(old, item, ITEM_FIELDS)
        if changes:
            items.append(ItemChange("changed", old.name, changes))
    for pk, old in current.items():
        if pk not in seen:
            items.append(ItemChange("removed", old.name))
    return ResourceDiff(fields, items)
