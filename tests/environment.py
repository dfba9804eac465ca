"""Loaded as a pytest plugin (``-p tests.environment``) before Django reads its settings.

The test server speaks plain HTTP without collected static files; Celery tasks run
eagerly unless an integration test starts a real worker.
"""

import os

os.environ.setdefault("PORTAL_HTTPS", "0")
os.environ.setdefault("PORTAL_STATIC_MANIFEST", "0")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
# Without DJANGO_DEBUG=1 there is no built-in key: the suite brings its own.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-suite-only-key-" + "q7!Lm2#Zp9" * 5)
os.environ.setdefault("PORTAL_ACCESSLOG_KEYS", "test:test-suite-only-access-log-key-5e1f")
