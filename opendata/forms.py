"""Forms of the public portal and the department pages; thin: services hold the rules."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import OpenType, ResourceFormat, Theme, UpdateCycle
from portal.forms import DateInput
from portal.models import Department, User
from portal.params import object_id

from .models import (
    AccessApplication,
    DataProduct,
    DataRequest,
    Dataset,
    OpenPlanItem,
    ProductDataset,
    UsageReport,
)
from .selectors import SORTS, DatasetQuery
from .services.fields import MASK_REQUIRED, mask_choices

# --- public -------------------------------------------------------------------------------


class IdListField(forms.Field):
    """A list of ids from repeated query parameters; values that are not ids are dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [pk for v in (value or []) if (pk := object_id(v)) is not None][:20]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    theme = forms.MultipleChoiceField(label=_("主题"), required=False, choices=Theme.choices)
    publisher = IdListField(label=_("发布部门"), required=False)
    resource_format = forms.MultipleChoiceField(label=_("资源格式"), required=False,
                                                choices=ResourceFormat.choices)
    open_type = forms.MultipleChoiceField(
        label=_("开放类型"), required=False,
        choices=[c for c in OpenType.choices if c[0] != OpenType.NOT_OPEN])
    update_cycle = forms.MultipleChoiceField(label=_("更新周期"), required=False,
                                             choices=UpdateCycle.choices)
    tag = forms.CharField(label=_("标签"), required=False, max_length=20)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=[
        ("", _("相关度")), ("updated", _("最近更新")), ("newest", _("最新发布")),
        ("popular", _("下载最多")), ("rating", _("评分最高")), ("name", _("名称"))])

    def to_query(self) -> DatasetQuery:
        data = self.cleaned_data if self.is_valid() else {}
        sort = data.get("sort") or ""
        return DatasetQuery(
            q=data.get("q", ""), theme=data.get("theme") or [],
            publisher=data.get("publisher") or [],
            resource_format=data.get("resource_format") or [],
            open_type=data.get("open_type") or [], update_cycle=data.get("update_cycle") or [],
            tags=[data["tag"]] if data.get("tag") else [],
            sort=sort if sort in SORTS else "")


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("用于接收申请结果等通知。"))
    phone = forms.RegexField(label=_("手机号"), regex=r"^1\d{10}$", required=False,
                             error_messages={"invalid": _("请输入 11 位手机号码。")})
    agree = forms.BooleanField(label=_("我已阅读并同意《公共数据开放平台用户协议》"),
                               error_messages={"required": _("请先阅读并同意用户协议。")})

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email", "phone"]
        labels = {"username": _("用户名")}

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("该邮箱已注册，请直接登录。"))
        return email


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("评分"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(i, "★" * i) for i in range(5, 0, -1)])


class CommentForm(forms.Form):
    body = forms.CharField(label=_("留言"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("留言经审核后公开显示。"))


class ApplicationForm(forms.ModelForm):
    agree = forms.BooleanField(
        label=_("我承诺仅将数据用于所述目的，采取必要的安全措施，不向第三方提供"),
        error_messages={"required": _("请确认使用承诺。")})

    class Meta:
        model = AccessApplication
        fields = ["organisation", "purpose_kind", "purpose", "security_measures",
                  "contact_phone"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4}),
                   "security_measures": forms.Textarea(attrs={"rows": 3})}


