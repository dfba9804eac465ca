from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataplaneConfig(AppConfig):
    """Data versions, online query, bulk download, desensitization and the access log.

    A nested app of ``sharing`` with its own migrations (DESIGN "Shared and open data plane").
    """

    name = "sharing.dataplane"
    label = "dataplane"
    verbose_name = _("数据交付")
