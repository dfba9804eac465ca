"""OpenAPI: the error answers every operation can give, described once (API.md).

The exception handler maps every refusal the same way on every route, so the schema says
so the same way: a postprocessing hook adds to each operation the error statuses it can
answer with — 400 (bad input; field errors keyed by field), 401/403 (not signed in, not
allowed), 404 (not visible), 409 (state does not allow the action), 413 (body too large),
429 (throttled) and 503 (data temporarily unavailable) — with the shared ``Error`` body,
or CKAN's error envelope on the CKAN API. Statuses an operation documents itself are
left as they are.
"""

from __future__ import annotations

ERROR = {
    "type": "object",
    "description": "`detail` says what went wrong in words a clerk understands; input "
                   "errors add one list of messages per field.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": True,
}
CKAN_ERROR = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "help": {"type": "string"},
        "success": {"type": "boolean", "enum": [False]},
        "error": {"type": "object", "properties": {"__type": {"type": "string"},
                                                   "message": {"type": "string"}},
                  "additionalProperties": True},
    },
}
DESCRIPTIONS = {
    "400": "输入有误（字段错误按字段列出）",
    "401": "未登录或令牌无效",
    "403": "无权执行此操作",
    "404": "不存在或无权查看",
    "405": "不支持的请求方法",
    "409": "当前状态不允许此操作",
    "413": "请求内容过大",
    "415": "不支持的内容类型",
    "429": "请求过于频繁",
    "503": "数据暂时不可用",
}
READ = ("400", "401", "403", "404", "405", "429", "503")
WRITE = (*READ, "409", "413", "415")
# CKAN answers validation and search errors with 409, reads included.
CKAN = WRITE


def error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS``)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("CkanError", CKAN_ERROR)
    for path, item in result.get("paths", {}).items():
        ckan = path.startswith(("/api/3/", "/api/action/"))
        ref = "#/components/schemas/" + ("CkanError" if ckan else "Error")
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status in (CKAN if ckan else READ if method == "get" else WRITE):
                responses.setdefault(status, {
                    "description": DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": {"$ref": ref}}}})
    return result
