"""Group commit of the gateway's access-log entries.

Every call is logged in the hash-chained log, whose appends are serialised by the lock
on the chain head; one transaction per call would make the commit the gateway's ceiling.
A writer thread per web process takes every entry waiting, appends them with
``accesslog_append_many`` in one transaction, and then wakes the calls — under load many
calls share one commit, alone a call waits for its own.

What a call waits for is the setting ``LOG_COMMIT_BEFORE_ANSWER``:

* ``True`` (the default): a call answers only after its entry is committed. No answer
  leaves without its entry in the database.
* ``False``: a call answers once its entry is queued; the writer commits it within one
  commit's time (a few milliseconds). An entry is lost only if the web process dies
  (killed, host failure) between the answer and that commit; a normal shutdown drains
  the queue first (``atexit``), and a failed commit is retried until it succeeds.
"""

import asyncio
import atexit
import logging
import queue
import threading
import time
from typing import Any

from django.db import close_old_connections

from dataplane.services.accesslog import accesslog_append_many

from ..conf import gateway_setting

BATCH = 500
logger = logging.getLogger(__name__)

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


def _take() -> list:
    batch = [_queue.get()]
    while len(batch) < BATCH:
        try:
            batch.append(_queue.get_nowait())
        except queue.Empty:
            break
    return batch


def _write(batch: list) -> None:
    close_old_connections()
    try:
        entries = accesslog_append_many([fields for fields, _f, _l in batch])
    except Exception as exc:
        waiting = [(f, loop) for _fields, f, loop in batch if f is not None]
        if len(waiting) < len(batch):
            # Entries nobody waits for are retried until the database takes them.
            logger.exception("gateway access log: commit failed, retrying")
            time.sleep(0.5)
            for item in batch:
                if item[1] is None:
                    _queue.put(item)
        for future, loop in waiting:  # a waiting call learns of the failure
            loop.call_soon_threadsafe(_settle, future, None, exc)
        return
    for (_fields, future, loop), entry in zip(batch, entries, strict=True):
        if future is not None:
            loop.call_soon_threadsafe(_settle, future, entry)


def _run() -> None:
    while True:
        _write(_take())


@atexit.register
def _drain() -> None:
    """A normal shutdown commits what is still queued."""
    while not _queue.empty():
        _write(_take())


def _ensure_thread() -> None:
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="gateway-log", daemon=True)
            _thread.start()


async def log_append(**fields: Any):
    """Append one entry (the arguments of ``accesslog_append``): returns it once committed,
    or ``None`` at once when calls do not wait for the commit (see above)."""
    _ensure_thread()
    if not gateway_setting("LOG_COMMIT_BEFORE_ANSWER"):
        _queue.put((fields, None, None))
        return None
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    _queue.put((fields, future, loop))
    return await future
