"""Forms of the department pages. They parse input; the services apply the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import DataItem, SharingType
from dataplane.selectors import items_without_masking_rule
from portal.forms import DateInput

from .models import CoReview, Filing, Objection, ShareRequest, TransferRequest


class FilingForm(forms.ModelForm):
    class Meta:
        model = Filing
        fields = ["responsible_person", "security_officer", "contact_person", "contact_phone",
                  "systems", "data_uses", "security_measures", "commitment_document",
                  "signed_on", "commitment_accepted"]
        widgets = {
            "systems": forms.Textarea(attrs={"rows": 3}),
            "data_uses": forms.Textarea(attrs={"rows": 3}),
            "security_measures": forms.Textarea(attrs={"rows": 3}),
            "signed_on": DateInput(),
        }


class ItemsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: DataItem) -> str:
        extra = ""
        if obj.sharing_type and obj.sharing_type != SharingType.CONDITIONAL:
            extra = f"（{obj.get_sharing_type_display()}）"
        return f"{obj.name}{extra}"


def _live_items(resource):
    return DataItem.objects.filter(resource=resource, retired=False).order_by("position", "pk")


class RequestForm(forms.ModelForm):
    """An application (S2). Items are the resource's live data items."""

    items = ItemsField(label=_("申请信息项"), queryset=DataItem.objects.none(),
                       help_text=_("只选择履职确需的信息项（可部分申请）"))

    class Meta:
        model = ShareRequest
        fields = ["purpose", "purpose_detail", "knowledge_scope", "security_measures", "items",
                  "period_start", "period_end", "method", "commitment_document",
                  "commitment_accepted"]
        widgets = {
            "purpose_detail": forms.Textarea(attrs={"rows": 3}),
            "knowledge_scope": forms.Textarea(attrs={"rows": 2}),
            "security_measures": forms.Textarea(attrs={"rows": 3}),
            "period_start": DateInput(),
            "period_end": DateInput(),
        }

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = _live_items(resource)
        # A draft may be saved incomplete; these are checked when it is submitted, and the
        # form marks them so (the service's messages name what is missing).
        for name in ("purpose_detail", "knowledge_scope", "security_measures",
                     "commitment_document", "commitment_accepted"):
            self.fields[name].required = False
            self.fields[name].required_to_submit = True
        self.fields["commitment_document"].help_text = _(
            "提交前必须上传：加盖公章的信息安全保障承诺书（PDF 或图片）。")


class ApproveForm(forms.Form):
    """The provider's (or the authority's) approval: the allowed items (partial approval
    is normal), the items to mask, and the validity."""

    items = ItemsField(label=_("同意共享的信息项"), queryset=DataItem.objects.none())
    masked_items = ItemsField(label=_("须脱敏提供的信息项"), queryset=DataItem.objects.none(),
                              required=False)
    valid_until = forms.DateField(label=_("授权到期日期"), required=False,
                                  widget=DateInput(),
                                  help_text=_("留空则至申请的使用结束日期"))
    comment = forms.CharField(label=_("意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, request: ShareRequest, **kwargs):
        super().__init__(*args, **kwargs)
        asked = request.items.all().order_by("position", "pk")
        self.fields["items"].queryset = asked
        self.fields["masked_items"].queryset = asked
        self.fields["items"].initial = list(asked)
        without_rule = items_without_masking_rule(asked)
        if without_rule:
            self.fields["masked_items"].help_text = _(
                "尚无脱敏规则、须先设置规则才能脱敏提供的项：%(items)s") % {
                "items": "、".join(item.name for item in without_rule)}


class ReasonForm(forms.Form):
    """A reason or comment required by a workflow action (refuse, revoke, return …)."""

    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class MessageForm(forms.Form):
    body = forms.CharField(label=_("协商意见"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=5000)
    attachment = forms.FileField(label=_("附件"), required=False)


class TransferForm(forms.ModelForm):
    items = ItemsField(label=_("转送信息项"), queryset=DataItem.objects.none())

    class Meta:
        model = TransferRequest
        fields = ["recipient_department", "recipient_name", "items", "purpose", "reason"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 2}),
                   "reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = grant.items.all().order_by("position", "pk")
        self.fields["recipient_name"].required = False
        self.fields["recipient_name"].help_text = _("平台外单位请填写全称；选择了平台内单位可不填")


class ConsentForm(forms.Form):
    agree = forms.TypedChoiceField(label=_("意见"), coerce=lambda v: v == "1",
                                   choices=[("1", _("同意转送")), ("0", _("不同意转送"))],
                                   widget=forms.RadioSelect)
    comment = forms.CharField(label=_("说明"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ObjectionForm(forms.ModelForm):
    class Meta:
        model = Objection
        fields = ["kind", "scope", "item", "record_reference", "description", "attachment"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = _live_items(resource)


class AnswerForm(forms.Form):
    corrected = forms.TypedChoiceField(
        label=_("核实结果"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
        choices=[("1", _("确有错误，已更正")), ("0", _("经核实无误"))])
    answer = forms.CharField(label=_("答复说明"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=5000)


class CoReviewForm(forms.ModelForm):
    class Meta:
        model = CoReview
        fields = ["decision", "opinion"]
        widgets = {"decision": forms.RadioSelect, "opinion": forms.Textarea(attrs={"rows": 3})}
