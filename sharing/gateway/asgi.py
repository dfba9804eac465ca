"""The lean ASGI entry for gateway calls.

Production serves the portal with ASGI (``portal.asgi``); requests for
``/api/v1/services/<code>/<operation>/`` go straight here instead of through Django's
middleware stack and URL resolver, most of whose middleware is synchronous and would
cost a thread switch each per call. Nothing is skipped that a token-authenticated JSON
call needs: the call authenticates, decides, limits and logs in ``gateway_call`` exactly
as the Django view does, and what the middleware would add is done here: the request id
(``X-Request-ID``, taken or made, in every log record of the call and in the answer) and
the Prometheus metrics (``sharing.gateway.metrics``).
"""

import json
import re
import time
import uuid
from urllib.parse import parse_qsl, unquote

from django.utils import translation
from django.utils.translation import gettext as _

from portal.logs import VALID_REQUEST_ID, request_id

from .calls import gateway_call
from .metrics import call_observe

CONTENT_TYPE = b"application/json; charset=utf-8"
PATH = re.compile(r"^/api/v1/services/(?P<code>[^/]+)/(?P<operation>[^/]+)/$")


def matches(path: str) -> bool:
    return PATH.match(path) is not None


async def gateway_app(scope, receive, send) -> None:
    started = time.perf_counter()
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    given = headers.get("x-request-id", "")
    rid = given if VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
    token = request_id.set(rid)
    status = 500
    try:
        status = await _serve(scope, send, headers, rid)
    finally:
        request_id.reset(token)
        code = unquote(PATH.match(scope["path"])["code"])
        call_observe(method=scope["method"], resource=code[:64], status=status,
                     seconds=time.perf_counter() - started)


async def _serve(scope, send, headers: dict[str, str], rid: str) -> int:
    match = PATH.match(scope["path"])
    query = dict(parse_qsl(scope.get("query_string", b"").decode("utf-8", "replace"),
                           keep_blank_values=True))
    client = scope.get("client")
    ident = [(b"x-request-id", rid.encode())]
    with translation.override("zh-hans"):
        if scope["method"] != "GET":
            body = json.dumps({"detail": _("只支持 GET 请求。")}, ensure_ascii=False).encode()
            await _send(send, 405, ident, body)
            return 405
        answer = await gateway_call(
            authorization=headers.get("authorization", ""), code=unquote(match["code"]),
            operation=unquote(match["operation"]), query=query,
            ip=client[0] if client else None)
    extra = [*ident, *((k.encode(), v.encode()) for k, v in answer.headers.items())]
    if answer.stream is None:
        await _send(send, answer.status, extra, answer.body)
        return answer.status
    await send({"type": "http.response.start", "status": answer.status,
                "headers": [(b"content-type", CONTENT_TYPE), *extra]})
    try:
        async for chunk in answer.stream:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        await answer.stream.aclose()  # a client gone mid-stream still gets its log entry
    return answer.status


async def _send(send, status: int, extra: list, body: bytes) -> None:
    headers = [(b"content-type", CONTENT_TYPE), (b"content-length", str(len(body)).encode()),
               *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
