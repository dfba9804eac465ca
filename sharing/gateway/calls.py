"""One gateway call, from the consumer's request to the answer (async).

``gateway_call`` is the single implementation behind both faces: the Django view (WSGI
development server, test client) and the lean ASGI entry that production routes
``/api/v1/services/<code>/<operation>/`` to (``sharing.gateway.asgi``). It

1. takes the call plan from the process cache or builds it in a worker thread (token →
   401, unknown or not enabled → 404, ``access_decide`` refusal → 403, logged);
2. forwards only the declared parameters (a filter on an ungranted item → 403, logged;
   a missing required one → 400);
3. counts the call against the token's and the grant's limits (429 + ``Retry-After``)
   and asks the service's circuit breaker (open → 503 at once, logged);
4. calls the upstream over the pooled session (``upstream``) within the service timeout;
   timeout → 504, connection failure, error status, non-JSON or oversize → 502 — never
   the upstream's own error body;
5. keeps only granted items of each record, masks them with the data plane's rules, and
   answers: small answers whole (logged before they leave), larger ones streamed record
   batch by record batch (logged when the stream ends, with the records sent).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
import ijson
from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils.translation import gettext as _
from rest_framework.exceptions import AuthenticationFailed

from dataplane.models import AccessLogEntry
from dataplane.services.accesslog import accesslog_append
from portal.models import ApiToken

from ..conf import gateway_setting
from .limits import Admission, admit, breaker_record, generation
from .logwriter import log_append
from .plans import (
    CallPlan,
    PlanNotFound,
    param_refusal,
    plan_build,
    plan_get,
    plan_known,
    plan_refresh,
)
from .upstream import credential_apply, upstream_session, upstream_session_close

logger = logging.getLogger(__name__)
RESERVED = frozenset({"purpose"})
INLINE_MASK_RECORDS = 500
CHUNK_BYTES = 64 * 1024   # the most read from the upstream at once


@dataclass
class Answer:
    """What the faces send: status, headers, and a body or an async stream of chunks."""

    status: int
    body: bytes = b""
    stream: AsyncIterator[bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return "application/json; charset=utf-8"


def _error(status: int, code: str, message: str, **headers: str) -> Answer:
    body = json.dumps({"detail": str(message), "code": code}, ensure_ascii=False).encode()
    return Answer(status=status, body=body, headers=dict(headers))


# --- database work in worker threads ----------------------------------------------------

_executor: ThreadPoolExecutor | None = None


def _db_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=int(gateway_setting("DB_THREADS")),
                                       thread_name_prefix="gateway-db")
    return _executor


def _in_thread(fn: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args, **kwargs):
        close_old_connections()  # what Django does around each request, per unit of work
        return fn(*args, **kwargs)
    return run


async def db(fn: Callable[..., Any], /, *args, **kwargs) -> Any:
    """Run ``fn`` (ORM work) in the gateway's thread pool; its connections persist there.

    ``DB_THREADS`` 0 runs it on Django's thread-sensitive path instead (the caller's own
    thread and connection under WSGI and the test client).
    """
    if int(gateway_setting("DB_THREADS")) == 0:
        return await sync_to_async(fn, thread_sensitive=True)(*args, **kwargs)
    return await sync_to_async(_in_thread(fn), thread_sensitive=False,
                               executor=_db_executor())(*args, **kwargs)


async def _log(plan: CallPlan, *, allowed: bool, parameters: dict, rows: int = 0,
               upstream_status: int | None = None, latency_ms: int | None = None,
               reason: str = "", ip: str | None = None) -> AccessLogEntry:
    fields = dict(
        user=plan.user, department=plan.department, resource=plan.resource,
        action=AccessLogEntry.Action.SERVICE, channel=AccessLogEntry.Channel.API,
        allowed=allowed, grant=plan.grant if allowed else None, token=plan.token,
        purpose=plan.purpose if allowed else "", parameters=parameters,
        items=[c.name for c in plan.columns] if allowed else [],
        masked_items=plan.masked_names if allowed else [], rows_returned=rows,
        reason=reason, ip_address=ip, upstream_status=upstream_status, latency_ms=latency_ms,
    )
    if int(gateway_setting("DB_THREADS")) == 0:
        return await db(accesslog_append, **fields)
    return await log_append(**fields)


# --- the upstream call ------------------------------------------------------------------

class UpstreamFault(Exception):
    def __init__(self, status: int, code: str, message: str, upstream_status: int | None,
                 *, counts: bool = True) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.upstream_status, self.counts = upstream_status, counts


async def _open(plan: CallPlan, forwarded: dict[str, str]) -> aiohttp.ClientResponse:
    """Send the upstream request (declared parameters only, the credential where the
    service declares it); each read of the answer is bounded by the service timeout."""
    forwarded = dict(forwarded)
    path_values = {p.name: forwarded.pop(p.name) for p in plan.params
                   if p.location == "path" and p.name in forwarded}
    url = plan.url
    for name, value in path_values.items():
        url = url.replace("{" + name + "}", quote(value, safe=""))
    headers = {"Accept": "application/json"}
    query = dict(forwarded) if plan.operation.method == "GET" else {}
    credential_apply(plan.credential, headers, query)
    body = None if plan.operation.method == "GET" else json.dumps(forwarded).encode()
    if body is not None:
        headers["Content-Type"] = "application/json"
    return await upstream_session().request(
        plan.operation.method, url, params=query or None, headers=headers, data=body,
        allow_redirects=False, timeout=aiohttp.ClientTimeout(total=None,
                                                             sock_read=plan.timeout_s))


def _records_at(answer: Any, path: str) -> list[dict]:
    node = answer
    for part in [p for p in path.split(".") if p]:
        if not isinstance(node, dict) or part not in node:
            raise UpstreamFault(502, "upstream_format",
                                _("上游接口的应答中没有登记的记录位置“%(path)s”。") % {"path": path},
                                200)
        node = node[part]
    if node is None:
        return []
    records = node if isinstance(node, list) else [node]
    if not all(isinstance(r, dict) for r in records):
        raise UpstreamFault(502, "upstream_format", _("上游接口的应答记录格式与登记的不符。"), 200)
    return records


def _shape(plan: CallPlan, records: list[dict]) -> list[dict]:
    """Granted items only, under their item names, masked by the data plane's rules."""
    return plan.masker(records)


