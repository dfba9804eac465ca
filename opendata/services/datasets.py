"""Publication workflow of open datasets (O1, O2): create from a catalog entry, edit,
propose, review, publish, update, withdraw.

Invariant (O1): a dataset is only ever published from a registered entry whose open type
is unconditional or conditional. It is checked when the dataset is created, proposed and
approved (the entry may have changed meanwhile), by the public selectors at read time,
and by :func:`datasets_withdraw_unopenable`, which takes offline whatever the catalog
has closed since.
"""

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import DataItem, OpenType, Resource, Theme
from portal.deadlines import deadline_start
from portal.errors import Conflict, NotPermitted, ValidationFailed
from portal.models import Role, User
from portal.rules import region_due
from portal.search import search_index_update
from portal.selectors import users_with_role
from portal.services.inbox import inbox_add, inbox_close, notify
from portal.workflow import transition_apply

from .. import deadlines, policies
from ..caching import catalog_touch
from ..models import (
    TRANSITIONS,
    UPDATE_TRANSITIONS,
    Dataset,
    DatasetField,
    DatasetUpdate,
)
from ..vocab import Licence
from .fields import field_rules_check, rule_suggest

# Metadata a department edits (directly before publication, through an update after).
METADATA_FIELDS = (
    "title", "description", "keywords", "theme", "licence", "open_conditions", "spatial",
    "temporal_start", "temporal_end", "contact_name", "contact_phone", "contact_email",
)
MAX_KEYWORDS = 12
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


# --- helpers ---------------------------------------------------------------------------

def _locked(dataset: Dataset) -> Dataset:
    return (Dataset.objects.select_for_update(of=("self",))
            .select_related("resource", "publisher").get(pk=dataset.pk))


def _require(allowed: bool, message: str, target, action: str) -> None:
    if not allowed:
        raise NotPermitted(message, target=target, action=action)


def _unique_name(resource: Resource) -> str:
    base = _SLUG_UNSAFE.sub("-", (resource.code or f"dataset-{resource.pk}").lower()).strip("-")
    base = (base or f"dataset-{resource.pk}")[:90]
    name, n = base, 1
    while Dataset.objects.filter(name=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _reviewers() -> list[User]:
    return list(users_with_role(Role.CENTER_REVIEWER))


def _department_admins(department_id: int) -> list[User]:
    return list(users_with_role(Role.DATA_ADMIN, department=department_id))


def _check_openable(resource: Resource, dataset: Dataset | None = None) -> None:
    if not policies.can_open_resource(resource):
        raise ValidationFailed(
            _("目录资源“%(name)s”未注册，或开放属性为“不予开放”，不能作为开放数据发布。")
            % {"name": resource.name},
            fields={"resource": [_("只能选择已注册且开放类型为无条件开放或有条件开放的目录资源。")]},
            target=dataset, action="publish",
        )


def _items(resource: Resource) -> dict[int, DataItem]:
    return {i.pk: i for i in DataItem.objects.filter(resource=resource, retired=False)}


def _current_rules(dataset: Dataset) -> list[dict[str, Any]]:
    return [
        {"item": f.item_id, "included": f.included, "mask_rule": f.mask_rule,
         "mask_params": f.mask_params}
        for f in dataset.fields.all()
    ]


def keywords_clean(value: Any) -> list[str]:
    """Keywords as a list of distinct short strings; accepts a list or a separated string."""
    if isinstance(value, str):
        value = re.split(r"[,，;；、\s]+", value)
    words: dict[str, None] = {}
    for word in value or []:
        word = str(word).strip()
        if not word:
            continue
        if len(word) > 20:
            raise ValidationFailed(_("关键词过长"), fields={"keywords": [
                _("每个关键词不超过 20 个字：“%(word)s”。") % {"word": word}]})
        words.setdefault(word, None)
    if len(words) > MAX_KEYWORDS:
        raise ValidationFailed(_("关键词过多"), fields={"keywords": [
            _("关键词最多 %(n)s 个。") % {"n": MAX_KEYWORDS}]})
    return list(words)


def metadata_clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate metadata values with the model's own field rules; errors name the field."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in METADATA_FIELDS:
        if name not in data:
            continue
        if name == "keywords":
            try:
                cleaned[name] = keywords_clean(data[name])
            except ValidationFailed as exc:
                errors.update(exc.fields)
            continue
        field = Dataset._meta.get_field(name)
        value = data[name]
        if value in (None, "") and field.null:
            cleaned[name] = None
            continue
        try:
            cleaned[name] = field.clean(value if value is not None else "", None)
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages]
    start, end = cleaned.get("temporal_start"), cleaned.get("temporal_end")
    if start and end and start > end:
        errors["temporal_end"] = [_("时间范围的结束日期不能早于开始日期。")]
    if errors:
        raise ValidationFailed(_("数据集信息填写有误，请按提示修改。"), fields=errors)
    return cleaned


