"""Start-up requirements and system checks of the platform core.

A *start-up requirement* is something production cannot run without — the secret key,
the access log's key. The processes that serve or work (the WSGI application under
gunicorn or runserver, Celery workers and beat) refuse to start while one is unmet
(``startup_require``), and ``check --deploy`` reports each as an error. One-off
maintenance commands that need none of them (migrate, check) still run. Apps add theirs
with ``@startup_requirement("app.E001")``: a function returning the problem in words, or
``""``.

Without ``DJANGO_DEBUG=1`` there is no built-in secret key: settings leave it empty.
"""

import importlib
import importlib.util
from collections.abc import Callable

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

REQUIREMENTS: list[tuple[str, Callable[[], str]]] = []


def startup_requirement(check_id: str):
    def register(fn: Callable[[], str]) -> Callable[[], str]:
        REQUIREMENTS.append((check_id, fn))
        return fn
    return register


@startup_requirement("portal.E001")
def secret_key_problem() -> str:
    try:
        missing = not settings.SECRET_KEY
    except ImproperlyConfigured:
        missing = True
    if not missing:
        return ""
    return ("DJANGO_SECRET_KEY is not set. Production needs its own secret key: set "
            "DJANGO_SECRET_KEY to 50 or more random characters (e.g. the output of `python -c "
            "\"import secrets; print(secrets.token_urlsafe(50))\"`). For development on this "
            "machine set DJANGO_DEBUG=1 instead, which uses a built-in development key.")


def startup_problems() -> list[tuple[str, str]]:
    return [(check_id, problem) for check_id, fn in REQUIREMENTS if (problem := fn())]


def startup_require() -> None:
    """Stop the process with a clear message when a start-up requirement is unmet."""
    problems = startup_problems()
    if problems:
        raise ImproperlyConfigured("\n".join(problem for _id, problem in problems))


@checks.register(checks.Tags.security, deploy=True)
def check_startup_requirements(app_configs, **kwargs):
    return [checks.Error(problem, id=check_id) for check_id, problem in startup_problems()]


@checks.register()
def check_app_settings(app_configs, **kwargs):
    """portal.E010: a key in an app's settings dict that the app does not declare (a
    misspelt override would otherwise be ignored). Every app's ``conf.py`` is imported so
    that all of them are known."""
    from django.apps import apps

    from portal.conf import APP_SETTINGS

    for config in apps.get_app_configs():
        if importlib.util.find_spec(f"{config.name}.conf") is not None:
            importlib.import_module(f"{config.name}.conf")
    return [checks.Error(f"settings.{namespace} has no setting {name!r}; known: "
                         f"{', '.join(sorted(app.defaults))}", id="portal.E010")
            for namespace, app in sorted(APP_SETTINGS.items()) for name in app.unknown_names()]