def _head(plan: CallPlan) -> bytes:
    meta = {"resource": plan.resource.code, "operation": plan.operation.name,
            "columns": [c.name for c in plan.columns], "masked": plan.masked_names}
    return json.dumps(meta, ensure_ascii=False)[:-1].encode()


def _dumps(records: list[dict]) -> str:
    return json.dumps(records, ensure_ascii=False, default=str)


# --- the call -----------------------------------------------------------------------------

def _token_key(authorization: str) -> str | None:
    parts = authorization.split()
    if len(parts) != 2 or parts[0].lower() != "token":
        return None
    return parts[1]


async def _plan(cache_key: tuple, build) -> tuple[CallPlan, Admission | None]:
    """The call plan, and for a cached plan that allows the call its admission too.

    The plan generation is read in the same Redis round trip as the limits and the
    breaker (one round trip per call); if the generation moved, the plan is rebuilt and
    the caller asks for admission again (the call then counts twice against its limits,
    once a revocation or change — a price paid only at that moment). A plan past its TTL
    with a current generation serves while it is rebuilt in the background.
    """
    known = plan_known(cache_key)
    if known is not None and known[1].allowed:
        built_at_gen, plan, fresh = known
        admission = await admit(list(plan.limits), plan.service.pk, with_generation=True)
        if admission.generation == built_at_gen:
            if not fresh:
                plan_refresh(cache_key, built_at_gen, build)
            return plan, admission
        gen = admission.generation
    else:
        gen = await generation()
    return await plan_get(cache_key, gen, build), None