def _as_json(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in cleaned.items()}


def _fields_write(dataset: Dataset, rules: Iterable[Mapping[str, Any]],
                  items: Mapping[int, DataItem]) -> None:
    """Replace the dataset's field rows with ``rules`` (one save per row, for history)."""
    existing = {f.item_id: f for f in dataset.fields.all()}
    wanted = set()
    for position, rule in enumerate(rules):
        item = items[int(rule["item"])]
        wanted.add(item.pk)
        row = existing.get(item.pk) or DatasetField(dataset=dataset, item=item)
        values = {
            "position": position, "column": item.field_name or f"item_{item.pk}",
            "title": item.name, "included": bool(rule.get("included")),
            "mask_rule": rule.get("mask_rule") or "",
            "mask_params": dict(rule.get("mask_params") or {}) if rule.get("mask_rule") else {},
        }
        if row.pk is None or any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
    for item_id, row in existing.items():
        if item_id not in wanted:
            row.delete()


def _schedule_generation(dataset: Dataset) -> None:
    from ..tasks import dataset_data_generate

    now = timezone.now()
    Dataset.objects.filter(pk=dataset.pk).update(data_status=Dataset.DataStatus.PENDING,
                                                 data_requested_at=now)
    dataset.data_status, dataset.data_requested_at = Dataset.DataStatus.PENDING, now
    dataset_data_generate.delay_on_commit(dataset.pk)


def _manage_url(dataset: Dataset) -> str:
    return reverse("opendata:manage_dataset", args=[dataset.pk])


# --- creating and editing ----------------------------------------------------------------

@transaction.atomic
def dataset_create(*, actor: User, resource: Resource) -> Dataset:
    """Start an open dataset from a registered, open catalog entry of the actor's department.

    Metadata and contacts come from the entry; every item gets a field row, sensitive
    items with a suggested masking rule.
    """
    _require(policies.can_prepare_dataset(actor, resource.provider_id),
             _("只能为本部门的目录资源建立开放数据集。"), resource, "create")
    resource = (Resource.objects.select_for_update(of=("self",))
                .select_related("provider__region").get(pk=resource.pk))
    _check_openable(resource)
    if Dataset.objects.filter(resource=resource).exists():
        raise Conflict(_("该目录资源已建立开放数据集，请在原数据集上修改。"), target=resource,
                       action="create")
    conditional = resource.open_type == OpenType.CONDITIONAL
    dataset = Dataset.objects.create(
        name=_unique_name(resource), resource=resource, publisher=resource.provider,
        title=resource.name, description=resource.summary,
        theme=resource.theme or Theme.OTHER,
        licence=Licence.GOV_CONDITIONAL if conditional else Licence.GOV_OPEN,
        open_type=resource.open_type, open_conditions=resource.open_conditions,
        update_cycle=resource.update_cycle,
        spatial=resource.locality or resource.provider.region.name,
        contact_name=resource.contact_name, contact_phone=resource.contact_phone,
        contact_email=resource.contact_email, created_by=actor,
    )
    for position, item in enumerate(_items(resource).values()):
        rule, params = rule_suggest(item)
        DatasetField.objects.create(
            dataset=dataset, item=item, position=position,
            column=item.field_name or f"item_{item.pk}", title=item.name, included=True,
            mask_rule=rule, mask_params=params,
        )
    search_index_update([dataset])
    return dataset


