"""Run the whole portal for development: web server plus a Celery worker with beat.

Ctrl-C stops everything. Used by ``make run``.
"""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.management.commands.seed_demo import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "Start the web server and a Celery worker with embedded beat; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr: str, **options):
        self._banner(addr)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--beat",
             "--loglevel=INFO", "--concurrency=2",
             f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}"],
            env=os.environ.copy(),
        )
        web = subprocess.Popen([sys.executable, "manage.py", "runserver", addr, "--noreload"],
                               env=os.environ.copy())
        try:
            while worker.poll() is None and web.poll() is None:
                try:
                    web.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    continue
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in (web, worker):
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.stdout.write("Portal stopped.")

    def _banner(self, addr: str) -> None:
        base = f"http://{addr}"
        lines = [
            "",
            "公共信息资源管理平台 is starting:",
            f"  Portal        {base}/",
            f"  Open data     {base}/open/",
            f"  Sign in       {base}/accounts/login/",
            f"  Admin         {base}/admin/",
            f"  API docs      {base}/api/docs/",
            "",
            f"Demo accounts (password for all: {DEMO_PASSWORD}; two-factor off for demo users only):",
            "  admin                    superuser",
            "  citizen                  member of the public (open data)",
        ]
        for username, dept, roles, *_ in USERS:
            lines.append(f"  {username:<24} {', '.join(str(r.label) for r in roles)} · {dept}")
        lines.append("\nPress Ctrl-C to stop the web server and the Celery worker.\n")
        self.stdout.write("\n".join(lines))