async def gateway_call(*, authorization: str, code: str, operation: str,
                       query: dict[str, str], ip: str | None) -> Answer:
    started = time.perf_counter()
    key = _token_key(authorization)
    if key is None:
        return _error(401, "not_authenticated",
                      _("请在请求头中提供系统令牌：Authorization: Token <令牌>。"),
                      **{"WWW-Authenticate": "Token"})
    supplied = dict(query)
    purpose = supplied.pop("purpose", "")
    cache_key = (ApiToken.hash_key(key), code, operation, purpose)
    try:
        plan, admission = await _plan(cache_key, lambda: db(
            plan_build, key=key, code=code, operation=operation, purpose=purpose))
    except AuthenticationFailed as exc:
        return _error(401, "authentication_failed", str(exc.detail),
                      **{"WWW-Authenticate": "Token"})
    except PlanNotFound:
        return _error(404, "not_found", _("没有该数据服务接口或操作，或尚未启用。"))

    declared = {p.name: p for p in plan.params}
    forwarded = {k: v for k, v in supplied.items() if k in declared and k not in RESERVED}
    parameters = {"operation": plan.operation.name, **{k: v[:500] for k, v in forwarded.items()}}
    if not plan.allowed:
        await _log(plan, allowed=False, parameters=parameters, reason=plan.reason, ip=ip)
        return _error(403, "permission_denied", plan.reason)
    refusal = param_refusal(plan, forwarded)
    if refusal:
        await _log(plan, allowed=False, parameters=parameters, reason=refusal, ip=ip)
        return _error(403, "permission_denied", refusal)
    missing = [p.name for p in plan.params if p.required and not forwarded.get(p.name)]
    if missing:
        body = {name: [_("请填写该参数。")] for name in missing}
        body["detail"] = _("缺少必填参数：%(names)s。") % {"names": "、".join(missing)}
        return Answer(400, json.dumps(body, ensure_ascii=False).encode())

    if admission is None:
        admission = await admit(list(plan.limits), plan.service.pk)
    if admission.retry_after is not None:
        return _error(429, "throttled",
                      _("调用过于频繁，请在 %(s)d 秒后重试。") % {"s": admission.retry_after},
                      **{"Retry-After": str(admission.retry_after)})
    if admission.breaker_open:
        message = _("该数据服务接口暂时不可用（连续调用失败，已暂停转发），请稍后再试。")
        await _log(plan, allowed=True, parameters=parameters, reason=message, ip=ip,
                 latency_ms=_ms(started))
        return _error(503, "service_unavailable", message,
                      **{"Retry-After": str(int(gateway_setting("BREAKER_OPEN_SECONDS")))})
    return await _forward(plan, forwarded, parameters, started, ip,
                          breaker_dirty=admission.breaker_dirty)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


async def _forward(plan: CallPlan, forwarded: dict[str, str], parameters: dict,
                   started: float, ip: str | None, *, breaker_dirty: bool) -> Answer:
    service_id = plan.service.pk
    max_bytes = plan.service.max_answer_bytes
    buffer_limit = min(int(gateway_setting("BUFFER_BYTES")), max_bytes)
    response: aiohttp.ClientResponse | None = None
    try:
        async with asyncio.timeout(plan.timeout_s):
            response = await _open(plan, forwarded)
            _check_head(response, max_bytes)
            chunks = response.content.iter_chunked(CHUNK_BYTES)
            head = bytearray()
            ended = False
            while len(head) <= buffer_limit:
                try:
                    head += await chunks.__anext__()
                except StopAsyncIteration:
                    ended = True
                    break
            if len(head) > max_bytes:
                raise UpstreamFault(502, "upstream_oversize", _oversize(max_bytes),
                                    response.status)
        if not ended:
            return _streamed(plan, response, bytes(head), chunks, parameters, started, ip)
        response.release()
        try:
            answer = json.loads(head)
        except ValueError:
            raise UpstreamFault(502, "upstream_not_json", _("上游接口的应答不是有效的 JSON。"),
                                response.status) from None
        records = _records_at(answer, plan.operation.records_path)
        if plan.masked_names and len(records) > INLINE_MASK_RECORDS:
            shaped = await asyncio.to_thread(_shape, plan, records)
        else:
            shaped = _shape(plan, records)
    except UpstreamFault as fault:
        return await _fail(plan, response, fault, parameters, started, ip)
    except TimeoutError:   # aiohttp's read timeouts are TimeoutErrors too
        fault = UpstreamFault(504, "upstream_timeout",
                              _("上游接口在 %(ms)d 毫秒内没有应答，请稍后再试。")
                              % {"ms": plan.service.timeout_ms}, None)
        return await _fail(plan, response, fault, parameters, started, ip)
    except aiohttp.ClientError:
        fault = UpstreamFault(502, "upstream_unreachable",
                              _("无法连接提供部门的上游接口，请稍后再试。"), None)
        return await _fail(plan, response, fault, parameters, started, ip)
    if breaker_dirty:
        await breaker_record(service_id, ok=True)
    await _log(plan, allowed=True, parameters=parameters, rows=len(shaped),
             upstream_status=response.status, latency_ms=_ms(started), ip=ip)
    body = _head(plan) + b',"count":' + str(len(shaped)).encode() + b',"results":' + \
        _dumps(shaped).encode() + b"}"
    return Answer(200, body)


