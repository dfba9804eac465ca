"""A real upstream HTTP server for the gateway's tests and benchmark (no mocked client).

A plain ASGI application served by uvicorn on 127.0.0.1 at a free port, in a thread of
the test process (:func:`upstream_thread`) or in its own process (``python -m
tests.upstream --port … --delay-ms …`` for the benchmark). The first path segment picks
the behaviour, so a data service's base URL picks the mode:

``/normal/…``   ``{"code": 0, "data": {"list": [records matching the query]}, "echo": …}``
``/delay/<ms>/…`` the same after ``ms`` milliseconds
``/slow/…``     the same after ``state["slow_seconds"]`` (default 3 s)
``/failing/…``  500 with a body that holds raw data (it must never reach a consumer)
``/nonjson/…``  200 ``text/html``
``/oversize/…`` 200 JSON of ``state["oversize_bytes"]`` with a Content-Length
``/chunked/…``  the same without a Content-Length (chunked)
``/big/<n>/…``  ``n`` generated records streamed in chunks (the 50 MB case)
``/switch/…``   failing while ``state["switch"] == "fail"``, else normal
``/guarded/…``  401 unless the ``X-Api-Key`` header is ``state["api_key"]``, else normal

Records are ``state["records"]``; a query parameter that names a record field filters on
it; ``echo`` repeats the query and the credential headers received.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
import time
from urllib.parse import parse_qsl

STATE: dict = {
    "records": [],
    "slow_seconds": 3.0,
    "oversize_bytes": 3 * 1024 * 1024,
    "switch": "ok",
    "hits": 0,
    "last_query": {},
    "last_headers": {},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def generated_record(i: int) -> dict:
    return {"xm": f"姓名{i:07d}", "sfzh": f"46010019900101{i % 10000:04d}",
            "sjhm": f"138{i:08d}", "nsr": 50000 + i % 997, "zz": f"海南省海口市美兰区{i}号"}


async def _send_json(send, status: int, body: bytes, *, length: bool = True,
                     content_type: bytes = b"application/json; charset=utf-8") -> None:
    headers = [(b"content-type", content_type)]
    if length:
        headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _answer(query: dict, headers: dict) -> bytes:
    records = [r for r in STATE["records"]
               if all(str(r.get(k)) == v for k, v in query.items() if k in r)]
    return json.dumps({"code": 0, "data": {"list": records},
                       "echo": {"query": query, "headers": headers}},
                      ensure_ascii=False).encode()


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    STATE["hits"] += 1
    parts = [p for p in scope["path"].split("/") if p]
    mode = parts[0] if parts else "normal"
    query = dict(parse_qsl(scope.get("query_string", b"").decode()))
    headers = {k.decode(): v.decode() for k, v in scope["headers"]
               if k.lower().startswith(b"x-")}
    STATE["last_query"], STATE["last_headers"] = query, headers
    if mode == "switch":
        mode = "failing" if STATE["switch"] == "fail" else "normal"
    if mode == "guarded":
        if headers.get("x-api-key") != STATE.get("api_key"):
            await _send_json(send, 401, b'{"error": "unauthorized"}')
            return
        mode = "normal"
    if mode == "delay":
        await asyncio.sleep(int(parts[1]) / 1000)
        mode = "normal"
    if mode == "slow":
        await asyncio.sleep(STATE["slow_seconds"])
        mode = "normal"
    if mode == "normal":
        await _send_json(send, 200, _answer(query, headers))
    elif mode == "failing":
        body = json.dumps({"error": "数据库异常", "dump": STATE["records"][:1]},
                          ensure_ascii=False).encode()
        await _send_json(send, 500, body)
    elif mode == "nonjson":
        await _send_json(send, 200, "<html><body>系统维护中</body></html>".encode(),
                         content_type=b"text/html; charset=utf-8")
    elif mode in ("oversize", "chunked"):
        filler = "x" * STATE["oversize_bytes"]
        body = json.dumps({"data": {"list": [{"xm": filler}]}}).encode()
        await _send_json(send, 200, body, length=mode == "oversize")
    elif mode == "big":
        await _stream_big(send, int(parts[1]))
    else:
        await _send_json(send, 404, b'{"error": "no such mode"}')


async def _stream_big(send, count: int) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"code":0,"data":{"list":[',
                "more_body": True})
    chunk: list[str] = []
    for i in range(count):
        chunk.append(("," if i else "") + json.dumps(generated_record(i), ensure_ascii=False))
        if len(chunk) == 2000:
            await send({"type": "http.response.body", "body": "".join(chunk).encode(),
                        "more_body": True})
            chunk = []
    await send({"type": "http.response.body", "body": ("".join(chunk) + "]}}").encode()})


class UpstreamThread:
    """uvicorn serving :data:`app` in a daemon thread; ``url(mode)`` gives base URLs."""

    def __init__(self) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> UpstreamThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("upstream server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def url(self, mode: str = "normal") -> str:
        return f"http://127.0.0.1:{self.port}/{mode}"


def main() -> None:  # the benchmark's upstream, in its own process
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--records", type=int, default=3)
    args = parser.parse_args()
    STATE["records"] = [generated_record(i) for i in range(args.records)]
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False, loop="uvloop", http="httptools", backlog=4096)


if __name__ == "__main__":
    main()
