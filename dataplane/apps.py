from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataplaneConfig(AppConfig):
    """Data versions, online query, bulk download, desensitization and the access log.

    Used by ``sharing`` (grant-scoped delivery) and ``opendata`` (published distributions);
    DESIGN "Shared and open data plane".
    """

    name = "dataplane"
    label = "dataplane"
    verbose_name = _("数据交付")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from portal.metrics import metrics_collector_register

        from .metrics import IngestionCollector
        from .services import accesslog  # noqa: F401  (its start-up requirement)

        metrics_collector_register(IngestionCollector())
        connection_created.connect(_sqlite_functions)


def _sqlite_functions(sender, connection, **kwargs) -> None:
    """On SQLite the access log's DELETE trigger asks this function whether a flush of
    the test database is under way (``accesslog_maintenance``)."""
    if connection.vendor != "sqlite":
        return
    from .services.accesslog import accesslog_maintenance_on

    connection.connection.create_function(
        "dataplane_accesslog_maintenance", 0, lambda: int(accesslog_maintenance_on()))