def _oversize(max_bytes: int) -> str:
    return _("上游接口的应答超过登记的上限（%(mb).1f MB）。") % {"mb": max_bytes / 1024 / 1024}


def _check_head(response: aiohttp.ClientResponse, max_bytes: int) -> None:
    status = response.status
    if status >= 400:
        raise UpstreamFault(502, "upstream_error",
                            _("上游接口返回错误（状态码 %(status)d），请联系提供部门。")
                            % {"status": status}, status, counts=status >= 500)
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type.lower():
        raise UpstreamFault(502, "upstream_not_json", _("上游接口的应答不是 JSON 格式。"), status)
    length = response.headers.get("content-length")
    if length and length.isascii() and length.isdigit() and int(length) > max_bytes:
        raise UpstreamFault(502, "upstream_oversize", _oversize(max_bytes), status)


async def _fail(plan: CallPlan, response: aiohttp.ClientResponse | None, fault: UpstreamFault,
                parameters: dict, started: float, ip: str | None) -> Answer:
    if response is not None:
        response.close()   # not back to the pool: the answer was not read through
    if fault.counts:
        await breaker_record(plan.service.pk, ok=False)
    logger.warning("gateway call failed: %s/%s -> %d %s", plan.resource.code,
                   plan.operation.name, fault.status, fault.code,
                   extra={"data": {"upstream_status": fault.upstream_status,
                                   "latency_ms": _ms(started)}})
    await _log(plan, allowed=True, parameters=parameters, reason=fault.message,
             upstream_status=fault.upstream_status, latency_ms=_ms(started), ip=ip)
    return _error(fault.status, fault.code, fault.message)


def _item_prefix(records_path: str) -> str:
    parts = [p for p in records_path.split(".") if p]
    return ".".join([*parts, "item"])


def _streamed(plan: CallPlan, response: aiohttp.ClientResponse, head: bytes,
              chunks: AsyncIterator[bytes], parameters: dict, started: float,
              ip: str | None) -> Answer:
    """A large answer: parsed incrementally, shaped in batches, sent as it comes.

    Headers are sent before the end is known, so a fault in the middle (oversize,
    malformed JSON, timeout) ends the stream without its closing bracket — the client
    sees an incomplete body, never upstream data it may not read — and is logged.
    """
    batch_size = int(gateway_setting("STREAM_BATCH"))

    async def body() -> AsyncIterator[bytes]:
        sent, reason, ok, first = 0, "", False, True
        received = len(head)
        parsed = ijson.sendable_list()
        parser = ijson.items_coro(parsed, _item_prefix(plan.operation.records_path),
                                  use_float=True)

        async def flush(records: list) -> bytes:
            nonlocal first, sent
            if not all(isinstance(r, dict) for r in records):
                raise UpstreamFault(502, "upstream_format",
                                    _("上游接口的应答记录格式与登记的不符。"), 200)
            shaped = await asyncio.to_thread(_shape, plan, records)
            text = _dumps(shaped)[1:-1]
            chunk = (("" if first else ",") + text).encode()
            first, sent = False, sent + len(shaped)
            return chunk

        try:
            yield _head(plan) + b',"results":['
            parser.send(head)
            async for data in chunks:
                received += len(data)
                if received > plan.service.max_answer_bytes:
                    raise UpstreamFault(502, "upstream_oversize",
                                        _oversize(plan.service.max_answer_bytes), 200)
                parser.send(data)
                if len(parsed) >= batch_size:
                    records = list(parsed)
                    del parsed[:]
                    yield await flush(records)
            parser.close()
            if parsed:
                yield await flush(list(parsed))
            yield b'],"count":' + str(sent).encode() + b"}"
            ok = True
        except UpstreamFault as fault:
            reason = fault.message
        except ijson.JSONError:
            reason = _("上游接口的应答不是有效的 JSON。")
        except (aiohttp.ClientError, TimeoutError):
            reason = _("上游接口的应答中途中断。")
        finally:
            await asyncio.shield(_stream_end(plan, response, ok=ok, parameters=parameters,
                                             rows=sent, reason=reason, started=started, ip=ip))

    return Answer(200, stream=body(), headers={"X-Accel-Buffering": "no"})


