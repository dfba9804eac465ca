"""Enumerations of the sharing workflow, labels in Chinese (gettext msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """The four purposes a department may state for shared data (HN-20, S2)."""

    ADMINISTRATIVE_BASIS = "administrative_basis", _("行政依据")
    WORK_REFERENCE = "work_reference", _("工作参考")
    DATA_VERIFICATION = "data_verification", _("数据校核")
    BUSINESS_COLLABORATION = "business_collaboration", _("业务协同")
