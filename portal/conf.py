"""One pattern for every app's settings.

An app declares its settings with their defaults in ``<app>/conf.py`` as an
``AppSettings`` under one namespace (``settings.OPENDATA``, ``settings.DATAPLANE`` …);
``portal/settings.py`` fills that dict from environment variables; code reads a value
through the app's reader (``opendata_setting("PREVIEW_ROWS")``), never with
``settings.X`` or ``getattr(settings, …)``. A key set in a namespace that its app does not
declare is a system check error (``portal.E010``), so a misspelt override fails loudly
instead of being ignored. README.md lists every setting in one table
(``tests/portal/test_app_settings.py`` keeps the two in step).
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

APP_SETTINGS: dict[str, "AppSettings"] = {}


class AppSettings:
    """The settings of one namespace: ``settings.<namespace>`` over ``defaults``."""

    def __init__(self, namespace: str, defaults: Mapping[str, Any]) -> None:
        self.namespace = namespace
        self.defaults = dict(defaults)
        APP_SETTINGS[namespace] = self

    def __call__(self, name: str) -> Any:
        """The value of ``name``; a dict-valued setting is its default updated with the
        keys the override sets (so one rate can be changed alone)."""
        if name not in self.defaults:
            raise KeyError(f"{self.namespace} has no setting {name!r}")
        default = self.defaults[name]
        value = self.overrides().get(name, default)
        if isinstance(default, Mapping) and isinstance(value, Mapping):
            return {**default, **value}
        return value

    def overrides(self) -> Mapping[str, Any]:
        return getattr(settings, self.namespace, {})

    def unknown_names(self) -> list[str]:
        return sorted(set(self.overrides()) - set(self.defaults))


portal_setting = AppSettings("PORTAL", {
    "NAME": _("公共信息资源管理平台"),
    # Failures from one address over all usernames that lock the whole address (P2).
    "ADDRESS_FAILURE_LIMIT": 50,
    # Fernet keys of the secret box (portal/secrets.py), newest first.
    "SECRET_KEYS": [],
    # /metrics: with a token only requests bearing it, without one loopback addresses.
    "METRICS_TOKEN": "",
    # Read replicas (portal/replicas.py): the aliases settings derive from
    # DATABASE_REPLICA_URLS; the route names (fnmatch patterns) whose GET requests may
    # read one — the public portal, the platform catalog and the CKAN API; how long a
    # writer's reads stay on the primary after a write (read-your-writes).
    "REPLICA_ALIASES": [],
    "REPLICA_ROUTES": [
        "opendata:home", "opendata:search", "opendata:dataset", "opendata:dataset_export",
        "opendata:departments", "opendata:department", "opendata:requests", "opendata:request",
        "opendata:products", "opendata:product", "opendata:licence", "opendata:feed",
        "opendata:sitemap", "dcat_catalog", "ckan:*", "catalog:browse", "catalog:resource_detail",
        "catalog-resource-list", "catalog-resource-detail", "catalog-item-list",
    ],
    "REPLICA_PIN_SECONDS": 10,
    # A standby ``celery beat`` takes over within this after the running one stops.
    "BEAT_LOCK_SECONDS": 60,
})
