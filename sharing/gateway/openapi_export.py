"""The gateway's OpenAPI 3 description: one path per enabled service operation."""

from typing import Any

from django.utils.translation import gettext as _

from .selectors import services_enabled


def gateway_openapi(*, base_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for service in services_enabled().prefetch_related("operations", "resource__items"):
        resource = service.resource
        items = {i.pk: i for i in resource.items.all()}
        for op in service.operations.all():
            parameters = [{
                "name": p["name"], "in": "query", "required": bool(p.get("required")),
                "description": p.get("description") or (
                    _("按信息项“%(item)s”查询") % {"item": items[p["item"]].name}
                    if p.get("item") in items else ""),
                "schema": {"type": "string"},
            } for p in op.params or []]
            parameters.append({"name": "purpose", "in": "query", "required": False,
                               "description": _("使用哪一用途的共享授权"),
                               "schema": {"type": "string"}})
            mapped = set((op.field_map or {}).values())
            fields = {item.name: {"type": "string"} for pk, item in items.items()
                      if pk in mapped}
            paths[f"/api/v1/services/{resource.code}/{op.name}/"] = {"get": {
                "operationId": f"{resource.code}.{op.name}",
                "summary": f"{resource.name} · {op.label}",
                "description": _("提供部门：%(dept)s。只返回获授权的信息项，须脱敏的信息项按规则脱敏。")
                % {"dept": resource.provider.name},
                "tags": [resource.name],
                "security": [{"tokenAuth": []}],
                "parameters": parameters,
                "responses": {
                    "200": {"description": _("调用成功"), "content": {"application/json": {
                        "schema": {"type": "object", "properties": {
                            "resource": {"type": "string"}, "operation": {"type": "string"},
                            "columns": {"type": "array", "items": {"type": "string"}},
                            "masked": {"type": "array", "items": {"type": "string"}},
                            "count": {"type": "integer"},
                            "results": {"type": "array", "items": {
                                "type": "object", "properties": fields}}}}}}},
                    "400": {"description": _("参数有误")},
                    "401": {"description": _("未提供或无效的系统令牌")},
                    "403": {"description": _("没有有效的共享授权，或按未获授权的信息项查询")},
                    "404": {"description": _("没有该接口或尚未启用")},
                    "429": {"description": _("调用过于频繁（见 Retry-After）")},
                    "502": {"description": _("上游接口出错、应答不是 JSON 或超过大小上限")},
                    "503": {"description": _("接口因连续失败暂停转发")},
                    "504": {"description": _("上游接口超时")},
                },
            }}
    return {
        "openapi": "3.0.3",
        "info": {"title": _("公共信息资源管理平台 · 数据服务接口网关"), "version": "1"},
        "servers": [{"url": base_url}],
        "components": {"securitySchemes": {"tokenAuth": {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "Token <系统令牌>"}}},
        "paths": paths,
    }
