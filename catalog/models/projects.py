"""Informatization projects and their catalogs (C11, NAT-21, HN-39(1)(2)).

A project pre-compiles its catalog (entries with ``project`` set, in DRAFT) before it can
be approved; on completion (验收) every entry of the project must be registered.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.workflow import Transition, TransitionTable


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("编制中")
        SUBMITTED = "submitted", _("待立项审批")
        APPROVED = "approved", _("已立项")
        COMPLETED = "completed", _("已验收")
        REJECTED = "rejected", _("未通过")

    code = models.CharField(_("项目编码"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    department = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                   related_name="catalog_projects", verbose_name=_("建设单位"))
    description = models.TextField(_("建设内容"), blank=True)
    budget = models.DecimalField(_("概算（万元）"), max_digits=14, decimal_places=2,
                                 null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.PLANNING)
    approved_on = models.DateField(_("立项日期"), null=True, blank=True)
    completed_on = models.DateField(_("验收日期"), null=True, blank=True)
    review_comment = models.TextField(_("审批意见"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信息化项目")
        verbose_name_plural = _("信息化项目")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


PROJECT_TRANSITIONS = TransitionTable(
    Transition("submit", source=[Project.Status.PLANNING, Project.Status.REJECTED],
               target=Project.Status.SUBMITTED, label=_("提交立项审批")),
    Transition("approve", source=Project.Status.SUBMITTED, target=Project.Status.APPROVED,
               label=_("批准立项")),
    Transition("reject", source=Project.Status.SUBMITTED, target=Project.Status.REJECTED,
               label=_("不予立项")),
    Transition("complete", source=Project.Status.APPROVED, target=Project.Status.COMPLETED,
               label=_("项目验收")),
    model=Project,
)
