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
        from portal.metrics import metrics_collector_register

        from .metrics import IngestionCollector

        metrics_collector_register(IngestionCollector())
