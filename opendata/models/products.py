"""Data products built on open data (HN-28/29, O7): registered, reviewed, reported on."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.workflow import Transition, TransitionTable


class DataProduct(models.Model):
    class Kind(models.TextChoices):
        MOBILE_APP = "mobile_app", _("移动应用")
        WEB = "web", _("网站")
        MINI_PROGRAM = "mini_program", _("小程序")
        API = "api", _("数据服务接口")
        REPORT = "report", _("研究报告")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        LISTED = "listed", _("已展示")
        DELISTED = "delisted", _("已下架")

    name = models.CharField(_("产品名称"), max_length=100)
    kind = models.CharField(_("产品类型"), max_length=16, choices=Kind.choices)
    summary = models.TextField(_("产品简介"), max_length=2000)
    url = models.URLField(_("访问地址"), blank=True)
    developer = models.CharField(_("开发单位"), max_length=128)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="open_data_products", verbose_name=_("登记人"))
    datasets = models.ManyToManyField("opendata.Dataset", through="ProductDataset",
                                      related_name="products", verbose_name=_("使用的数据集"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.SUBMITTED)
    review_comment = models.TextField(_("审核意见"), blank=True)
    submitted_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    listed_at = models.DateTimeField(_("展示时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("数据产品")
        verbose_name_plural = _("数据产品")
        ordering = ["-listed_at", "-submitted_at"]
        indexes = [models.Index(fields=["status", "-listed_at"], name="od_product_status")]

    def __str__(self) -> str:
        return self.name


PRODUCT_TRANSITIONS = TransitionTable(
    Transition("list", source=DataProduct.Status.SUBMITTED, target=DataProduct.Status.LISTED,
               label=_("审核通过并展示")),
    Transition("return", source=DataProduct.Status.SUBMITTED,
               target=DataProduct.Status.RETURNED, label=_("退回")),
    Transition("resubmit", source=DataProduct.Status.RETURNED,
               target=DataProduct.Status.SUBMITTED, label=_("重新提交")),
    Transition("delist", source=DataProduct.Status.LISTED, target=DataProduct.Status.DELISTED,
               label=_("下架")),
    model=DataProduct,
)


class ProductDataset(models.Model):
    """Which open dataset a product uses, where it was obtained and when (HN-28)."""

    class Source(models.TextChoices):
        DOWNLOAD = "download", _("文件下载")
        API = "api", _("数据接口")
        CKAN = "ckan", _("CKAN 接口")

    product = models.ForeignKey(DataProduct, on_delete=models.CASCADE, related_name="uses",
                                verbose_name=_("数据产品"))
    dataset = models.ForeignKey("opendata.Dataset", on_delete=models.PROTECT,
                                related_name="product_uses", verbose_name=_("数据集"))
    source = models.CharField(_("获取方式"), max_length=10, choices=Source.choices)
    acquired_on = models.DateField(_("获取日期"))

    class Meta:
        verbose_name = _("产品使用的数据集")
        verbose_name_plural = _("产品使用的数据集")
        constraints = [
            models.UniqueConstraint(fields=["product", "dataset"], name="od_product_dataset_once"),
        ]

    def __str__(self) -> str:
        return f"{self.product} ← {self.dataset}"


class UsageReport(models.Model):
    """A product's periodic report on how it used open data (HN-29), one per quarter."""

    product = models.ForeignKey(DataProduct, on_delete=models.CASCADE, related_name="reports",
                                verbose_name=_("数据产品"))
    period_start = models.DateField(_("报告期起"))
    period_end = models.DateField(_("报告期止"))
    active_users = models.PositiveIntegerField(_("活跃用户数"))
    visits = models.PositiveIntegerField(_("访问量"))
    summary = models.TextField(_("利用情况说明"), max_length=3000)
    security_statement = models.TextField(_("数据安全保障情况"), max_length=2000)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("报告人"))
    submitted_at = models.DateTimeField(_("报告时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("利用情况报告")
        verbose_name_plural = _("利用情况报告")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["product", "period_start"],
                                    name="od_report_once_a_period"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.period_start:%Y-%m}"