@transaction.atomic
def dataset_edit(*, actor: User, dataset: Dataset, data: Mapping[str, Any]) -> Dataset:
    """Change the metadata of a dataset not yet published (or withdrawn)."""
    dataset = _locked(dataset)
    _require(policies.can_edit_dataset(actor, dataset),
             _("当前状态下不能修改该数据集；已发布的数据集请提出更新。"), dataset, "edit")
    for name, value in metadata_clean(data).items():
        setattr(dataset, name, value)
    dataset.save()
    search_index_update([dataset])
    return dataset


@transaction.atomic
def dataset_fields_set(*, actor: User, dataset: Dataset,
                       rules: Iterable[Mapping[str, Any]]) -> Dataset:
    """Choose the opened items and their masking rules (O3)."""
    dataset = _locked(dataset)
    _require(policies.can_edit_dataset(actor, dataset),
             _("当前状态下不能修改开放字段；已发布的数据集请提出更新。"), dataset, "fields")
    rules = list(rules)
    items = _items(dataset.resource)
    field_rules_check(rules, items)
    _fields_write(dataset, rules, items)
    search_index_update([dataset])
    return dataset


# --- the workflow -----------------------------------------------------------------------

def _check_ready(dataset: Dataset) -> None:
    from ..data import current_source_version

    _check_openable(dataset.resource, dataset)
    field_rules_check(_current_rules(dataset), _items(dataset.resource))
    if current_source_version(dataset.resource) is None:
        raise ValidationFailed(
            _("目录资源“%(name)s”还没有可用的数据版本，请先在共享交换中上传数据后再提交。")
            % {"name": dataset.resource.name}, fields={"data": [_("缺少数据版本。")]},
            target=dataset, action="propose")


@transaction.atomic
def dataset_propose(*, actor: User, dataset: Dataset, comment: str = "") -> Dataset:
    """The department's data administrator submits the dataset to the center (O2)."""
    dataset = _locked(dataset)
    _require(policies.can_propose_dataset(actor, dataset),
             _("只有本部门的数据管理员可以提交开放数据集。"), dataset, "propose")
    # The entry's open type is authoritative and may have changed since the draft.
    dataset.open_type = dataset.resource.open_type
    _check_ready(dataset)
    proposal = transition_apply(obj=dataset, table=TRANSITIONS, action="propose", actor=actor,
                                comment=comment, save=False)
    dataset.proposed_at = timezone.now()
    due_on, rule = region_due(dataset.publisher.region_id, "opendata.review")
    deadline_start(kind=deadlines.DATASET, obj=dataset, due_on=due_on, rule=rule)
    dataset.save()
    inbox_close(key=f"{_task_key(dataset)}:returned", every_round=True)
    inbox_add(users=_reviewers(), key=f"{_task_key(dataset)}:review:{proposal.pk}",
              title=_("开放数据发布审核：%(title)s") % {"title": dataset.title},
              url=reverse("opendata:manage_review", args=[dataset.pk]),
              due_on=dataset.review_due_on, target=dataset)
    return dataset


@transaction.atomic
def dataset_recall(*, actor: User, dataset: Dataset) -> Dataset:
    dataset = _locked(dataset)
    _require(policies.can_propose_dataset(actor, dataset),
             _("只有本部门的数据管理员可以撤回申请。"), dataset, "recall")
    transition_apply(obj=dataset, table=TRANSITIONS, action="recall", actor=actor)
    inbox_close(key=f"{_task_key(dataset)}:review", every_round=True)
    return dataset


