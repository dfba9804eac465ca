from pathlib import Path

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from .conf import assessment_setting


def pdf_font_check(app_configs, **kwargs):
    """The PDF reports embed ASSESSMENT_PDF_FONT; without it they are not readable on a
    machine without Chinese fonts."""
    path = Path(assessment_setting("PDF_FONT"))
    if path.is_file():
        return []
    return [checks.Warning(
        f"ASSESSMENT_PDF_FONT {path} does not exist: PDF reports will not embed a Chinese font",
        hint="Install fonts-wqy-zenhei (Debian) or point ASSESSMENT_PDF_FONT at a TrueType "
             "Chinese font (.ttf/.ttc).", id="assessment.W001")]


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("监督考核")

    def ready(self) -> None:
        from portal.deadlines import deadline_kinds_register

        from .deadlines import KINDS

        deadline_kinds_register(*KINDS)
        checks.register(pdf_font_check)
