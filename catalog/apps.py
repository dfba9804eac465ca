from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("资源目录")

    def ready(self) -> None:
        from portal.deadlines import deadline_kinds_register
        from portal.responsibilities import duties_register
        from portal.secrets import secret_fields_register

        from .deadlines import KINDS
        from .duties import DUTIES

        duties_register(*DUTIES)
        deadline_kinds_register(*KINDS)
        secret_fields_register(self.get_model("CascadeSource"), "token")
