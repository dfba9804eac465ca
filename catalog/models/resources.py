"""Catalog entries (信息资源) and their data items (信息项): C1, C6.

Revisions (C6). A registered entry is never edited in place by a department. A change
starts a *revision*: a new ``Resource`` row in DRAFT with ``revision_of`` pointing to the
registered row, a copy of every field, and copies of its data items whose ``origin``
points to the registered item they stand for. The revision goes through the same
submit → review → return/approve path as a new entry, while the registered row stays
registered and visible. Approving it copies the proposed fields onto the registered row
(same id, same code) and updates the registered items in place: items with an ``origin``
update that item, new items are added, registered items the revision dropped are marked
retired (never deleted), so grants on item ids stay valid. The revision row ends in
APPLIED and remains as the record of what was proposed and approved.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.search import SearchableModel
from portal.workflow import Transition, TransitionTable

from .enums import (
    Classification,
    DataType,
    LegalBasisKind,
    OpenType,
    ResourceFormat,
    SecurityLevel,
    Sensitivity,
    SharingMethod,
    SharingType,
    Subject,
    Theme,
    UpdateCycle,
)


class Resource(SearchableModel):
    """One catalog entry (or a proposed revision of one, see the module docstring)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        REGISTERED = "registered", _("已注册")
        RETIRED = "retired", _("已撤销")
        APPLIED = "applied", _("修订已生效")

    # -- identity and classification (C1)
    code = models.CharField(_("资源代码"), max_length=40, unique=True, null=True, blank=True,
                            editable=False)
    name = models.CharField(_("资源名称"), max_length=200)
    provider = models.ForeignKey("portal.Department", on_delete=models.PROTECT,
                                 related_name="resources", verbose_name=_("提供方"))
    classification = models.CharField(_("资源分类"), max_length=16, choices=Classification.choices)
    theme = models.CharField(_("主题"), max_length=32, choices=Theme.choices, blank=True)
    summary = models.TextField(_("资源摘要"))
    format = models.CharField(_("资源格式"), max_length=20, choices=ResourceFormat.choices)
    format_subtype = models.CharField(_("格式细类"), max_length=40, blank=True)
    subjects = models.JSONField(_("信息主体"), default=list, blank=True,
                                help_text=_("企业、自然人、项目、行政权力等，决定必备信息项"))
    locality = models.CharField(_("信息属地"), max_length=64, blank=True)
    # -- sharing (C1, C2, C3)
    sharing_type = models.CharField(_("共享类型"), max_length=16, choices=SharingType.choices)
    sharing_conditions = models.TextField(_("共享条件"), blank=True)
    sharing_method = models.JSONField(_("共享方式"), default=list, blank=True)
    usage_requirements = models.TextField(_("使用要求"), blank=True)
    legal_basis_kind = models.CharField(_("依据类型"), max_length=32,
                                        choices=LegalBasisKind.choices, blank=True)
    legal_basis = models.TextField(_("法律依据"), blank=True,
                                   help_text=_("文件名称、文号及条款，如《中华人民共和国统计法》第二十五条"))
    update_cycle = models.CharField(_("更新周期"), max_length=16, choices=UpdateCycle.choices)
    # -- opening (C1)
    is_open = models.BooleanField(_("是否向社会开放"), default=False)
    open_type = models.CharField(_("开放类型"), max_length=16, choices=OpenType.choices,
                                 default=OpenType.NOT_OPEN)
    open_conditions = models.TextField(_("开放条件"), blank=True)
    is_disclosure = models.BooleanField(_("属于政府信息公开"), default=False)
    security_level = models.CharField(_("安全级别"), max_length=16, choices=SecurityLevel.choices,
                                      default=SecurityLevel.INTERNAL)
    publication_date = models.DateField(_("发布日期"), null=True, blank=True)
    related_resources = models.ManyToManyField("self", symmetrical=False, blank=True,
                                               related_name="related_from",
                                               verbose_name=_("关联资源"))
    # -- contact
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    # -- project catalogs (C11)
    project = models.ForeignKey("catalog.Project", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="resources",
                                verbose_name=_("信息化项目"))
    # -- workflow (C6)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    revision_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="revisions", verbose_name=_("修订对象"))
    review_warnings = models.JSONField(_("审核提示"), default=list, blank=True, editable=False)
    review_comment = models.TextField(_("审核意见"), blank=True)
    # 《政务数据共享条例》: what sharing already provides is not collected again; an entry
    # overlapping another department's registered entry (C5) states why, for the center.
    recollection_reason = models.TextField(_("重复收集理由"), blank=True)
    review_round = models.PositiveIntegerField(_("提交次数"), default=0, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("注册时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    retire_reason = models.TextField(_("撤销原因"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=SearchableModel.SEARCH_FIELDS)

    class Meta:
        verbose_name = _("信息资源")
        verbose_name_plural = _("信息资源")
        ordering = ["-registered_at", "-pk"]
        # Facet columns have a handful of values each: indexes on them only tempt the
        # planner into costly bitmap ANDs with the search index (measured in the benchmark).
        indexes = [
            models.Index(fields=["status", "provider"], name="catalog_res_status_prov"),
            models.Index(fields=["status", "-registered_at"], name="catalog_res_status_reg"),
            models.Index(fields=["provider", "-updated_at"], name="catalog_res_prov_upd"),
        ]
        constraints = [
            # At most one revision in progress per registered entry.
            models.UniqueConstraint(
                fields=["revision_of"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="catalog_one_open_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name

    @property
    def is_revision(self) -> bool:
        return self.revision_of_id is not None

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    def sharing_method_labels(self) -> str:
        labels = dict(SharingMethod.choices)
        return "、".join(str(labels.get(v, v)) for v in self.sharing_method or [])

    def subject_labels(self) -> str:
        labels = dict(Subject.choices)
        return "、".join(str(labels.get(v, v)) for v in self.subjects or [])

    def search_document(self):
        provider = self.provider
        return [
            self.name, self.code, self.summary, self.get_theme_display() if self.theme else "",
            self.get_classification_display(), provider.name, provider.short_name,
            *self.items.filter(retired=False).values_list("name", flat=True),
        ]


TRANSITIONS = TransitionTable(
    Transition("submit", source=[Resource.Status.DRAFT, Resource.Status.RETURNED],
               target=Resource.Status.SUBMITTED, label=_("提交")),
    Transition("withdraw", source=Resource.Status.SUBMITTED, target=Resource.Status.DRAFT,
               label=_("撤回")),
    Transition("approve", source=Resource.Status.SUBMITTED, target=Resource.Status.REGISTERED,
               label=_("审核通过")),
    # A revision that is approved is applied to the registered entry (see module docstring).
    Transition("apply", source=Resource.Status.SUBMITTED, target=Resource.Status.APPLIED,
               label=_("审核通过（修订）")),
    Transition("return", source=Resource.Status.SUBMITTED, target=Resource.Status.RETURNED,
               label=_("退回")),
    Transition("retire", source=Resource.Status.REGISTERED, target=Resource.Status.RETIRED,
               label=_("撤销")),
    # Recorded on the registered entry when an approved revision is applied to it.
    Transition("revise", source=Resource.Status.REGISTERED, target=Resource.Status.REGISTERED,
               label=_("修订生效")),
    model=Resource,
)


class DataItem(models.Model):
    """One data item (信息项) of an entry."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="items",
                                 verbose_name=_("信息资源"))
    origin = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="revision_copies", verbose_name=_("对应的已注册信息项"),
                               help_text=_("修订稿中的信息项指向它所修改的已注册信息项"))
    position = models.PositiveIntegerField(_("序号"), default=0)
    name = models.CharField(_("信息项名称"), max_length=100)
    field_name = models.CharField(_("字段标识"), max_length=64, blank=True,
                                  help_text=_("数据文件中的列名（英文字母、数字、下划线）"))
    data_type = models.CharField(_("数据类型"), max_length=16, choices=DataType.choices,
                                 default=DataType.STRING)
    length = models.PositiveIntegerField(_("数据长度"), null=True, blank=True)
    description = models.CharField(_("说明"), max_length=500, blank=True)
    sensitivity = models.CharField(_("敏感级别"), max_length=20, choices=Sensitivity.choices,
                                   default=Sensitivity.NONE)
    sharing_type = models.CharField(_("共享类型"), max_length=16, choices=SharingType.choices,
                                    blank=True,
                                    help_text=_("留空则与资源的共享类型相同"))
    is_key = models.BooleanField(_("可作查询条件"), default=False,
                                 help_text=_("联机查询时可按此项筛选（如身份证号码、统一社会信用代码）"))
    is_base = models.BooleanField(_("基础信息项"), default=False,
                                  help_text=_("基础信息资源的基础信息项必须无条件共享"))
    retired = models.BooleanField(_("已停用"), default=False)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("信息项")
        verbose_name_plural = _("信息项")
        ordering = ["resource", "position", "pk"]
        indexes = [
            models.Index(fields=["name"], name="catalog_item_name"),
            models.Index(fields=["resource", "position"], name="catalog_item_res_pos"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_sharing_type(self) -> str:
        return self.sharing_type or self.resource.sharing_type


class ResourceCodeSequence(models.Model):
    """The last sequence number used per provider and classification (codes never repeat)."""

    provider = models.ForeignKey("portal.Department", on_delete=models.CASCADE, related_name="+")
    classification = models.CharField(max_length=16, choices=Classification.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("资源代码序号")
        verbose_name_plural = _("资源代码序号")
        constraints = [
            models.UniqueConstraint(fields=["provider", "classification"],
                                    name="catalog_code_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}/{self.classification}: {self.last}"


class SubmittedResource(Resource):
    """The center's review queue in the admin: submitted entries and revisions (C6)."""

    class Meta:
        proxy = True
        verbose_name = _("目录审核队列")
        verbose_name_plural = _("目录审核队列")
