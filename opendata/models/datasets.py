"""Open datasets, their published fields and distributions, and updates (O1, O2, O3).

A dataset is published from one registered catalog entry whose open type is
unconditional or conditional. Its *fields* are the data items the center approved for
opening, each with its desensitization rule: only those columns ever leave the platform,
masked. The published data is a masked snapshot of the entry's current data version,
from which the CSV/XLSX/JSON files are generated once; the data API reads the snapshot.

A change to a published dataset is a :class:`DatasetUpdate`, reviewed like the first
publication while the published version stays online.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.models import OpenType, Theme, UpdateCycle
from dataplane.models.masking import mask_rule_text
from portal.models.deadlines import DeadlineMarkers
from portal.search import SearchableModel
from portal.workflow import Transition, TransitionTable

from ..vocab import DistributionFormat, Licence

# Open types a dataset may carry: never "not open" (O1).
PUBLISHABLE_OPEN_TYPES = (OpenType.UNCONDITIONAL, OpenType.CONDITIONAL)


class Dataset(DeadlineMarkers, SearchableModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PROPOSED = "proposed", _("待审核")
        RETURNED = "returned", _("已退回")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已下线")

    class DataStatus(models.TextChoices):
        NONE = "none", _("暂无数据")
        PENDING = "pending", _("生成中")
        READY = "ready", _("已生成")
        FAILED = "failed", _("生成失败")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.SlugField(_("标识名"), max_length=100, unique=True,
                            help_text=_("网址和 CKAN 接口中使用的名称，小写字母、数字和连字符"))
    resource = models.OneToOneField("catalog.Resource", on_delete=models.PROTECT,
                                    related_name="open_dataset", verbose_name=_("目录资源"))
    publisher = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                  related_name="open_datasets", verbose_name=_("发布部门"))
    # -- metadata shown to the public (O1)
    title = models.CharField(_("数据集名称"), max_length=200)
    description = models.TextField(_("数据集简介"))
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    theme = models.CharField(_("主题"), max_length=32, choices=Theme.choices)
    licence = models.CharField(_("开放许可"), max_length=32, choices=Licence.choices,
                               default=Licence.GOV_OPEN)
    open_type = models.CharField(_("开放类型"), max_length=16, choices=OpenType.choices)
    open_conditions = models.TextField(_("开放条件"), blank=True,
                                       help_text=_("有条件开放时，申请人须满足的条件"))
    update_cycle = models.CharField(_("更新周期"), max_length=16, choices=UpdateCycle.choices)
    spatial = models.CharField(_("空间范围"), max_length=100, blank=True)
    temporal_start = models.DateField(_("时间范围起"), null=True, blank=True)
    temporal_end = models.DateField(_("时间范围止"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    # -- workflow (O2)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    review_comment = models.TextField(_("审核意见"), blank=True)
    proposed_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    review_due_on = models.DateField(_("审核期限"), null=True, blank=True)
    first_published_at = models.DateTimeField(_("首次发布时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("最近发布时间"), null=True, blank=True)
    modified_at = models.DateTimeField(_("最近更新时间"), null=True, blank=True,
                                       help_text=_("元数据或数据最近一次对外更新的时间"))
    withdrawn_at = models.DateTimeField(_("下线时间"), null=True, blank=True)
    withdraw_reason = models.TextField(_("下线原因"), blank=True,
                                       help_text=_("向社会公开显示"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    # -- the published data (O3)
    data_status = models.CharField(_("数据状态"), max_length=10, choices=DataStatus.choices,
                                   default=DataStatus.NONE)
    data_error = models.TextField(_("生成错误"), blank=True)
    data_requested_at = models.DateTimeField(_("最近生成请求时间"), null=True, blank=True)
    data_attempt_version = models.ForeignKey(
        "dataplane.DataVersion", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("最近尝试的数据版本"))
    data_file = models.FileField(_("脱敏数据快照"), max_length=300, blank=True)
    source_version = models.ForeignKey("dataplane.DataVersion", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+",
                                       verbose_name=_("来源数据版本"))
    row_count = models.BigIntegerField(_("记录数"), null=True, blank=True)
    data_columns = models.JSONField(_("数据字段"), default=list, blank=True,
                                    help_text="[{name, title, type}] of the snapshot, in order.")
    data_modified_at = models.DateTimeField(_("数据更新时间"), null=True, blank=True)
    # -- usage, kept as counters (O4); written with update(), so outside history
    view_count = models.BigIntegerField(_("浏览量"), default=0)
    download_count = models.BigIntegerField(_("下载量"), default=0)
    api_call_count = models.BigIntegerField(_("接口调用量"), default=0)
    rating_count = models.IntegerField(_("评分人数"), default=0)
    rating_total = models.IntegerField(_("评分总和"), default=0)

    history = HistoricalRecords(excluded_fields=[
        *SearchableModel.SEARCH_FIELDS, "view_count", "download_count", "api_call_count",
        "rating_count", "rating_total",
    ])

    class Meta:
        verbose_name = _("开放数据集")
        verbose_name_plural = _("开放数据集")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="od_ds_status_pub"),
            models.Index(fields=["status", "-modified_at"], name="od_ds_status_mod"),
            models.Index(fields=["status", "publisher"], name="od_ds_status_publisher"),
            models.Index(fields=["status", "theme"], name="od_ds_status_theme"),
            models.Index(fields=["status", "review_due_on"], name="od_ds_status_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(open_type__in=["unconditional", "conditional"]),
                                   name="od_ds_open_type_publishable"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_conditional(self) -> bool:
        return self.open_type == OpenType.CONDITIONAL

    @property
    def rating_average(self) -> float | None:
        return round(self.rating_total / self.rating_count, 1) if self.rating_count else None

    def search_document(self):
        publisher = self.publisher
        return [
            self.title, self.description, " ".join(self.keywords or []),
            self.get_theme_display(), publisher.name, publisher.short_name, self.name,
            *self.fields.filter(included=True).values_list("title", flat=True),
        ]


TRANSITIONS = TransitionTable(
    Transition("propose", source=[Dataset.Status.DRAFT, Dataset.Status.RETURNED,
                                  Dataset.Status.WITHDRAWN],
               target=Dataset.Status.PROPOSED, label=_("提交审核")),
    Transition("recall", source=Dataset.Status.PROPOSED, target=Dataset.Status.DRAFT,
               label=_("撤回申请")),
    Transition("approve", source=Dataset.Status.PROPOSED, target=Dataset.Status.PUBLISHED,
               label=_("审核通过并发布")),
    Transition("return", source=Dataset.Status.PROPOSED, target=Dataset.Status.RETURNED,
               label=_("退回修改")),
    Transition("withdraw", source=Dataset.Status.PUBLISHED, target=Dataset.Status.WITHDRAWN,
               label=_("下线")),
    model=Dataset,
)


class DatasetField(models.Model):
    """One data item of the entry as it is opened: included or not, and how it is masked."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="fields",
                                verbose_name=_("数据集"))
    item = models.ForeignKey("catalog.DataItem", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("信息项"))
    position = models.PositiveIntegerField(_("序号"), default=0)
    column = models.CharField(_("字段标识"), max_length=64)
    title = models.CharField(_("字段名称"), max_length=100)
    included = models.BooleanField(_("开放此项"), default=True)
    mask_rule = models.CharField(_("脱敏规则"), max_length=32, blank=True)
    mask_params = models.JSONField(_("规则参数"), default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("开放字段")
        verbose_name_plural = _("开放字段")
        ordering = ["dataset", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "item"], name="od_field_unique_item"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def mask_rule_text(self) -> str:
        return mask_rule_text(self.mask_rule, self.mask_params)


class Distribution(models.Model):
    """One way to get the dataset: a generated file, or the data API (O1)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions",
                                verbose_name=_("数据集"))
    format = models.CharField(_("格式"), max_length=8, choices=DistributionFormat.choices)
    file = models.FileField(_("文件"), max_length=300, blank=True)
    byte_size = models.BigIntegerField(_("大小（字节）"), null=True, blank=True)
    checksum = models.CharField(_("SHA-256 校验值"), max_length=64, blank=True)
    modified_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据分发")
        verbose_name_plural = _("数据分发")
        ordering = ["dataset", "format"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "format"], name="od_dist_unique_format"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} · {self.get_format_display()}"

    @property
    def is_file(self) -> bool:
        return self.format != DistributionFormat.API


class DatasetUpdate(DeadlineMarkers):
    """A proposed change to a published dataset: metadata and field rules (O2)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PROPOSED = "proposed", _("待审核")
        RETURNED = "returned", _("已退回")
        APPLIED = "applied", _("已生效")
        CANCELLED = "cancelled", _("已取消")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="updates",
                                verbose_name=_("数据集"))
    summary = models.CharField(_("更新说明"), max_length=300,
                               help_text=_("向社会公开的更新说明，如“新增 2025 年数据字段”"))
    changes = models.JSONField(_("元数据变更"), default=dict, blank=True)
    field_rules = models.JSONField(_("字段与脱敏规则"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    review_comment = models.TextField(_("审核意见"), blank=True)
    review_due_on = models.DateField(_("审核期限"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("提出人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    applied_at = models.DateTimeField(_("生效时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("数据集更新")
        verbose_name_plural = _("数据集更新")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dataset"],
                                    condition=Q(status__in=["draft", "proposed", "returned"]),
                                    name="od_one_open_update"),
        ]
        indexes = [models.Index(fields=["status", "review_due_on"], name="od_upd_status_due")]

    def __str__(self) -> str:
        return self.summary


UPDATE_TRANSITIONS = TransitionTable(
    Transition("propose", source=[DatasetUpdate.Status.DRAFT, DatasetUpdate.Status.RETURNED],
               target=DatasetUpdate.Status.PROPOSED, label=_("提交审核")),
    Transition("approve", source=DatasetUpdate.Status.PROPOSED,
               target=DatasetUpdate.Status.APPLIED, label=_("审核通过")),
    Transition("return", source=DatasetUpdate.Status.PROPOSED,
               target=DatasetUpdate.Status.RETURNED, label=_("退回修改")),
    Transition("cancel", source=[DatasetUpdate.Status.DRAFT, DatasetUpdate.Status.PROPOSED,
                                 DatasetUpdate.Status.RETURNED],
               target=DatasetUpdate.Status.CANCELLED, label=_("取消")),
    model=DatasetUpdate,
)