class DataRequestForm(forms.ModelForm):
    # A field people do not see; bots fill it in.
    website = forms.CharField(required=False, label=_("网址（请留空）"),
                              widget=forms.TextInput(attrs={"tabindex": "-1",
                                                            "autocomplete": "off"}))

    class Meta:
        model = DataRequest
        fields = ["title", "description", "scenario", "theme", "suggested_department",
                  "contact_name", "contact_email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "scenario": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"contact_email": _("仅用于通知办理结果，不公开。"),
                      "contact_name": _("不公开。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_department"].queryset = Department.objects.filter(
            is_active=True, kind__in=[Department.Kind.GOVERNMENT,
                                      Department.Kind.PUBLIC_INSTITUTION,
                                      Department.Kind.PUBLIC_ENTERPRISE]).order_by("name")
        self.fields["suggested_department"].required = False


class DatasetReferenceField(forms.CharField):
    """A published dataset given by its name or its page address."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        match = re.search(r"/open/datasets/([\w-]+)", value)
        name = match.group(1) if match else value.strip()
        from .selectors import datasets_public

        dataset = datasets_public().filter(name=name).first()
        if dataset is None:
            raise forms.ValidationError(_("找不到数据集“%(name)s”，请填写数据集页面地址或标识名。"),
                                        params={"name": name})
        return dataset


class ProductForm(forms.ModelForm):
    url = forms.URLField(label=_("访问地址"), required=False, assume_scheme="https")

    class Meta:
        model = DataProduct
        fields = ["name", "kind", "summary", "url", "developer"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class ProductDatasetForm(forms.Form):
    dataset = DatasetReferenceField(label=_("数据集"), required=False,
                                    help_text=_("数据集页面地址或标识名"))
    source = forms.ChoiceField(label=_("获取方式"), choices=ProductDataset.Source.choices)
    acquired_on = forms.DateField(label=_("获取日期"), required=False,
                                  widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("dataset") and not cleaned.get("acquired_on"):
            self.add_error("acquired_on", _("请填写获取该数据集的日期。"))
        if cleaned.get("acquired_on") and cleaned["acquired_on"] > timezone.localdate():
            self.add_error("acquired_on", _("获取日期不能晚于今天。"))
        return cleaned


ProductDatasetFormSet = forms.formset_factory(ProductDatasetForm, extra=3, max_num=20)


class UsageReportForm(forms.ModelForm):
    class Meta:
        model = UsageReport
        fields = ["period_start", "period_end", "active_users", "visits", "summary",
                  "security_statement"]
        widgets = {"period_start": DateInput(),
                   "period_end": DateInput(),
                   "summary": forms.Textarea(attrs={"rows": 4}),
                   "security_statement": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("报告期止不能早于报告期起。"))
        return cleaned


# --- department and center ------------------------------------------------------------------


class DatasetCreateForm(forms.Form):
    resource = forms.ModelChoiceField(label=_("目录资源"), queryset=None,
                                      help_text=_("本部门已注册、开放类型为无条件开放或有条件开放、尚未建立数据集的资源"))

    def __init__(self, *args, resources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources


class DatasetMetadataForm(forms.ModelForm):
    keywords = forms.CharField(label=_("关键词"), required=False, max_length=300,
                               help_text=_("多个关键词用逗号分隔，最多 12 个"))

    class Meta:
        model = Dataset
        fields = ["title", "description", "keywords", "theme", "licence", "open_conditions",
                  "spatial", "temporal_start", "temporal_end", "contact_name",
                  "contact_phone", "contact_email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5}),
                   "open_conditions": forms.Textarea(attrs={"rows": 2}),
                   "temporal_start": DateInput(),
                   "temporal_end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.initial.get("keywords") and isinstance(self.initial["keywords"], list):
            self.initial["keywords"] = "，".join(self.initial["keywords"])

    def clean_keywords(self):
        return self.cleaned_data["keywords"]


PARAM_HELP = _("可选参数，如 keep_head=3,keep_tail=4；日期泛化 granularity=year；数值区间化 step=10；哈希 length=16")


def params_parse(text: str) -> dict:
    params = {}
    for part in re.split(r"[,，;\s]+", text or ""):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise forms.ValidationError(_("参数“%(part)s”格式不正确，应为 名称=值。"),
                                        params={"part": part})
        params[key.strip()] = value.strip()
    return params


def params_format(params: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in (params or {}).items())


class FieldRulesForm(forms.Form):
    """One row per data item: open it or not, and its masking rule (O3)."""

    def __init__(self, *args, rows, **kwargs):
        """``rows``: (DataItem, included, mask_rule, mask_params) for each item."""
        super().__init__(*args, **kwargs)
        self.rows = []
        for item, included, rule, params in rows:
            prefix = f"f{item.pk}"
            self.fields[f"{prefix}_included"] = forms.BooleanField(
                label=_("开放“%(name)s”") % {"name": item.name}, required=False,
                initial=included)
            self.fields[f"{prefix}_rule"] = forms.ChoiceField(
                label=_("“%(name)s”的脱敏规则") % {"name": item.name}, required=False,
                choices=mask_choices(), initial=rule)
            self.fields[f"{prefix}_params"] = forms.CharField(
                label=_("“%(name)s”的规则参数") % {"name": item.name}, required=False,
                initial=params_format(params), max_length=200, help_text=PARAM_HELP)
            self.rows.append((item, prefix, item.sensitivity in MASK_REQUIRED))

    def bound_rows(self):
        for item, prefix, needs_mask in self.rows:
            yield {"item": item, "needs_mask": needs_mask,
                   "included": self[f"{prefix}_included"], "rule": self[f"{prefix}_rule"],
                   "params": self[f"{prefix}_params"]}

    def rules(self) -> list[dict]:
        out = []
        for item, prefix, _needs in self.rows:
            try:
                params = params_parse(self.cleaned_data.get(f"{prefix}_params", ""))
            except forms.ValidationError as exc:
                self.add_error(f"{prefix}_params", exc)
                params = {}
            out.append({"item": item.pk, "included": self.cleaned_data.get(f"{prefix}_included"),
                        "mask_rule": self.cleaned_data.get(f"{prefix}_rule") or "",
                        "mask_params": params})
        return out


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结论"), widget=forms.RadioSelect, choices=[
        ("approve", _("通过")), ("return", _("退回修改"))])
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("退回时必填，说明需要修改的内容。"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class UpdateSummaryForm(forms.Form):
    summary = forms.CharField(label=_("更新说明"), max_length=300,
                              help_text=_("向社会公开，如“补充 2025 年数据，新增区县字段”。"))


class ApplicationDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("审批结论"), widget=forms.RadioSelect, choices=[
        ("approve", _("批准")), ("refuse", _("不予批准"))])
    comment = forms.CharField(label=_("审批意见"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("不予批准时必须说明理由。"))
    valid_until = forms.DateField(label=_("有效期至"), required=False,
                                  widget=DateInput(),
                                  help_text=_("留空则按默认有效期（一年）。"))


class RequestRouteForm(forms.Form):
    department = forms.ModelChoiceField(label=_("承办部门"), queryset=Department.objects.filter(
        is_active=True).order_by("name"))
    comment = forms.CharField(label=_("转办说明"), required=False, max_length=500)


class RequestAnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("办理结果"), choices=DataRequest.Outcome.choices)
    answer = forms.CharField(label=_("答复内容"), max_length=3000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("答复向社会公开；暂不能开放时请说明理由。"))
    dataset = DatasetReferenceField(label=_("相关数据集"), required=False,
                                    help_text=_("已开放或可满足需求的数据集页面地址或标识名"))


class CommentModerationForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("公开")), ("reject", _("不予公开"))])
    reply = forms.CharField(label=_("部门回复"), required=False, max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 2}))


class PlanItemForm(forms.ModelForm):
    class Meta:
        model = OpenPlanItem
        fields = ["resource", "planned_on", "note"]
        widgets = {"planned_on": DateInput()}

    def __init__(self, *args, resources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources


class PlanNoteForm(forms.Form):
    note = forms.CharField(label=_("计划说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
