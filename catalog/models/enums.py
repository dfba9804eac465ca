"""Enumerations of the catalog metadata (C1), labels in Chinese.

Values follow the national catalog compilation guide; the database stores the short
English value, the label is what users see.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    FOUNDATIONAL = "foundational", _("基础信息资源")
    THEMATIC = "thematic", _("主题信息资源")
    DEPARTMENTAL = "departmental", _("部门信息资源")


# The leading digit of a resource code per classification (national guide: 1/2/3).
CLASSIFICATION_CODE_PREFIX = {
    Classification.FOUNDATIONAL: "1",
    Classification.THEMATIC: "2",
    Classification.DEPARTMENTAL: "3",
}


class Theme(models.TextChoices):
    """Subjects of foundational and thematic resources (NAT-10(2), HN-10, HY-20)."""

    # Foundational (C3): shared unconditionally for their base items.
    POPULATION = "population", _("人口")
    LEGAL_ENTITY = "legal_entity", _("法人单位")
    REAL_ESTATE = "real_estate", _("房地产（不动产）")
    NATURAL_RESOURCES = "natural_resources", _("自然资源和空间地理")
    E_LICENSE = "e_license", _("电子证照")
    SOCIAL_CREDIT = "social_credit", _("社会信用")
    # Thematic.
    HEALTH = "health", _("医疗健康")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    EDUCATION = "education", _("教育文化")
    MARKET_SUPERVISION = "market_supervision", _("市场监管")
    FOOD_DRUG_SAFETY = "food_drug_safety", _("食品药品安全")
    WORK_SAFETY = "work_safety", _("安全生产")
    ECOLOGY = "ecology", _("生态环境")
    URBAN_CONSTRUCTION = "urban_construction", _("城乡建设")
    TRANSPORT = "transport", _("交通运输")
    AGRICULTURE = "agriculture", _("农业农村")
    EMPLOYMENT = "employment", _("就业创业")
    PUBLIC_SECURITY = "public_security", _("公共安全")
    EMERGENCY = "emergency", _("应急管理")
    TOURISM = "tourism", _("旅游")
    ECONOMY = "economy", _("经济发展")
    GOVERNMENT_SERVICE = "government_service", _("政务服务")
    OTHER = "other", _("其他")


FOUNDATIONAL_THEMES = frozenset({
    Theme.POPULATION, Theme.LEGAL_ENTITY, Theme.REAL_ESTATE, Theme.NATURAL_RESOURCES,
    Theme.E_LICENSE, Theme.SOCIAL_CREDIT,
})


class ResourceFormat(models.TextChoices):
    ELECTRONIC_FILE = "electronic_file", _("电子文件")
    SPREADSHEET = "spreadsheet", _("电子表格")
    DATABASE = "database", _("数据库")
    IMAGE = "image", _("图形图像")
    STREAMING = "streaming", _("流媒体")
    SELF_DESCRIBING = "self_describing", _("自描述格式")
    SERVICE_INTERFACE = "service_interface", _("服务接口")


# Subtypes offered per format (the national guide's list); other values are allowed.
FORMAT_SUBTYPES: dict[str, tuple[str, ...]] = {
    ResourceFormat.ELECTRONIC_FILE: ("OFD", "PDF", "DOC", "DOCX", "WPS", "TXT"),
    ResourceFormat.SPREADSHEET: ("XLSX", "XLS", "ET", "CSV"),
    ResourceFormat.DATABASE: ("PostgreSQL", "MySQL", "Oracle", "达梦", "人大金仓", "SQL Server"),
    ResourceFormat.IMAGE: ("JPG", "PNG", "TIFF", "GIF", "SHP", "GeoTIFF"),
    ResourceFormat.STREAMING: ("MP4", "AVI", "FLV", "RTSP"),
    ResourceFormat.SELF_DESCRIBING: ("JSON", "XML", "RDF"),
    ResourceFormat.SERVICE_INTERFACE: ("REST", "SOAP", "OGC WMS/WFS"),
}


class SharingType(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("无条件共享")
    CONDITIONAL = "conditional", _("有条件共享")
    NOT_SHARED = "not_shared", _("不予共享")


class SharingMethod(models.TextChoices):
    SYSTEM = "system", _("系统对接")
    FRONT_END = "front_end", _("前置机")
    ONLINE_QUERY = "online_query", _("联机查询")
    BULK_DOWNLOAD = "bulk_download", _("批量下载")
    FILE = "file", _("文件")


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", _("实时")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")
    IRREGULAR = "irregular", _("不定期")


# Calendar days a data version may age before it counts as late (S9, HN-39(4));
# None = no fixed cycle.
UPDATE_CYCLE_DAYS: dict[str, int | None] = {
    UpdateCycle.REALTIME: 1,
    UpdateCycle.DAILY: 1,
    UpdateCycle.WEEKLY: 7,
    UpdateCycle.MONTHLY: 31,
    UpdateCycle.QUARTERLY: 92,
    UpdateCycle.HALF_YEARLY: 183,
    UpdateCycle.YEARLY: 366,
    UpdateCycle.IRREGULAR: None,
}


class OpenType(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("无条件开放")
    CONDITIONAL = "conditional", _("有条件开放")
    NOT_OPEN = "not_open", _("不予开放")


class LegalBasisKind(models.TextChoices):
    """The rank of the legal basis an entry cites (C2, NAT-10(1), HN-9)."""

    LAW = "law", _("法律")
    ADMINISTRATIVE_REGULATION = "administrative_regulation", _("行政法规")
    CENTRAL_POLICY = "central_policy", _("党中央、国务院政策文件")
    LOCAL_REGULATION = "local_regulation", _("地方性法规")
    RULE = "rule", _("规章")
    POLICY = "policy", _("其他政策文件")


# Not-shared entries must rest on a law, an administrative regulation or central policy.
NOT_SHARED_BASIS_KINDS = frozenset({
    LegalBasisKind.LAW, LegalBasisKind.ADMINISTRATIVE_REGULATION, LegalBasisKind.CENTRAL_POLICY,
})


class SecurityLevel(models.TextChoices):
    """Classification of a resource (分级分类, HN-32); secret information is never listed."""

    PUBLIC = "public", _("公开")
    INTERNAL = "internal", _("内部")
    SENSITIVE = "sensitive", _("敏感")
    IMPORTANT = "important", _("重要")


class Sensitivity(models.TextChoices):
    """Sensitivity of one data item; drives desensitization before opening (O3)."""

    NONE = "none", _("不敏感")
    LOW = "low", _("低敏感")
    PERSONAL = "personal", _("个人信息")
    SENSITIVE = "sensitive", _("敏感信息")
    HIGHLY_SENSITIVE = "highly_sensitive", _("高度敏感")


class DataType(models.TextChoices):
    STRING = "string", _("字符型")
    TEXT = "text", _("长文本")
    INTEGER = "integer", _("整数型")
    DECIMAL = "decimal", _("数值型")
    DATE = "date", _("日期型")
    DATETIME = "datetime", _("日期时间型")
    BOOLEAN = "boolean", _("布尔型")
    BINARY = "binary", _("二进制")


# Types whose length is required (C1: "data type, length").
TYPES_WITH_LENGTH = frozenset({DataType.STRING, DataType.DECIMAL})


class Subject(models.TextChoices):
    """What an entry is about; decides the mandatory identity items of C4 (YS-12)."""

    ENTERPRISE = "enterprise", _("企业（法人）")
    INDIVIDUAL = "individual", _("自然人")
    PROJECT = "project", _("项目")
    ADMINISTRATIVE_POWER = "administrative_power", _("行政权力")
    OTHER = "other", _("其他")
