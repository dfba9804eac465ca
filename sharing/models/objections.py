"""Objections and corrections (S8, NAT-15, HN-24, YS-19): a user of shared data reports a
doubtful or wrong record or resource; the provider verifies and answers by a due date;
the time to fix is kept for assessment (A2)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models.deadlines import DeadlineFields
from portal.workflow import Transition, TransitionTable


class Objection(DeadlineFields):
    class Kind(models.TextChoices):
        DOUBTFUL = "doubtful", _("数据存疑")
        WRONG = "wrong", _("数据错误")

    class Scope(models.TextChoices):
        RECORD = "record", _("具体记录")
        RESOURCE = "resource", _("整个资源（目录或数据）")

    class Status(models.TextChoices):
        OPEN = "open", _("待核实")
        CORRECTED = "corrected", _("已更正")
        CONFIRMED = "confirmed", _("经核实无误")
        CLOSED = "closed", _("已办结")
        WITHDRAWN = "withdrawn", _("已撤回")

    number = models.CharField(_("编号"), max_length=20, unique=True, null=True, editable=False)
    reporter = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                 related_name="sharing_objections_made",
                                 verbose_name=_("提出部门"))
    provider = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                 related_name="sharing_objections_received",
                                 verbose_name=_("提供部门"))
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT,
                                 related_name="sharing_objections", verbose_name=_("信息资源"))
    item = models.ForeignKey("catalog.DataItem", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("信息项"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    scope = models.CharField(_("范围"), max_length=10, choices=Scope.choices,
                             default=Scope.RECORD)
    record_reference = models.CharField(_("记录标识"), max_length=200, blank=True,
                                        help_text=_("如统一社会信用代码、身份证号码或记录编号"))
    description = models.TextField(_("问题描述"))
    attachment = models.FileField(_("佐证材料"), upload_to="sharing/objections/%Y/", blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    answer = models.TextField(_("核实答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("答复人"))
    fix_working_days = models.PositiveIntegerField(_("处理用时（工作日）"), null=True, blank=True)
    answered_late = models.BooleanField(_("超期答复"), default=False)
    reopen_count = models.PositiveSmallIntegerField(_("重新提出次数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("提出人"))
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta(DeadlineFields.Meta):
        verbose_name = _("数据异议")
        verbose_name_plural = _("数据异议")
        ordering = ["-created_at", "-pk"]
        indexes = [
            *DeadlineFields.Meta.indexes,
            models.Index(fields=["provider", "status", "-created_at"],
                         name="sharing_obj_provider"),
            models.Index(fields=["reporter", "status", "-created_at"],
                         name="sharing_obj_reporter"),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.resource.name}"


OS = Objection.Status
OBJECTION_TRANSITIONS = TransitionTable(
    Transition("correct", source=OS.OPEN, target=OS.CORRECTED, label=_("已更正")),
    Transition("confirm", source=OS.OPEN, target=OS.CONFIRMED, label=_("核实无误")),
    Transition("reopen", source=[OS.CORRECTED, OS.CONFIRMED], target=OS.OPEN,
               label=_("对答复有异议，重新提出")),
    Transition("accept", source=[OS.CORRECTED, OS.CONFIRMED], target=OS.CLOSED,
               label=_("认可答复")),
    Transition("withdraw", source=OS.OPEN, target=OS.WITHDRAWN, label=_("撤回")),
    model=Objection,
)