async def _stream_end(plan: CallPlan, response: aiohttp.ClientResponse, *, ok: bool,
                      parameters: dict, rows: int, reason: str, started: float,
                      ip: str | None) -> None:
    if ok:
        response.release()
    else:
        response.close()
    await breaker_record(plan.service.pk, ok=ok)
    await _log(plan, allowed=True, parameters=parameters, rows=rows,
             upstream_status=response.status, latency_ms=_ms(started),
             reason=reason if not ok else "", ip=ip)


# --- the provider's "try it" ------------------------------------------------------------

PREVIEW_BYTES = 1024 * 1024
PREVIEW_RECORDS = 20


@dataclass
class Preview:
    """What the "try it" page shows: the upstream's raw answer (the provider's own data,
    cut at 1 MB) beside the first records as a grant's holder would receive them."""

    upstream_status: int | None = None
    raw: str = ""
    count: int = 0
    records: list[dict] = field(default_factory=list)      # shaped by the plan
    upstream_records: list[dict] = field(default_factory=list)  # as the upstream sent them
    error: str = ""
    latency_ms: int = 0


async def upstream_preview(plan: CallPlan, supplied: dict[str, str]) -> Preview:
    """Call the upstream as a gateway call does (declared parameters only, the stored
    credential, the timeout) and shape its answer with ``plan``'s columns. (Run from a
    page in a loop of its own: the loop's session is closed at the end.)"""
    try:
        return await _preview(plan, supplied)
    finally:
        await upstream_session_close()


async def _preview(plan: CallPlan, supplied: dict[str, str]) -> Preview:
    started = time.perf_counter()
    declared = {p.name for p in plan.params}
    forwarded = {k: v for k, v in supplied.items() if k in declared and v != ""}
    preview = Preview()
    limit = min(plan.service.max_answer_bytes, PREVIEW_BYTES)
    try:
        async with asyncio.timeout(plan.timeout_s):
            response = await _open(plan, forwarded)
            preview.upstream_status = response.status
            body = bytearray()
            try:
                async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                    body += chunk
                    if len(body) > limit:
                        break
            finally:
                response.close()
        preview.raw = bytes(body[:limit]).decode("utf-8", "replace")
        _check_head(response, plan.service.max_answer_bytes)
        if len(body) > limit:
            raise UpstreamFault(502, "upstream_oversize", _oversize(limit), response.status)
        try:
            answer = json.loads(body)
        except ValueError:
            raise UpstreamFault(502, "upstream_not_json", _("上游接口的应答不是有效的 JSON。"),
                                response.status) from None
        records = _records_at(answer, plan.operation.records_path)
        preview.count = len(records)
        preview.upstream_records = records[:PREVIEW_RECORDS]
        preview.records = _shape(plan, preview.upstream_records)
    except UpstreamFault as fault:
        preview.error = fault.message
    except TimeoutError:
        preview.error = _("上游接口在 %(ms)d 毫秒内没有应答，请稍后再试。") % {
            "ms": plan.service.timeout_ms}
    except aiohttp.ClientError:
        preview.error = _("无法连接提供部门的上游接口，请稍后再试。")
    preview.latency_ms = _ms(started)
    return preview
