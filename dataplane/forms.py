"""Forms of the data pages. They parse input; the services apply the rules."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.models import Grant

from .engine.query import OP_LABELS, Op
from .masking import DATE_GRANULARITIES, MaskKind
from .models import MASK_KIND_LABELS, AccessLogEntry, DataVersion

ENCODING_CHOICES = [("auto", _("自动识别")), ("utf-8", "UTF-8"), ("gbk", "GBK / GB18030"),
                    ("utf-16", "UTF-16")]


class VersionUploadForm(forms.Form):
    file = forms.FileField(label=_("数据文件"),
                           help_text=_("CSV、XLSX 或 JSON；第一行为表头，列名与信息项名称或字段标识一致"))
    format = forms.ChoiceField(label=_("文件格式"), required=False,
                               choices=[("", _("按扩展名判断")), *DataVersion.Format.choices])
    encoding = forms.ChoiceField(label=_("文本编码"), choices=ENCODING_CHOICES, initial="auto",
                                 help_text=_("CSV/JSON 适用；Excel 另存的 CSV 通常为 GBK"))
    note = forms.CharField(label=_("版本说明"), max_length=200, required=False)


class MaskingRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("脱敏方式"), required=False,
                             choices=[("", _("不设规则")),
                                      *[(k.value, MASK_KIND_LABELS[k]) for k in MaskKind]])
    keep_head = forms.IntegerField(label=_("保留前几位"), required=False, min_value=0, max_value=64)
    keep_tail = forms.IntegerField(label=_("保留后几位"), required=False, min_value=0, max_value=64)
    granularity = forms.ChoiceField(label=_("日期精度"), required=False,
                                    choices=[("", "—"), *[(g, {"year": _("年"), "month": _("年月")}[g])
                                                          for g in DATE_GRANULARITIES]])
    step = forms.DecimalField(label=_("区间宽度"), required=False, min_value=0)
    length = forms.IntegerField(label=_("哈希长度"), required=False, min_value=16, max_value=64)
    applies_to_all = forms.BooleanField(label=_("对所有使用部门脱敏"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    PARAMS = ("keep_head", "keep_tail", "granularity", "step", "length")

    def params(self) -> dict:
        data = self.cleaned_data
        return {k: (str(data[k]) if k == "step" else data[k]) for k in self.PARAMS
                if data.get(k) not in (None, "")}


class QueryForm(forms.Form):
    """Page size and fields; filters are added per key item by the view."""

    page_size = forms.TypedChoiceField(label=_("每页条数"), coerce=int, initial=20,
                                       choices=[(n, n) for n in (20, 50, 100, 500)], required=False)


def filter_fields(form: forms.Form, key_items: list[tuple[str, str]]) -> None:
    """Add an operator and a value field per key item (name, label)."""
    for name, label in key_items:
        form.fields[f"op_{name}"] = forms.ChoiceField(
            label=label, required=False, choices=[(op.value, OP_LABELS[op]) for op in Op],
            initial=Op.EQ.value)
        form.fields[f"v_{name}"] = forms.CharField(label=label, required=False, max_length=500)


class SystemTokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=64,
                           help_text=_("对接的业务系统名称，如“不动产登记系统”"))
    expires_in_days = forms.IntegerField(label=_("有效天数"), min_value=1, max_value=366,
                                         initial=180)
    grants = forms.ModelMultipleChoiceField(label=_("可使用的共享授权"), required=False,
                                            queryset=Grant.objects.none(),
                                            widget=forms.CheckboxSelectMultiple)
    allow_without_grant = forms.BooleanField(
        label=_("可读取无需授权的数据（无条件共享资源、本部门资源）"), required=False)
    rate_per_minute = forms.IntegerField(label=_("每分钟请求上限"), min_value=1, max_value=6000,
                                         initial=120)

    def __init__(self, *args, grants=None, **kwargs):
        super().__init__(*args, **kwargs)
        if grants is not None:
            self.fields["grants"].queryset = grants
            self.fields["grants"].label_from_instance = (
                lambda g: f"{g.resource.code} {g.resource.name} · {g.get_purpose_display()} "
                          f"· {g.valid_until:%Y-%m-%d}")

    def expires_at(self):
        return timezone.now() + timedelta(days=self.cleaned_data["expires_in_days"])


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(label=_("核查结论"), widget=forms.Textarea(attrs={"rows": 3}),
                                 max_length=2000)


class AccessLogFilterForm(forms.Form):
    resource = forms.CharField(label=_("资源代码"), required=False, max_length=40)
    action = forms.ChoiceField(label=_("操作"), required=False,
                               choices=[("", _("全部")), *AccessLogEntry.Action.choices])
    allowed = forms.ChoiceField(label=_("结果"), required=False,
                                choices=[("", _("全部")), ("1", _("放行")), ("0", _("拒绝"))])
    since = forms.DateField(label=_("起始日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["resource"]:
            queryset = queryset.filter(resource__code=data["resource"].strip())
        if data["action"]:
            queryset = queryset.filter(action=data["action"])
        if data["allowed"]:
            queryset = queryset.filter(allowed=data["allowed"] == "1")
        if data["since"]:
            queryset = queryset.filter(at__date__gte=data["since"])
        if data["until"]:
            queryset = queryset.filter(at__date__lte=data["until"])
        return queryset
