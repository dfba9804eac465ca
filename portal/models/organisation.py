"""Regions and departments (P1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.validators import validate_uscc


class Region(models.Model):
    """An administrative division (行政区划): province → city → county."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（区）")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区划"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    rule_pack = models.ForeignKey(
        "portal.RulePack", verbose_name=_("规则包"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="regions",
        help_text=_("留空则沿用上级区划的规则包；最上级也未设置时使用默认规则包"),
    )
    # Geometry for catalogs' spatial coverage (DCAT-AP dcat:bbox / dcat:centroid), WGS 84.
    bbox = models.CharField(_("外接矩形（WKT）"), max_length=300, blank=True,
                            help_text=_("如 POLYGON((108.6 18.1, 111.1 18.1, 111.1 20.2, "
                                        "108.6 20.2, 108.6 18.1))"))
    centroid = models.CharField(_("中心点（WKT）"), max_length=100, blank=True,
                                help_text=_("如 POINT(109.8 19.2)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def lineage_ids(self) -> list[int]:
        """Ids of this region and every region below it (levels are at most three deep)."""
        ids = [self.pk]
        frontier = [self.pk]
        while frontier:
            frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class Department(models.Model):
    """A government department, public institution or public enterprise (HN-2)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("政务部门")
        PUBLIC_INSTITUTION = "institution", _("公共机构")
        PUBLIC_ENTERPRISE = "enterprise", _("公共企事业单位")
        INFORMATION_CENTER = "center", _("信息中心")
        AUTHORITY = "authority", _("信息化主管部门")

    name = models.CharField(_("名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc],
        help_text=_("18 位，末位为 GB 32100 校验码"),
    )
    region = models.ForeignKey(Region, verbose_name=_("行政区划"), on_delete=models.PROTECT,
                               related_name="departments")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.GOVERNMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    contact_person = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def organisation_code(self) -> str:
        """The 9-character organisation code inside the USCC (positions 9–17)."""
        return self.uscc[8:17]
