from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("监督考核")

    def ready(self) -> None:
        from portal.deadlines import deadline_kinds_register

        from .deadlines import KINDS

        deadline_kinds_register(*KINDS)