@transaction.atomic
def dataset_approve(*, actor: User, dataset: Dataset, comment: str = "") -> Dataset:
    """The center approves: the dataset is published and its data generated (O2, O3)."""
    dataset = _locked(dataset)
    _require(policies.can_review_dataset(actor, dataset),
             _("只有信息中心审核员可以审核开放数据。"), dataset, "approve")
    dataset.open_type = dataset.resource.open_type
    _check_ready(dataset)
    transition_apply(obj=dataset, table=TRANSITIONS, action="approve", actor=actor,
                     comment=comment, save=False)
    now = timezone.now()
    dataset.review_comment = comment
    dataset.first_published_at = dataset.first_published_at or now
    dataset.published_at = dataset.modified_at = now
    dataset.withdrawn_at, dataset.withdraw_reason = None, ""
    dataset.save()
    search_index_update([dataset])
    _schedule_generation(dataset)
    inbox_close(key=f"{_task_key(dataset)}:review", every_round=True)
    notify(users=_department_admins(dataset.publisher_id),
           key=f"opendata:dataset:{dataset.pk}:published:{now:%Y%m%d%H%M%S}",
           title=_("开放数据集已发布：%(title)s") % {"title": dataset.title},
           url=_manage_url(dataset))
    catalog_touch()
    return dataset


@transaction.atomic
def dataset_return(*, actor: User, dataset: Dataset, comment: str) -> Dataset:
    dataset = _locked(dataset)
    _send_back(actor=actor, obj=dataset, dataset=dataset, table=TRANSITIONS, comment=comment,
               title=_("开放数据集被退回：%(title)s") % {"title": dataset.title})
    return dataset


def _send_back(*, actor: User, obj: Dataset | DatasetUpdate, dataset: Dataset, table,
               comment: str, title: str) -> None:
    """The center returns a dataset or a proposed update for changes (O2) — one rule for
    both: reviewers only, a comment required, the review task closed, and the publishing
    department's administrators given a task (one per return, closed when they propose
    again)."""
    _require(policies.can_review_dataset(actor, dataset),
             _("只有信息中心审核员可以审核开放数据。"), obj, "return")
    if not comment.strip():
        raise ValidationFailed(_("退回时必须填写审核意见。"),
                               fields={"comment": [_("请填写退回原因和修改要求。")]})
    event = transition_apply(obj=obj, table=table, action="return", actor=actor,
                             comment=comment, save=False)
    obj.review_comment = comment
    obj.save()
    key = _task_key(obj)
    inbox_close(key=f"{key}:review", every_round=True)
    inbox_add(users=_department_admins(dataset.publisher_id), key=f"{key}:returned:{event.pk}",
              title=title, url=_manage_url(dataset), target=obj)


def _task_key(obj: Dataset | DatasetUpdate) -> str:
    return f"opendata:{'update' if isinstance(obj, DatasetUpdate) else 'dataset'}:{obj.pk}"


def _withdraw(dataset: Dataset, *, actor: User | None, reason: str) -> None:
    transition_apply(obj=dataset, table=TRANSITIONS, action="withdraw", actor=actor,
                     comment=reason, save=False)
    dataset.withdrawn_at = timezone.now()
    dataset.withdraw_reason = reason
    dataset.save()
    catalog_touch()


@transaction.atomic
def dataset_withdraw(*, actor: User, dataset: Dataset, reason: str) -> Dataset:
    """Take a published dataset offline; the reason is shown publicly (O2)."""
    dataset = _locked(dataset)
    _require(policies.can_withdraw_dataset(actor, dataset),
             _("只有本部门数据管理员或信息中心可以下线数据集。"), dataset, "withdraw")
    if not reason.strip():
        raise ValidationFailed(_("下线时必须填写原因。"),
                               fields={"reason": [_("请填写下线原因，该原因将向社会公开。")]})
    _withdraw(dataset, actor=actor, reason=reason.strip())
    notify(users=_department_admins(dataset.publisher_id) + _reviewers(),
           key=f"opendata:dataset:{dataset.pk}:withdrawn:{dataset.withdrawn_at:%Y%m%d%H%M%S}",
           title=_("开放数据集已下线：%(title)s") % {"title": dataset.title},
           body=reason, url=_manage_url(dataset))
    return dataset


