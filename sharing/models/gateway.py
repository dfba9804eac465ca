"""Interface sharing (S9 服务接口 / 系统对接): data services registered by providers and
called by consumers through the portal's gateway.

A provider's data administrator registers one :class:`DataService` per registered
resource — the upstream base URL, the credential (encrypted at rest, see
``portal.secrets``), timeout and answer size limit — with one or more
:class:`ServiceOperation`: method and path, the declared parameters (each may filter on
a key data item), where the records sit in the JSON answer and which answer field holds
which data item. The information center reviews and enables it (``SERVICE_TRANSITIONS``,
applied by the shared workflow helper). A periodic health check records
:class:`ServiceHealthCheck` rows and the service's current health.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.workflow import Transition, TransitionTable

OPERATION_NAME = RegexValidator(r"^[a-z][a-z0-9_-]{0,47}$",
                                _("操作标识只能由小写字母、数字、下划线和连字符组成，以字母开头。"))


class DataService(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待信息中心审核")
        RETURNED = "returned", _("已退回")
        ENABLED = "enabled", _("已启用")
        SUSPENDED = "suspended", _("已停用")

    class Health(models.TextChoices):
        UNKNOWN = "unknown", _("未检测")
        UP = "up", _("正常")
        DOWN = "down", _("不可用")

    class CredentialPlace(models.TextChoices):
        NONE = "none", _("无需凭据")
        HEADER = "header", _("请求头")
        QUERY = "query", _("查询参数")

    resource = models.OneToOneField("catalog.Resource", on_delete=models.PROTECT,
                                    related_name="data_service", verbose_name=_("信息资源"))
    base_url = models.URLField(_("接口地址"), max_length=500,
                               help_text=_("提供部门业务系统的接口根地址（http 或 https）"))
    credential_place = models.CharField(_("凭据位置"), max_length=8,
                                        choices=CredentialPlace.choices,
                                        default=CredentialPlace.NONE)
    credential_name = models.CharField(_("凭据名称"), max_length=100, blank=True,
                                       help_text=_("如请求头 X-Api-Key 或查询参数 appKey"))
    # A MultiFernet token (portal.secrets); the plain secret is never stored.
    credential_secret = models.TextField(_("凭据密文"), blank=True, editable=False)
    timeout_ms = models.PositiveIntegerField(_("超时（毫秒）"), default=5000)
    max_answer_bytes = models.PositiveBigIntegerField(_("应答上限（字节）"),
                                                      default=10 * 1024 * 1024)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    review_comment = models.TextField(_("审核意见"), blank=True)
    health = models.CharField(_("运行状态"), max_length=8, choices=Health.choices,
                              default=Health.UNKNOWN)
    health_changed_at = models.DateTimeField(_("运行状态变化时间"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("最近检测时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["credential_secret", "last_checked_at"])

    class Meta:
        verbose_name = _("数据服务接口")
        verbose_name_plural = _("数据服务接口")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["status"], name="sharing_service_status")]

    def __str__(self) -> str:
        return f"{self.resource.name}（{self.resource.code}）"

    @property
    def has_credential(self) -> bool:
        return bool(self.credential_secret)


SERVICE_TRANSITIONS = TransitionTable(
    Transition("submit", source=[DataService.Status.DRAFT, DataService.Status.RETURNED],
               target=DataService.Status.SUBMITTED, label=_("提交审核")),
    Transition("return", source=DataService.Status.SUBMITTED,
               target=DataService.Status.RETURNED, label=_("退回")),
    Transition("enable", source=[DataService.Status.SUBMITTED, DataService.Status.SUSPENDED],
               target=DataService.Status.ENABLED, label=_("启用")),
    Transition("suspend", source=DataService.Status.ENABLED,
               target=DataService.Status.SUSPENDED, label=_("停用")),
    Transition("revise", source=[DataService.Status.ENABLED, DataService.Status.SUSPENDED],
               target=DataService.Status.DRAFT, label=_("修改后重新提交")),
    model=DataService,
)


class ServiceOperation(models.Model):
    """One callable operation of a service.

    ``params``: ``[{"name": "sfzh", "in": "query"|"path", "item": <DataItem id or null>,
    "required": bool, "description": "…"}]`` — only these are forwarded upstream.
    ``records_path``: dotted path to the list of records in the JSON answer ("" = the
    answer itself, a list or one object). ``field_map``: ``{"answer field": item id}``.
    """

    class Method(models.TextChoices):
        GET = "GET", "GET"
        POST = "POST", "POST"

    service = models.ForeignKey(DataService, on_delete=models.CASCADE,
                                related_name="operations", verbose_name=_("数据服务"))
    name = models.CharField(_("操作标识"), max_length=48, validators=[OPERATION_NAME])
    label = models.CharField(_("操作名称"), max_length=100)
    method = models.CharField(_("请求方法"), max_length=6, choices=Method.choices,
                              default=Method.GET)
    path = models.CharField(_("路径"), max_length=300)
    params = models.JSONField(_("参数"), default=list, blank=True)
    records_path = models.CharField(_("记录位置"), max_length=200, blank=True)
    field_map = models.JSONField(_("字段映射"), default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("服务操作")
        verbose_name_plural = _("服务操作")
        ordering = ["service", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["service", "name"],
                                               name="sharing_operation_unique_name")]

    def __str__(self) -> str:
        return f"{self.label}（{self.name}）"


class ServiceHealthCheck(models.Model):
    """One call of the periodic health check (status history)."""

    service = models.ForeignKey(DataService, on_delete=models.CASCADE,
                                related_name="health_checks", verbose_name=_("数据服务"))
    at = models.DateTimeField(_("检测时间"), default=timezone.now)
    ok = models.BooleanField(_("是否正常"))
    status_code = models.PositiveSmallIntegerField(_("应答状态码"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("耗时（毫秒）"), null=True, blank=True)
    error = models.CharField(_("异常说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("服务运行检测")
        verbose_name_plural = _("服务运行检测")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["service", "-at"], name="sharing_health_service_at")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.at:%Y-%m-%d %H:%M} {'OK' if self.ok else 'DOWN'}"
