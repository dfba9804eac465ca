"""Settings of the beat processes started by ``test_nodes``: the portal's, with one
entry due every second on a queue of the test's own."""

import os

from portal.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    "node-test-ping": {"task": "portal.tasks.ping", "schedule": 1.0, "args": ["beat"]},
}
CELERY_TASK_DEFAULT_QUEUE = os.environ["TEST_BEAT_QUEUE"]
