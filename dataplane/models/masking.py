"""Masking rules per data item (脱敏规则, S9 item 4, O3)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from dataplane.masking import MaskKind

MASK_KIND_LABELS = {
    MaskKind.ID_NUMBER: _("身份证号码（保留前6位和后4位）"),
    MaskKind.MOBILE: _("手机号码（保留前3位和后4位）"),
    MaskKind.NAME: _("姓名（保留姓）"),
    MaskKind.ADDRESS: _("地址（保留前若干字）"),
    MaskKind.BANK_CARD: _("银行卡号（保留后4位）"),
    MaskKind.DATE_GENERALIZE: _("日期泛化（到年或月）"),
    MaskKind.NUMBER_GENERALIZE: _("数值泛化（按区间）"),
    MaskKind.HASH: _("加密哈希（HMAC-SHA256）"),
    MaskKind.SUPPRESS: _("屏蔽（不输出）"),
}

MASK_PARAM_LABELS = {
    "keep_head": _("保留前几位"),
    "keep_tail": _("保留后几位"),
    "granularity": _("日期精度"),
    "step": _("区间宽度"),
    "length": _("哈希长度"),
}
GRANULARITY_LABELS = {"year": _("年"), "month": _("年月")}


def mask_rule_text(kind: str, params: dict | None = None) -> str:
    """A rule in a clerk's words: "身份证号码（保留前6位和后4位）；保留前几位 3"."""
    if not kind:
        return ""
    try:
        text = str(MASK_KIND_LABELS[MaskKind(kind)])
    except ValueError:
        return kind
    settings_text = "，".join(
        f"{MASK_PARAM_LABELS.get(name, name)} {GRANULARITY_LABELS.get(value, value)}"
        for name, value in (params or {}).items())
    return f"{text}；{settings_text}" if settings_text else text


class MaskingRule(models.Model):
    """How one data item is masked when it must leave masked.

    A grant may require some items masked; ``applies_to_all`` masks the item for every
    consumer other than the provider. An item that must be masked but has no rule is
    suppressed.
    """

    item = models.OneToOneField("catalog.DataItem", on_delete=models.CASCADE,
                                related_name="masking_rule", verbose_name=_("信息项"))
    kind = models.CharField(_("脱敏方式"), max_length=24,
                            choices=[(k.value, MASK_KIND_LABELS[k]) for k in MaskKind])
    params = models.JSONField(_("参数"), default=dict, blank=True)
    applies_to_all = models.BooleanField(
        _("对所有使用部门脱敏"), default=False,
        help_text=_("勾选后，除提供部门外，所有部门看到的都是脱敏后的值"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("设置人"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("脱敏规则")
        verbose_name_plural = _("脱敏规则")

    def __str__(self) -> str:
        return f"{self.item} · {self.get_kind_display()}"
