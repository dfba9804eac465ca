"""Forms of the data pages. They parse input; the services apply the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import DateInput

from .masking import DATE_GRANULARITIES, MaskKind
from .models import MASK_KIND_LABELS, AccessLogEntry, DataVersion
from .models.masking import GRANULARITY_LABELS, MASK_PARAM_LABELS

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
    keep_head = forms.IntegerField(label=MASK_PARAM_LABELS["keep_head"], required=False,
                                   min_value=0, max_value=64)
    keep_tail = forms.IntegerField(label=MASK_PARAM_LABELS["keep_tail"], required=False,
                                   min_value=0, max_value=64)
    granularity = forms.ChoiceField(label=MASK_PARAM_LABELS["granularity"], required=False,
                                    choices=[("", "—"), *[(g, GRANULARITY_LABELS[g])
                                                          for g in DATE_GRANULARITIES]])
    step = forms.DecimalField(label=MASK_PARAM_LABELS["step"], required=False, min_value=0)
    length = forms.IntegerField(label=MASK_PARAM_LABELS["length"], required=False,
                                min_value=16, max_value=64)
    applies_to_all = forms.BooleanField(label=_("对所有使用部门脱敏"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    PARAMS = ("keep_head", "keep_tail", "granularity", "step", "length")

    def params(self) -> dict:
        data = self.cleaned_data
        return {k: (str(data[k]) if k == "step" else data[k]) for k in self.PARAMS
                if data.get(k) not in (None, "")}


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
                            widget=DateInput())
    until = forms.DateField(label=_("截止日期"), required=False,
                            widget=DateInput())

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
