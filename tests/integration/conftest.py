import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL")
needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="needs PostgreSQL: set DATABASE_URL",
)


@pytest.fixture
def celery_worker_on_redis(settings):
    """A real Celery worker (threads in this process) consuming from the real Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    app.conf.result_backend = os.environ["REDIS_URL"]
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False,
                      loglevel="WARNING", shutdown_timeout=30):
        yield app
    app.conf.task_always_eager = True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on a free port, which the test may stop and
    start (the shared Redis is never touched)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server on PATH")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def portal_on_redis(redis_server, settings):
    """Cache and broker on the test's own Redis, tasks published for real (not eager)."""
    from portal import queue
    from portal.celery import app

    settings.CACHES = {"default": {
        "BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": redis_server.url(1),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0, "RETRY_SECONDS": 1}}}
    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = redis_server.url(0)
    app.conf.task_always_eager = False
    _reset_connections(app)
    queue.broker.succeed()
    yield redis_server
    app.conf.broker_url, app.conf.task_always_eager = previous
    _reset_connections(app)
    queue.broker.succeed()


def _reset_connections(app) -> None:
    """Forget pooled broker connections (the broker URL changed)."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def celery_worker_on_portal_redis(portal_on_redis):
    """``with celery_worker_on_portal_redis():`` a real Celery worker (threads in this
    process, so it shares the test database and the mail outbox) on the test's Redis."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    def worker():
        return start_worker(app, pool="threads", concurrency=2, perform_ping_check=False,
                            loglevel="WARNING", shutdown_timeout=30)

    return worker
