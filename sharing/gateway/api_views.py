"""The gateway's REST face inside Django (WSGI development server and the test client;
production's ASGI entry, ``sharing.gateway.asgi``, calls the same ``gateway_call`` and
streams large answers).

Under WSGI each request runs in its own short-lived event loop, so a large answer cannot
be streamed after the view returns (its upstream connection belongs to that loop): the
view reads it through in the loop into a spooled temporary file (memory up to 1 MB, then
disk) and sends the file.
"""

import tempfile

from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from .calls import gateway_call
from .openapi_export import gateway_openapi
from .upstream import upstream_session_close


@csrf_exempt
@require_GET
async def service_call(request: HttpRequest, code: str, operation: str) -> HttpResponse:
    try:
        answer = await gateway_call(
            authorization=request.headers.get("Authorization", ""), code=code,
            operation=operation, query={k: request.GET.get(k) for k in request.GET},
            ip=request.META.get("REMOTE_ADDR"))
        if answer.stream is not None:
            spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
            async for chunk in answer.stream:
                spool.write(chunk)
            spool.seek(0)
            response = FileResponse(spool, status=answer.status,
                                    content_type=answer.content_type)
        else:
            response = HttpResponse(answer.body, status=answer.status,
                                    content_type=answer.content_type)
    finally:
        await upstream_session_close()
    for name, value in answer.headers.items():
        response[name] = value
    return response


@require_GET
def openapi_description(request: HttpRequest) -> JsonResponse:
    """OpenAPI 3 description of every enabled service operation of the gateway."""
    return JsonResponse(gateway_openapi(base_url=request.build_absolute_uri("/")[:-1]),
                        json_dumps_params={"ensure_ascii": False})
