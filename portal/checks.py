"""Start-up guards and system checks of the platform core.

Without ``DJANGO_DEBUG=1`` there is no built-in secret key. The processes that serve or
work — the WSGI application (gunicorn, runserver), Celery workers and beat — refuse to
start without ``DJANGO_SECRET_KEY`` (``secret_key_require``), and ``check --deploy``
reports it as an error. One-off maintenance commands that never sign anything (migrate,
check) still run; anything that would sign with the key fails on Django's own guard.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY = (
    "DJANGO_SECRET_KEY is not set. Production needs its own secret key: set DJANGO_SECRET_KEY "
    "to 50 or more random characters (e.g. the output of `python -c \"import secrets; "
    "print(secrets.token_urlsafe(50))\"`). For development on this machine set DJANGO_DEBUG=1 "
    "instead, which uses a built-in development key."
)


def secret_key_missing() -> bool:
    try:
        return not settings.SECRET_KEY
    except ImproperlyConfigured:
        return True


def secret_key_require() -> None:
    """Stop the process with a clear message when no secret key is configured."""
    if secret_key_missing():
        raise ImproperlyConfigured(MISSING_KEY)


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key_configured(app_configs, **kwargs):
    if secret_key_missing():
        return [checks.Error(MISSING_KEY, id="portal.E001")]
    return []
