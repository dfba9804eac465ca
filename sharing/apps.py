from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("共享交换")

    def ready(self) -> None:
        from portal.deadlines import deadline_kinds_register
        from portal.responsibilities import duties_register
        from portal.secrets import secret_fields_register

        from .duties import DUTIES
        from .gateway import plans  # noqa: F401 (connects the plan-cache invalidation)
        from .services.kinds import ALL_KINDS

        duties_register(*DUTIES)
        deadline_kinds_register(*ALL_KINDS)
        secret_fields_register(self.get_model("DataService"), "credential_secret")