@transaction.atomic
def datasets_withdraw_unopenable() -> int:
    """Take offline every published dataset whose catalog entry is no longer open (O1).

    One indexed query finds them; each is withdrawn with a public reason and the
    department is told. Returns how many were withdrawn.
    """
    closed = (Dataset.objects.select_for_update(of=("self",)).select_related("resource")
              .filter(status=Dataset.Status.PUBLISHED)
              .exclude(resource__status=Resource.Status.REGISTERED, resource__is_open=True,
                       resource__open_type__in=[OpenType.UNCONDITIONAL, OpenType.CONDITIONAL]))
    count = 0
    for dataset in closed:
        reason = _("对应的目录资源已撤销或调整为不予开放，数据集自动下线。")
        _withdraw(dataset, actor=None, reason=reason)
        notify(users=_department_admins(dataset.publisher_id),
               key=f"opendata:dataset:{dataset.pk}:auto-withdrawn:{dataset.withdrawn_at:%Y%m%d}",
               title=_("开放数据集已自动下线：%(title)s") % {"title": dataset.title},
               body=reason, url=_manage_url(dataset))
        count += 1
    return count


@transaction.atomic
def datasets_open_type_sync() -> int:
    """Follow the catalog when an open entry's open type changes (e.g. to conditional)."""
    changed = 0
    for dataset in (Dataset.objects.select_for_update(of=("self",)).select_related("resource")
                    .filter(status=Dataset.Status.PUBLISHED,
                            resource__open_type__in=[OpenType.UNCONDITIONAL,
                                                     OpenType.CONDITIONAL])
                    .exclude(open_type=F("resource__open_type"))):
        dataset.open_type = dataset.resource.open_type
        dataset.modified_at = timezone.now()
        dataset.save()
        changed += 1
    if changed:
        catalog_touch()
    return changed


@transaction.atomic
def dataset_regenerate(*, actor: User, dataset: Dataset) -> Dataset:
    """Generate the published data again from the current version (e.g. after a failure)."""
    dataset = _locked(dataset)
    _require(policies.can_withdraw_dataset(actor, dataset),
             _("只有本部门数据管理员或信息中心可以重新生成数据。"), dataset, "regenerate")
    if dataset.status != Dataset.Status.PUBLISHED:
        raise Conflict(_("只有已发布的数据集需要生成开放数据。"), target=dataset,
                       action="regenerate")
    _schedule_generation(dataset)
    return dataset


# --- updates of published datasets --------------------------------------------------------

def _locked_update(update: DatasetUpdate) -> DatasetUpdate:
    return DatasetUpdate.objects.select_for_update(of=("self",)).select_related(
        "dataset__resource", "dataset__publisher").get(pk=update.pk)


@transaction.atomic
def update_start(*, actor: User, dataset: Dataset) -> DatasetUpdate:
    """Open a change of a published dataset, starting from its current state."""
    dataset = _locked(dataset)
    _require(policies.can_prepare_dataset(actor, dataset.publisher_id),
             _("只能更新本部门的数据集。"), dataset, "update")
    if dataset.status != Dataset.Status.PUBLISHED:
        raise Conflict(_("只有已发布的数据集需要通过“更新”修改；未发布的可直接编辑。"),
                       target=dataset, action="update")
    existing = dataset.updates.filter(status__in=[DatasetUpdate.Status.DRAFT,
                                                  DatasetUpdate.Status.PROPOSED,
                                                  DatasetUpdate.Status.RETURNED]).first()
    if existing is not None:
        return existing
    return DatasetUpdate.objects.create(
        dataset=dataset, summary="", created_by=actor,
        changes=_as_json({name: getattr(dataset, name) for name in METADATA_FIELDS}),
        field_rules=_current_rules(dataset),
    )


@transaction.atomic
def update_edit(*, actor: User, update: DatasetUpdate, summary: str,
                changes: Mapping[str, Any] | None = None,
                field_rules: Iterable[Mapping[str, Any]] | None = None) -> DatasetUpdate:
    update = _locked_update(update)
    _require(policies.can_edit_update(actor, update), _("当前状态下不能修改该更新。"), update,
             "edit")
    if changes is not None:
        update.changes = _as_json(metadata_clean({**update.changes, **changes}))
    if field_rules is not None:
        rules = [dict(r) for r in field_rules]
        field_rules_check(rules, _items(update.dataset.resource))
        update.field_rules = rules
    update.summary = summary.strip()[:300]
    update.save()
    return update


