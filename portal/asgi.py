"""ASGI entry point (production: gunicorn with uvicorn workers, see docs/deploy.md).

Gateway calls (``/api/v1/services/<code>/<operation>/``) are served by the gateway's own
async entry; everything else by Django.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_application = get_asgi_application()

from portal.checks import startup_require  # noqa: E402 (needs Django set up)
from sharing.gateway.asgi import gateway_app, matches  # noqa: E402

startup_require()


async def application(scope, receive, send):
    if scope["type"] == "http" and matches(scope["path"]):
        await gateway_app(scope, receive, send)
    else:
        await django_application(scope, receive, send)
