from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "opendata"
    verbose_name = _("数据开放")

    def ready(self) -> None:
        from portal.deadlines import deadline_kinds_register

        from .deadlines import KINDS

        deadline_kinds_register(*KINDS)