@transaction.atomic
def update_propose(*, actor: User, update: DatasetUpdate) -> DatasetUpdate:
    update = _locked_update(update)
    _require(policies.can_propose_dataset(actor, update.dataset),
             _("只有本部门的数据管理员可以提交更新。"), update, "propose")
    if not update.summary:
        raise ValidationFailed(_("请填写更新说明。"), fields={"summary": [_("请说明本次更新的内容。")]})
    metadata_clean(update.changes)
    field_rules_check(update.field_rules, _items(update.dataset.resource))
    proposal = transition_apply(obj=update, table=UPDATE_TRANSITIONS, action="propose",
                                actor=actor, save=False)
    due_on, rule = region_due(update.dataset.publisher.region_id, "opendata.review")
    deadline_start(kind=deadlines.UPDATE, obj=update, due_on=due_on, rule=rule)
    update.save()
    inbox_close(key=f"{_task_key(update)}:returned", every_round=True)
    inbox_add(users=_reviewers(), key=f"{_task_key(update)}:review:{proposal.pk}",
              title=_("开放数据更新审核：%(title)s") % {"title": update.dataset.title},
              url=reverse("opendata:manage_update_review", args=[update.pk]),
              due_on=update.review_due_on, target=update)
    return update


@transaction.atomic
def update_approve(*, actor: User, update: DatasetUpdate, comment: str = "") -> DatasetUpdate:
    """Apply the change to the published dataset; regenerate the data if rules changed."""
    update = _locked_update(update)
    dataset = _locked(update.dataset)
    _require(policies.can_review_dataset(actor, dataset),
             _("只有信息中心审核员可以审核开放数据。"), update, "approve")
    _check_openable(dataset.resource, dataset)
    items = _items(dataset.resource)
    field_rules_check(update.field_rules, items)
    cleaned = metadata_clean(update.changes)
    transition_apply(obj=update, table=UPDATE_TRANSITIONS, action="approve", actor=actor,
                     comment=comment, save=False)
    update.review_comment = comment
    update.applied_at = timezone.now()
    update.save()
    rules_changed = _current_rules(dataset) != [
        {"item": int(r["item"]), "included": bool(r.get("included")),
         "mask_rule": r.get("mask_rule") or "",
         "mask_params": dict(r.get("mask_params") or {}) if r.get("mask_rule") else {}}
        for r in update.field_rules
    ]
    for name, value in cleaned.items():
        setattr(dataset, name, value)
    dataset.modified_at = update.applied_at
    dataset.save()
    if rules_changed:
        _fields_write(dataset, update.field_rules, items)
        _schedule_generation(dataset)
    search_index_update([dataset])
    inbox_close(key=f"{_task_key(update)}:review", every_round=True)
    notify(users=_department_admins(dataset.publisher_id),
           key=f"opendata:update:{update.pk}:applied",
           title=_("开放数据集更新已生效：%(title)s") % {"title": dataset.title},
           url=_manage_url(dataset))
    catalog_touch()
    return update


@transaction.atomic
def update_return(*, actor: User, update: DatasetUpdate, comment: str) -> DatasetUpdate:
    update = _locked_update(update)
    _send_back(actor=actor, obj=update, dataset=update.dataset, table=UPDATE_TRANSITIONS,
               comment=comment,
               title=_("开放数据集更新被退回：%(title)s") % {"title": update.dataset.title})
    return update


@transaction.atomic
def update_cancel(*, actor: User, update: DatasetUpdate) -> DatasetUpdate:
    update = _locked_update(update)
    _require(policies.can_prepare_dataset(actor, update.dataset.publisher_id),
             _("只能取消本部门的更新。"), update, "cancel")
    transition_apply(obj=update, table=UPDATE_TRANSITIONS, action="cancel", actor=actor)
    inbox_close(key=f"{_task_key(update)}:review", every_round=True)
    return update


# --- usage counters ------------------------------------------------------------------------

def dataset_count(*, dataset: Dataset, field: str) -> None:
    """Add one view, download or API call (a single UPDATE, no history row)."""
    if field not in ("view_count", "download_count", "api_call_count"):
        raise ValueError(field)
    Dataset.objects.filter(pk=dataset.pk).update(**{field: F(field) + 1})
