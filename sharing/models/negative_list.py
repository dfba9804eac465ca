"""The negative list (负面清单, S11, HN-12).

Every conditional and not-shared registered resource is on the list with its legal
basis. The authority reviews the list in rounds with the secrecy, establishment and
legal co-reviewers (each signs off, ``CoReview``), then publishes it to all government
users. A periodic review opens a round for resources missing from the list, entries
without a valid basis and entries not reviewed for 12 months. Removing an entry makes
its resource unconditional.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import LegalBasisKind, SharingType
from portal.workflow import Transition, TransitionTable


class NegativeListEntry(models.Model):
    class Status(models.TextChoices):
        LISTED = "listed", _("在清单中")
        REMOVED = "removed", _("已移出清单")

    resource = models.OneToOneField("catalog.Resource", on_delete=models.PROTECT,
                                    related_name="negative_list_entry",
                                    verbose_name=_("信息资源"))
    sharing_type = models.CharField(_("共享类型"), max_length=16, choices=SharingType.choices)
    legal_basis_kind = models.CharField(_("依据类型"), max_length=32,
                                        choices=LegalBasisKind.choices, blank=True)
    legal_basis = models.TextField(_("法律依据"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.LISTED)
    listed_at = models.DateTimeField(_("列入时间"), default=timezone.now)
    last_reviewed_on = models.DateField(_("最近审查日期"))
    removed_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    removal_reason = models.TextField(_("移出理由"), blank=True)
    published_round = models.ForeignKey("sharing.NegativeListRound", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+",
                                        verbose_name=_("发布批次"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("负面清单条目")
        verbose_name_plural = _("负面清单")
        ordering = ["resource__provider__name", "resource__name"]
        indexes = [models.Index(fields=["status", "last_reviewed_on"],
                                name="sharing_neg_status_review")]

    def __str__(self) -> str:
        return str(self.resource)


class NegativeListRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("审查中")
        SIGNOFF = "signoff", _("会审中")
        PUBLISHED = "published", _("已发布")
        CANCELLED = "cancelled", _("已取消")

    class Origin(models.TextChoices):
        PERIODIC = "periodic", _("定期审查自动发起")
        MANUAL = "manual", _("主管部门发起")

    title = models.CharField(_("名称"), max_length=200)
    origin = models.CharField(_("发起方式"), max_length=10, choices=Origin.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    opened_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("发起人"))
    summary = models.TextField(_("审查说明"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("发布人"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("负面清单审查")
        verbose_name_plural = _("负面清单审查")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class RoundItem(models.Model):
    """One resource examined in a review round, with the problem found and the decision."""

    class Problem(models.TextChoices):
        MISSING = "missing", _("未列入清单")
        NO_BASIS = "no_basis", _("缺少有效依据")
        STALE = "stale", _("超过期限未审查")
        MANUAL = "manual", _("主管部门提出审查")

    class Decision(models.TextChoices):
        LIST = "list", _("列入（保留）清单")
        REMOVE = "remove", _("移出清单，改为无条件共享")

    review_round = models.ForeignKey(NegativeListRound, on_delete=models.CASCADE,
                                     related_name="items", verbose_name=_("审查批次"))
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("信息资源"))
    problem = models.CharField(_("审查事由"), max_length=10, choices=Problem.choices)
    decision = models.CharField(_("审查结论"), max_length=10, choices=Decision.choices,
                                blank=True)
    legal_basis_kind = models.CharField(_("依据类型"), max_length=32,
                                        choices=LegalBasisKind.choices, blank=True)
    legal_basis = models.TextField(_("法律依据"), blank=True)
    note = models.TextField(_("审查意见"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("审查事项")
        verbose_name_plural = _("审查事项")
        ordering = ["review_round", "pk"]
        constraints = [models.UniqueConstraint(fields=["review_round", "resource"],
                                               name="sharing_round_item_unique")]

    def __str__(self) -> str:
        return f"{self.resource} · {self.get_problem_display()}"


R = NegativeListRound.Status
ROUND_TRANSITIONS = TransitionTable(
    Transition("submit_signoff", source=R.OPEN, target=R.SIGNOFF, label=_("提交会审")),
    Transition("reopen", source=R.SIGNOFF, target=R.OPEN, label=_("退回修改")),
    Transition("publish", source=R.SIGNOFF, target=R.PUBLISHED, label=_("发布")),
    Transition("cancel", source=[R.OPEN, R.SIGNOFF], target=R.CANCELLED, label=_("取消")),
    model=NegativeListRound,
)
