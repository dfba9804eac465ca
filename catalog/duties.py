"""The catalog's duties in a department's responsibility list (``portal.responsibilities``):
keeping the catalog up to date (C7) and not collecting again what sharing provides."""

from django.utils.translation import gettext_lazy as _

from portal.models import Role
from portal.responsibilities import Duty, enabled_only

from .models import ChangeEvent, Resource


def _open_change_events(department_id: int) -> int:
    return ChangeEvent.objects.filter(department_id=department_id,
                                      status=ChangeEvent.Status.OPEN).count()


def _overlapping_submissions(department_id: int) -> int:
    return (Resource.objects.filter(provider_id=department_id,
                                    status=Resource.Status.SUBMITTED)
            .exclude(recollection_reason="").count())


DUTIES = (
    Duty(rule="catalog.update", label=_("法规修订或职能调整后更新本部门目录"),
         roles=lambda rule: (Role.DATA_ADMIN,), open_count=_open_change_events),
    Duty(rule="catalog.recollection", label=_("不重复收集可通过共享获取的数据（编目时核对一数一源）"),
         roles=lambda rule: (Role.DATA_ADMIN,), applies=enabled_only,
         open_count=_overlapping_submissions),
)
