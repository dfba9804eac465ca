"""Share requests for conditional (and not-shared) resources: S2, S3, S4, S12.

The answer pipeline (S3) follows the provider region's rule pack (``sharing.pipeline``):
optional compliance check (the center's pre-review, or the authority's) → the provider's
answer (extendable once where the pack allows, with its consent, see ``extensions``) →
optional supply of the data after consent (HY-17) → optional center enablement. A request
of a lower level to an upper-level provider for data of its own jurisdiction is a 回流
request, answered within the pack's return-flow limit. A refusal can be escalated to negotiation between the departments
and then to coordination by the authority (S4, see ``disputes``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import SharingMethod
from portal.models.deadlines import DeadlineFields
from portal.workflow import Transition, TransitionTable

from .enums import Purpose


class ShareRequest(DeadlineFields):
    class Answer(models.TextChoices):
        APPROVED = "approved", _("同意共享")
        PARTIAL = "partial", _("部分同意")
        REFUSED = "refused", _("不予共享")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PREREVIEW = "prereview", _("信息中心预审中")
        RETURNED = "returned", _("已退回修改")
        PROVIDER_REVIEW = "provider_review", _("待提供部门答复")
        SUPPLY = "supply", _("待提供部门提供数据")
        ENABLEMENT = "enablement", _("待信息中心开通")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("已拒绝")
        NEGOTIATING = "negotiating", _("协商中")
        COORDINATING = "coordinating", _("主管部门协调中")
        CLOSED = "closed", _("协调后不予共享")
        WITHDRAWN = "withdrawn", _("已撤回")

    number = models.CharField(_("申请编号"), max_length=20, unique=True, null=True,
                              editable=False)
    applicant = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                  related_name="sharing_requests_made",
                                  verbose_name=_("申请部门"))
    provider = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                 related_name="sharing_requests_received",
                                 verbose_name=_("提供部门"))
    resource = models.ForeignKey("catalog.Resource", on_delete=models.PROTECT,
                                 related_name="sharing_requests", verbose_name=_("信息资源"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    # -- what the applicant states (S2, HN-20, YS-24)
    purpose = models.CharField(_("用途"), max_length=32, choices=Purpose.choices)
    purpose_detail = models.TextField(_("用途说明"),
                                      help_text=_("说明履行的职责、办理的业务及依据"))
    knowledge_scope = models.TextField(_("知悉范围"),
                                       help_text=_("哪些处室、岗位和人员可以接触这些数据"))
    security_measures = models.TextField(_("安全保障措施"))
    items = models.ManyToManyField("catalog.DataItem", related_name="sharing_requests",
                                   verbose_name=_("申请信息项"))
    period_start = models.DateField(_("使用开始日期"))
    period_end = models.DateField(_("使用结束日期"))
    method = models.CharField(_("使用方式"), max_length=20, choices=SharingMethod.choices)
    commitment_document = models.FileField(_("信息安全保障承诺书"),
                                           upload_to="sharing/requests/%Y/", blank=True)
    commitment_accepted = models.BooleanField(_("承诺按申请用途使用并落实安全保障措施"),
                                              default=False)
    # -- the answer (S3)
    approved_items = models.ManyToManyField("catalog.DataItem", related_name="+", blank=True,
                                            verbose_name=_("同意共享的信息项"))
    masked_items = models.ManyToManyField("catalog.DataItem", related_name="+", blank=True,
                                          verbose_name=_("须脱敏的信息项"))
    approved_until = models.DateField(_("授权到期日期"), null=True, blank=True)
    answer_comment = models.TextField(_("答复意见"), blank=True)
    refusal_reason = models.TextField(_("不予共享理由"), blank=True)
    center_comment = models.TextField(_("信息中心意见"), blank=True)
    # -- the record of responses (S12)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("填报人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    answer_started_on = models.DateField(_("提供部门收到日期"), null=True, blank=True)
    answer_due_on = models.DateField(_("答复期限"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("答复人"))
    answer = models.CharField(_("答复结果"), max_length=10, choices=Answer.choices, blank=True)
    answer_working_days = models.PositiveIntegerField(_("答复用时（工作日）"), null=True,
                                                      blank=True)
    answered_late = models.BooleanField(_("超期答复"), default=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # -- the pipeline the pack gave this request
    prereview_by = models.CharField(_("合规性审查机构"), max_length=12, blank=True,
                                    help_text=_("center：信息中心；authority：主管部门"))
    return_flow = models.BooleanField(
        _("回流申请"), default=False,
        help_text=_("下级部门向上级部门申请本辖区的数据（《政务数据共享条例》）"))
    supplied_at = models.DateTimeField(_("提供数据时间"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[items, approved_items, masked_items])

    class Meta(DeadlineFields.Meta):
        verbose_name = _("共享申请")
        verbose_name_plural = _("共享申请")
        ordering = ["-created_at", "-pk"]
        indexes = [
            *DeadlineFields.Meta.indexes,
            models.Index(fields=["provider", "status", "-created_at"],
                         name="sharing_req_provider"),
            models.Index(fields=["applicant", "status", "-created_at"],
                         name="sharing_req_applicant"),
            models.Index(fields=["status", "-submitted_at"], name="sharing_req_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number or _('草稿')} · {self.resource.name}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


S = ShareRequest.Status
OPEN_STATUSES = frozenset({S.PREREVIEW, S.PROVIDER_REVIEW, S.SUPPLY, S.ENABLEMENT,
                           S.NEGOTIATING, S.COORDINATING})
FINAL_STATUSES = frozenset({S.APPROVED, S.CLOSED, S.WITHDRAWN})

TRANSITIONS = TransitionTable(
    # submit: the service picks the first step the pipeline and the resource call for
    Transition("submit", source=[S.DRAFT, S.RETURNED], target=S.PROVIDER_REVIEW,
               label=_("提交")),
    Transition("submit_prereview", source=[S.DRAFT, S.RETURNED], target=S.PREREVIEW,
               label=_("提交（信息中心预审）")),
    Transition("submit_negotiation", source=[S.DRAFT, S.RETURNED], target=S.NEGOTIATING,
               label=_("提交（不予共享资源，进入协商）")),
    Transition("prereview_pass", source=S.PREREVIEW, target=S.PROVIDER_REVIEW,
               label=_("预审通过")),
    Transition("prereview_return", source=S.PREREVIEW, target=S.RETURNED, label=_("退回修改")),
    Transition("approve", source=[S.PROVIDER_REVIEW, S.NEGOTIATING], target=S.APPROVED,
               label=_("同意共享")),
    Transition("approve_for_enablement", source=[S.PROVIDER_REVIEW, S.NEGOTIATING],
               target=S.ENABLEMENT, label=_("同意共享（待信息中心开通）")),
    Transition("approve_for_supply", source=[S.PROVIDER_REVIEW, S.NEGOTIATING],
               target=S.SUPPLY, label=_("同意共享（待提供数据）")),
    Transition("supply", source=S.SUPPLY, target=S.APPROVED, label=_("已提供数据")),
    Transition("supply_for_enablement", source=S.SUPPLY, target=S.ENABLEMENT,
               label=_("已提供数据（待信息中心开通）")),
    Transition("extend", source=S.PROVIDER_REVIEW, target=S.PROVIDER_REVIEW,
               label=_("延长答复期限")),
    Transition("enable", source=S.ENABLEMENT, target=S.APPROVED, label=_("开通")),
    Transition("refuse", source=S.PROVIDER_REVIEW, target=S.REFUSED, label=_("不予共享")),
    Transition("escalate", source=S.REFUSED, target=S.NEGOTIATING, label=_("提请协商")),
    Transition("escalate", source=S.NEGOTIATING, target=S.COORDINATING,
               label=_("提请主管部门协调")),
    Transition("coordinate_approve", source=S.COORDINATING, target=S.APPROVED,
               label=_("协调决定：予以共享")),
    Transition("coordinate_refuse", source=S.COORDINATING, target=S.CLOSED,
               label=_("协调决定：不予共享")),
    Transition("withdraw", source=[S.DRAFT, S.RETURNED, S.PREREVIEW, S.PROVIDER_REVIEW,
                                   S.REFUSED, S.NEGOTIATING, S.COORDINATING],
               target=S.WITHDRAWN, label=_("撤回")),
    model=ShareRequest,
)


class ResponseRecord(ShareRequest):
    """The record of responses (S12): every demand with how and when it was answered
    (the authority's view in the admin)."""

    class Meta:
        proxy = True
        verbose_name = _("共享需求响应记录")
        verbose_name_plural = _("共享需求响应记录")
