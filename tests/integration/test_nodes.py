"""Several nodes against one PostgreSQL, one Redis (and one store): a session made on one
web node works on another; only one beat schedule runs however many beats are started.

Each node is a real process (gunicorn, ``celery beat``) on 127.0.0.1.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.conf import settings
from django.db import connection

from portal.beat import LOCK_KEY
from portal.models import Role
from tests.integration.conftest import needs_postgres, needs_redis

pytestmark = [pytest.mark.integration, needs_redis]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def node_env(**extra) -> dict:
    db = connection.settings_dict
    env = {**os.environ, "PORTAL_HTTPS": "0", "PORTAL_STATIC_MANIFEST": "0",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "CELERY_TASK_ALWAYS_EAGER": "1",
           "PORTAL_MEDIA_ROOT": str(settings.MEDIA_ROOT), "PORTAL_LOG_FORMAT": "plain",
           "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
                           f"{db['PORT'] or 5432}/{db['NAME']}"}
    env.update(extra)
    return env


class WebNode:
    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", "1", "--log-level", "warning"], env=node_env(), cwd=settings.BASE_DIR)
        wait_for(lambda: self.request("GET", "/healthz")[0] == 200, 60, "a web node")

    def request(self, method: str, path: str, *, body: str = "", cookies: dict | None = None):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
            if cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
            conn.request(method, path, body=body.encode() or None, headers=headers)
            response = conn.getresponse()
            data = response.read().decode()
            jar = SimpleCookie()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    jar.load(value)
            set_cookies = {name: morsel.value for name, morsel in jar.items()}
            conn.close()
            return response.status, data, set_cookies, response.getheader("Location")
        except OSError:
            return 0, "", {}, None

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_session_made_on_one_web_node_works_on_the_other(make_user, department, settings):
    from tests.conftest import PASSWORD

    # Hashed as the nodes hash (the test process otherwise uses a fast hasher they lack).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    clerk = make_user(username="node_clerk", department=department, roles=[Role.CLERK])
    first, second = WebNode(), WebNode()
    try:
        status, page, cookies, _ = first.request("GET", "/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _page, set_cookies, location = first.request(
            "POST", "/accounts/login/", cookies=cookies,
            body=urlencode({"csrfmiddlewaretoken": token, "username": clerk.username,
                            "password": PASSWORD}))
        assert status == 302 and settings.SESSION_COOKIE_NAME in set_cookies, status
        session = {**cookies, **set_cookies}
        status, page, _c, _l = second.request("GET", "/profile/", cookies=session)
        assert status == 200 and clerk.username in page
        # Signing out on the second node ends the session on the first as well.
        status, page, _c, _l = second.request("GET", "/profile/", cookies=session)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert second.request("POST", "/accounts/logout/", cookies=session,
                              body=urlencode({"csrfmiddlewaretoken": token}))[0] == 302
        status, _p, _c, location = first.request("GET", "/profile/", cookies=session)
        assert status == 302 and "/accounts/login/" in location
    finally:
        first.stop()
        second.stop()


class BeatNode:
    def __init__(self, tmp: Path, name: str, queue: str):
        self.log = tmp / f"beat-{name}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel", "INFO",
             "--max-interval", "1", "-s", str(tmp / f"schedule-{name}")],
            env=node_env(DJANGO_SETTINGS_MODULE="tests.integration.beat_settings",
                         TEST_BEAT_QUEUE=queue, PORTAL_BEAT_LOCK_SECONDS="3",
                         CELERY_TASK_ALWAYS_EAGER="0"),
            cwd=settings.BASE_DIR, stdout=self.log.open("w"), stderr=subprocess.STDOUT)

    def said(self, text: str) -> bool:
        return text in self.log.read_text(errors="replace")

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_only_one_beat_schedule_runs_when_two_are_started(tmp_path):
    queue = f"beat-test-{uuid.uuid4().hex[:8]}"
    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    broker.delete(LOCK_KEY)
    first = BeatNode(tmp_path, "a", queue)
    second = None
    try:
        wait_for(lambda: broker.llen(queue) >= 2, 60, "the first beat to schedule")
        second = BeatNode(tmp_path, "b", queue)
        wait_for(lambda: second.said("waiting as a standby"), 60, "the second beat to start")
        start = broker.llen(queue)
        time.sleep(6)
        sent = broker.llen(queue) - start
        assert 4 <= sent <= 8, f"{sent} messages in 6 s: one schedule sends about 6"
        assert not second.said("schedule lock taken")

        first.stop(signal.SIGKILL)  # dies holding the lock: the standby takes over
        wait_for(lambda: second.said("schedule lock taken"), 30, "the standby to take over")
        start = broker.llen(queue)
        wait_for(lambda: broker.llen(queue) >= start + 3, 30, "the standby to schedule")
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop()
        broker.delete(queue, LOCK_KEY)
