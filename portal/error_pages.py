"""The site's error answers (400, 403, 404, 500 and a failed CSRF check): Chinese pages for
people, JSON for the API, CKAN's envelope for the CKAN API. Wired as Django's ``handler*``
in ``portal.urls`` and as ``CSRF_FAILURE_VIEW``.

The 500 page is self-contained (no template inheritance, no context, no static files) so
that it renders even when what failed is the database or the template machinery itself.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
CKAN_PREFIXES = ("/api/3/", "/api/action/")


def wants_json(request) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(request, status: int, detail: str, code: str) -> JsonResponse:
    if request.path.startswith(CKAN_PREFIXES):
        kind = {400: "Bad request", 403: "Authorization Error", 404: "Not Found Error",
                413: "Bad request", 500: "Internal Server Error"}.get(status, "Error")
        body = {"success": False, "error": {"__type": kind, "message": detail}}
    else:
        body = {"detail": detail, "code": code}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def too_large_message() -> str:
    return _("请求内容超过 %(mb)d MB 的上限，请减少数据量或改为上传文件。") % {
        "mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)}


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        status, detail, code = 413, too_large_message(), "too_large"
    else:
        status, detail, code = 400, _("请求无法处理，请检查填写的内容后重试。"), "bad_request"
    if wants_json(request):
        return json_error(request, status, detail, code)
    return render(request, "400.html", {"detail": detail}, status=status)


def control_character_refused(request):
    """400 for a request carrying a NUL character (``ControlCharacterGuardMiddleware``)."""
    detail = _("请求中含有不允许的控制字符（如 NUL），请检查填写的内容后重试。")
    if wants_json(request):
        return json_error(request, 400, detail, "control_character")
    return render(request, "400.html", {"detail": detail}, status=400)


def permission_denied(request, exception=None):
    detail = _("您没有执行此操作的权限。")
    if wants_json(request):
        return json_error(request, 403, detail, "permission_denied")
    return render(request, "403.html", {"detail": detail}, status=403)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token: most often a page left open past the session
    or a form opened in another browser. Django's own page is English and technical."""
    detail = _("页面已过期或来源无法验证，请刷新页面后重新提交。")
    if wants_json(request):
        return json_error(request, 403, detail, "csrf_failed")
    return render(request, "403.html", {"detail": detail}, status=403)


def page_not_found(request, exception=None):
    detail = _("页面不存在，或您无权查看。")
    if wants_json(request):
        return json_error(request, 404, _("未找到。"), "not_found")
    return render(request, "404.html", {"detail": detail}, status=404)


def server_error(request):
    if wants_json(request):
        return json_error(request, 500, _("服务器内部错误，已记录，请稍后重试。"), "server_error")
    return HttpResponse(loader.get_template("500.html").render(), status=500)
