"""One beat schedule in a deployment, however many ``celery beat`` processes are started.

``SingleBeatScheduler`` (the beat scheduler whenever ``REDIS_URL`` is set) takes a lock in
Redis before it loads the schedule and renews it every tick. A second beat — started by
mistake, or as a standby on another host — waits at start-up, logging that it does, and
takes over within ``PORTAL_BEAT_LOCK_SECONDS`` once the holder stops or dies (the lock
expires; it is never released early by anyone but its holder). A holder that finds its
lock gone (Redis lost it, or it stalled longer than the timeout and another beat took
over) exits rather than schedule twice; its supervisor restarts it as a standby.
"""

import logging
import os
import socket

import redis
from celery.beat import PersistentScheduler
from django.conf import settings
from redis.exceptions import LockError

from .conf import portal_setting

logger = logging.getLogger(__name__)

LOCK_KEY = "portal:celery-beat"


class SingleBeatScheduler(PersistentScheduler):
    def __init__(self, *args, lazy: bool = False, **kwargs):
        self.lock_seconds = int(portal_setting("BEAT_LOCK_SECONDS"))
        self.beat_lock = None
        if not lazy:  # beat also makes a lazy instance, only to describe itself
            client = redis.Redis.from_url(settings.REDIS_URL)
            self.beat_lock = client.lock(LOCK_KEY, timeout=self.lock_seconds, sleep=0.5,
                                         thread_local=False)
            if not self.beat_lock.acquire(blocking=False):
                logger.warning("beat: another beat holds the schedule lock; waiting as a "
                               "standby")
                self.beat_lock.acquire(blocking=True)
            logger.info("beat: schedule lock taken by %s (pid %d)", socket.gethostname(),
                        os.getpid())
        super().__init__(*args, lazy=lazy, **kwargs)

    def tick(self, *args, **kwargs):
        try:
            self.beat_lock.reacquire()
        except LockError:
            logger.error("beat: the schedule lock was lost; stopping so that only one beat runs")
            raise SystemExit(1) from None
        return min(super().tick(*args, **kwargs), self.lock_seconds / 3)

    def close(self):
        super().close()
        if self.beat_lock is not None:
            try:
                self.beat_lock.release()
            except LockError:
                pass
