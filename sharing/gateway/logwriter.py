"""Group commit of the gateway's access-log entries.

Every call is logged in the hash-chained log, whose appends are serialised by the lock
on the chain head; one transaction per call would make the commit's disk flush the
gateway's ceiling. A writer thread per web process takes every entry waiting, appends
them with ``accesslog_append_many`` in one transaction, and only then wakes the calls,
so a call still answers only after its entry is committed — under load many calls share
one commit, alone a call waits for its own.
"""

import asyncio
import queue
import threading
from typing import Any

from django.db import close_old_connections

from dataplane.services.accesslog import accesslog_append_many

BATCH = 500

_queue: "queue.Queue[tuple[dict, asyncio.Future, asyncio.AbstractEventLoop]]" = queue.Queue()
_thread: threading.Thread | None = None
_lock = threading.Lock()


def _settle(future: asyncio.Future, result: Any = None, error: BaseException | None = None):
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _run() -> None:
    while True:
        batch = [_queue.get()]
        while len(batch) < BATCH:
            try:
                batch.append(_queue.get_nowait())
            except queue.Empty:
                break
        close_old_connections()
        try:
            entries = accesslog_append_many([fields for fields, _f, _l in batch])
        except Exception as exc:  # every waiting call learns of the failure
            for _fields, future, loop in batch:
                loop.call_soon_threadsafe(_settle, future, None, exc)
            continue
        for (_fields, future, loop), entry in zip(batch, entries, strict=True):
            loop.call_soon_threadsafe(_settle, future, entry)


def _ensure_thread() -> None:
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="gateway-log", daemon=True)
            _thread.start()


async def log_append(**fields: Any):
    """Append one entry (the arguments of ``accesslog_append``); returns it once committed."""
    _ensure_thread()
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    _queue.put((fields, future, loop))
    return await future
