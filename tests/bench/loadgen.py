"""A small closed-loop HTTP/1.1 load generator for the gateway benchmark.

``python -m tests.bench.loadgen URL --concurrency 200 --requests 10000 --header 'K: V'``
runs that many keep-alive clients on uvloop (each sends its next request when the
previous answer is complete) and prints one JSON line: calls, errors, status counts,
wall time, calls per second and latency percentiles in ms. Written on asyncio streams so
the generator itself costs the shared CPU little; it only talks to 127.0.0.1.
"""

import argparse
import asyncio
import json
import time
from collections import Counter
from urllib.parse import urlsplit


async def _read_answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _s, v in
               (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _client(host, port, request: bytes, remaining: list[int], latencies: list[float],
                  statuses: Counter, deadline: float) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while remaining[0] > 0 and time.monotonic() < deadline:
            remaining[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            try:
                status = await _read_answer(reader)
            except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                statuses["broken"] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
    finally:
        writer.close()


async def run(url: str, concurrency: int, requests: int, headers: list[str],
              max_seconds: float) -> dict:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    extra = "".join(f"{h}\r\n" for h in headers)
    request = (f"GET {target} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n{extra}"
               f"Connection: keep-alive\r\n\r\n").encode()
    remaining, latencies, statuses = [requests], [], Counter()
    deadline = time.monotonic() + max_seconds
    started = time.perf_counter()
    await asyncio.gather(*[_client(parts.hostname, parts.port, request, remaining, latencies,
                                   statuses, deadline) for _ in range(concurrency)])
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2) \
            if latencies else float("nan")

    ok = statuses.get(200, 0)
    return {"calls": sum(statuses.values()), "ok": ok, "errors": sum(statuses.values()) - ok,
            "statuses": {str(k): v for k, v in statuses.items()}, "seconds": round(wall, 2),
            "rps": round(ok / wall, 1), "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--max-seconds", type=float, default=300)
    args = parser.parse_args()
    try:
        import uvloop
        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    result = asyncio.run(run(args.url, args.concurrency, args.requests, args.header,
                             args.max_seconds))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
