"""Registering, reviewing and enabling data services (S9 服务接口).

Every change goes through here: keyword-only, atomic, row-locked, checking its own
policy; workflow steps through ``portal.workflow.transition_apply`` (event row, history).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import DataItem, Resource
from portal.errors import NotPermitted, ValidationFailed
from portal.models import User
from portal.secrets import secret_encrypt
from portal.workflow import transition_apply

from ..conf import gateway_setting
from ..models import SERVICE_TRANSITIONS, DataService, ServiceOperation
from .openapi_import import Candidate
from .policies import can_manage_service, can_review_service

EDITABLE = (DataService.Status.DRAFT, DataService.Status.RETURNED)


def _check_manage(actor: User, resource: Resource) -> None:
    if not can_manage_service(actor, resource):
        raise NotPermitted(_("只有提供部门的数据管理员可以登记和修改该资源的数据服务接口。"),
                           target=resource, action="service_edit")


def _validate_service(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    url = str(data.get("base_url") or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors["base_url"] = [_("请填写以 http:// 或 https:// 开头的接口地址。")]
    place = data.get("credential_place") or DataService.CredentialPlace.NONE
    if place not in DataService.CredentialPlace.values:
        errors["credential_place"] = [_("请选择凭据位置。")]
    elif place != DataService.CredentialPlace.NONE and not str(
            data.get("credential_name") or "").strip():
        errors["credential_name"] = [_("请填写凭据的请求头或参数名称。")]
    timeout = data.get("timeout_ms")
    max_timeout = int(gateway_setting("TIMEOUT_MAX_MS"))
    if not isinstance(timeout, int) or not 100 <= timeout <= max_timeout:
        errors["timeout_ms"] = [_("超时应在 100 到 %(max)d 毫秒之间。") % {"max": max_timeout}]
    size = data.get("max_answer_bytes")
    max_size = int(gateway_setting("ANSWER_MAX_BYTES"))
    if not isinstance(size, int) or not 1024 <= size <= max_size:
        errors["max_answer_bytes"] = [_("应答上限应在 1 KB 到 %(mb)d MB 之间。")
                                      % {"mb": max_size // 1024 // 1024}]
    return errors


@transaction.atomic
def service_save(*, actor: User, resource: Resource, data: dict[str, Any],
                 secret: str | None = None) -> DataService:
    """Create or change the resource's service (while a draft or returned).

    ``secret``: a new credential (encrypted before it is stored; never shown again);
    ``None`` keeps the stored one, ``""`` clears it.
    """
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    _check_manage(actor, resource)
    service = DataService.objects.select_for_update().filter(resource=resource).first()
    if service is not None and service.status not in EDITABLE:
        raise ValidationFailed(_("已提交或已启用的数据服务不能直接修改，请先“修改后重新提交”。"),
                               fields={"status": [_("当前状态不能修改。")]})
    errors = _validate_service(data)
    place = data.get("credential_place") or DataService.CredentialPlace.NONE
    has_secret = secret if secret is not None else (service.credential_secret if service else "")
    if place != DataService.CredentialPlace.NONE and not has_secret:
        errors.setdefault("secret", []).append(_("请填写上游接口的凭据。"))
    if errors:
        raise ValidationFailed(_("数据服务信息有误，请按提示修改。"), fields=errors)
    service = service or DataService(resource=resource, created_by=actor)
    service.base_url = data["base_url"].strip()
    service.credential_place = place
    service.credential_name = str(data.get("credential_name") or "").strip() \
        if place != DataService.CredentialPlace.NONE else ""
    service.timeout_ms = data["timeout_ms"]
    service.max_answer_bytes = data["max_answer_bytes"]
    service.description = str(data.get("description") or "")
    if place == DataService.CredentialPlace.NONE:
        service.credential_secret = ""
    elif secret:
        service.credential_secret = secret_encrypt(secret)
    service.save()
    return service


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _clean_operation(service: DataService, data: dict[str, Any],
                     exclude_pk: int | None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    items = set(DataItem.objects.filter(resource=service.resource, retired=False)
                .values_list("pk", flat=True))
    keys = set(DataItem.objects.filter(resource=service.resource, retired=False, is_key=True)
               .values_list("pk", flat=True))
    name = str(data.get("name") or "").strip()
    op = ServiceOperation(service=service, name=name, label=str(data.get("label") or name),
                          method=data.get("method") or "GET", path=str(data.get("path") or ""))
    try:
        op.full_clean(exclude=["service", "params", "field_map", "records_path", "position"])
    except Exception as exc:  # django ValidationError with message_dict
        errors.update({k: [str(m) for m in v] for k, v in getattr(exc, "message_dict", {}).items()})
    if name and ServiceOperation.objects.filter(service=service, name=name).exclude(
            pk=exclude_pk).exists():
        errors["name"] = [_("该接口已有同名操作。")]
    if not op.path.startswith("/"):
        errors.setdefault("path", []).append(_("路径应以 / 开头。"))
    params = []
    for index, raw in enumerate(data.get("params") or []):
        pname = str(raw.get("name") or "").strip()
        if not pname or pname == "purpose":
            errors.setdefault("params", []).append(_("第 %(n)d 个参数缺少名称（purpose 为保留名）。")
                                                  % {"n": index + 1})
            continue
        item = _int_or_none(raw.get("item"))
        if raw.get("item") not in (None, "") and item not in keys:
            errors.setdefault("params", []).append(
                _("参数“%(name)s”只能按本资源可作查询条件的信息项筛选。") % {"name": pname})
        location = raw.get("in") or "query"
        if location not in ("query", "path"):
            errors.setdefault("params", []).append(_("参数位置只能是 query 或 path。"))
        if location == "path" and "{" + pname + "}" not in op.path:
            errors.setdefault("params", []).append(
                _("路径参数“%(name)s”未出现在路径中。") % {"name": pname})
        params.append({"name": pname, "in": location, "item": item,
                       "required": bool(raw.get("required")) or location == "path",
                       "description": str(raw.get("description") or "")[:200]})
    field_map = {}
    for answer_field, item in (data.get("field_map") or {}).items():
        if not str(answer_field).strip() or item in (None, ""):
            continue
        item = _int_or_none(item)
        if item not in items:
            errors.setdefault("field_map", []).append(
                _("字段“%(f)s”映射到的信息项不属于本资源。") % {"f": answer_field})
            continue
        if item in field_map.values():
            errors.setdefault("field_map", []).append(
                _("一个信息项只能对应一个应答字段（字段“%(f)s”重复）。") % {"f": answer_field})
            continue
        field_map[str(answer_field).strip()] = item
    if not field_map:
        errors.setdefault("field_map", []).append(_("请至少把一个应答字段映射到信息项。"))
    clean = {"name": name, "label": op.label, "method": op.method, "path": op.path,
             "params": params, "records_path": str(data.get("records_path") or "").strip(),
             "field_map": field_map}
    return clean, errors


@transaction.atomic
def operation_save(*, actor: User, service: DataService, data: dict[str, Any],
                   operation: ServiceOperation | None = None) -> ServiceOperation:
    service = DataService.objects.select_for_update().select_related("resource").get(pk=service.pk)
    _check_manage(actor, service.resource)
    if service.status not in EDITABLE:
        raise ValidationFailed(_("已提交或已启用的数据服务不能直接修改，请先“修改后重新提交”。"))
    clean, errors = _clean_operation(service, data, operation.pk if operation else None)
    if errors:
        raise ValidationFailed(_("操作信息有误，请按提示修改。"), fields=errors)
    if operation is None:
        operation = ServiceOperation(service=service,
                                     position=service.operations.count())
    for key, value in clean.items():
        setattr(operation, key, value)
    operation.save()
    return operation


@transaction.atomic
def operation_delete(*, actor: User, operation: ServiceOperation) -> None:
    service = DataService.objects.select_for_update().select_related("resource").get(
        pk=operation.service_id)
    _check_manage(actor, service.resource)
    if service.status not in EDITABLE:
        raise ValidationFailed(_("已提交或已启用的数据服务不能直接修改，请先“修改后重新提交”。"))
    operation.delete()


def _step(*, actor: User, service: DataService, action: str, comment: str = "",
          allowed: bool) -> DataService:
    if not allowed:
        raise NotPermitted(_("无权对该数据服务执行此操作。"), target=service, action=action)
    transition_apply(obj=service, table=SERVICE_TRANSITIONS, action=action, actor=actor,
                     comment=comment)
    return service


def _locked(service: DataService) -> DataService:
    return DataService.objects.select_for_update().select_related("resource").get(pk=service.pk)


@transaction.atomic
def service_submit(*, actor: User, service: DataService, comment: str = "") -> DataService:
    service = _locked(service)
    if not service.operations.exists():
        raise ValidationFailed(_("请至少登记一个操作后再提交审核。"),
                               fields={"operations": [_("请至少登记一个操作。")]})
    return _step(actor=actor, service=service, action="submit", comment=comment,
                 allowed=can_manage_service(actor, service.resource))


@transaction.atomic
def service_return(*, actor: User, service: DataService, comment: str) -> DataService:
    if not comment.strip():
        raise ValidationFailed(_("退回时请写明原因。"), fields={"comment": [_("请写明退回原因。")]})
    service = _locked(service)
    service.review_comment = comment
    return _step(actor=actor, service=service, action="return", comment=comment,
                 allowed=can_review_service(actor, service))


@transaction.atomic
def service_enable(*, actor: User, service: DataService, comment: str = "") -> DataService:
    service = _locked(service)
    service.review_comment = comment
    return _step(actor=actor, service=service, action="enable", comment=comment,
                 allowed=can_review_service(actor, service))


@transaction.atomic
def service_suspend(*, actor: User, service: DataService, comment: str) -> DataService:
    if not comment.strip():
        raise ValidationFailed(_("停用时请写明原因。"), fields={"comment": [_("请写明停用原因。")]})
    service = _locked(service)
    return _step(actor=actor, service=service, action="suspend", comment=comment,
                 allowed=can_review_service(actor, service))


@transaction.atomic
def service_revise(*, actor: User, service: DataService, comment: str = "") -> DataService:
    """Back to a draft to change it (consumers lose access until it is enabled again)."""
    service = _locked(service)
    return _step(actor=actor, service=service, action="revise", comment=comment,
                 allowed=can_manage_service(actor, service.resource))


@dataclass(frozen=True)
class ImportResult:
    name: str
    ok: bool
    messages: tuple[str, ...] = ()


def operation_import(*, actor: User, service: DataService,
                     candidates: list[Candidate]) -> list[ImportResult]:
    """Create (or update, by name) the chosen operations of an OpenAPI document, each in
    its own transaction: one that cannot be saved (e.g. no field matches an item) is
    reported with the reasons and the others are kept."""
    results = []
    for candidate in candidates:
        existing = ServiceOperation.objects.filter(service=service, name=candidate.name).first()
        try:
            operation_save(actor=actor, service=service, operation=existing,
                           data=candidate.operation_data(service.resource))
        except ValidationFailed as exc:
            messages = [str(m) for errors in exc.fields.values() for m in errors]
            results.append(ImportResult(candidate.name, False, tuple(messages or [exc.message])))
            continue
        results.append(ImportResult(candidate.name, True))
    return results
