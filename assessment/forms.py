"""Forms of the assessment pages: parse input only; the services enforce the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.indicators import INDICATORS, MANUAL_DEFAULTS
from assessment.models import (
    AnnualReport,
    Category,
    Plan,
    PlanIndicator,
    ScoringRule,
    Violation,
)
from portal.forms import DateInput
from portal.models import Department, Region

DATE = DateInput()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks formats and sizes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("佐证材料"))
        kwargs.setdefault("help_text", _("可多选；支持 PDF、OFD、Word、WPS、Excel、TXT、图片，单个不超过 20 MB"))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class PlanCreateForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("考核层级（行政区划）"))
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=200, required=False,
                            help_text=_("留空则按“地区 + 年度 + 公共信息资源共享开放考核”命名"))
    description = forms.CharField(label=_("考核说明"), widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)
    indicators = forms.MultipleChoiceField(
        label=_("自动计算指标"), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("分值和评分规则可在创建后调整"))
    include_manual = forms.BooleanField(
        label=_("包含人工评审指标（%(names)s）") % {"names": "、".join(m["name"] for m in MANUAL_DEFAULTS)},
        required=False, initial=True)
    self_assessment_due = forms.DateField(label=_("自评截止"), required=False, widget=DATE)
    review_due = forms.DateField(label=_("评审截止"), required=False, widget=DATE)
    publish_due = forms.DateField(label=_("计划公布日期"), required=False, widget=DATE)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.all()
        self.fields["indicators"].choices = [
            (d.code, f"{d.name}（{Category(d.category).label}）") for d in INDICATORS.values()]
        self.fields["indicators"].initial = [c for c, d in INDICATORS.items() if d.in_default_set]


class PlanEditForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["title", "description", "period_start", "period_end", "self_assessment_due",
                  "review_due", "publish_due", "grade_excellent", "grade_good", "grade_pass"]
        widgets = {name: DATE for name in ["period_start", "period_end", "self_assessment_due",
                                           "review_due", "publish_due"]}


class ScopeForm(forms.Form):
    """The assessed units of a draft plan: own-level departments and lower governments."""

    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.none(), required=False, label=_("本级部门"),
        widget=forms.CheckboxSelectMultiple)
    governments = forms.ModelMultipleChoiceField(
        queryset=Region.objects.none(), required=False, label=_("下一级政府"),
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        from assessment.services.plans import ASSESSED_KINDS

        self.fields["departments"].queryset = Department.objects.filter(
            region_id=plan.region_id, is_active=True, kind__in=ASSESSED_KINDS).order_by("name")
        self.fields["governments"].queryset = Region.objects.filter(
            parent_id=plan.region_id).order_by("code")
        units = list(plan.units.values_list("department_id", "region_id"))
        self.fields["departments"].initial = [d for d, _r in units if d]
        self.fields["governments"].initial = [r for _d, r in units if r]


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = PlanIndicator
        fields = ["name", "weight", "rule", "best", "worst", "no_data"]
        widgets = {"name": forms.TextInput(attrs={"size": 18})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        manual = self.instance.kind == PlanIndicator.Kind.MANUAL
        self.fields["rule"].choices = [c for c in ScoringRule.choices
                                       if (c[0] == ScoringRule.MANUAL) == manual]


IndicatorFormSet = forms.modelformset_factory(PlanIndicator, form=IndicatorForm, extra=0)


class SelfAssessmentForm(forms.Form):
    claimed_score = forms.DecimalField(label=_("自评分"), min_value=0, decimal_places=2,
                                       required=False)
    statement = forms.CharField(label=_("自评说明"), widget=forms.Textarea(attrs={"rows": 4}),
                                required=False)
    files = MultipleFileField()


class ReviewForm(forms.Form):
    score = forms.DecimalField(label=_("评审得分"), min_value=0, decimal_places=2)
    comment = forms.CharField(label=_("评审意见"), widget=forms.Textarea(attrs={"rows": 3}))


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("写明认为得分有误的理由和依据，可说明平台数据与实际情况的差异"))


class ObjectionAnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(label=_("答复结论"), coerce=lambda v: v == "1",
                                    choices=[("0", _("维持原分")), ("1", _("异议成立，调整得分"))],
                                    widget=forms.RadioSelect)
    new_score = forms.DecimalField(label=_("调整后得分"), min_value=0, decimal_places=2,
                                   required=False)
    answer = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class NoticeCreateForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none(), label=_("整改部门"))
    violation = forms.ChoiceField(label=_("违规类型"), choices=Violation.choices)
    facts = forms.CharField(label=_("违规事实"), widget=forms.Textarea(attrs={"rows": 4}))
    requirement = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)
    due_on = forms.DateField(label=_("整改期限"), widget=DATE, required=False,
                             help_text=_("留空则为 20 个工作日后"))
    files = MultipleFileField()

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments


class NoticeIssueForm(forms.Form):
    due_on = forms.DateField(label=_("整改期限"), widget=DATE, required=False,
                             help_text=_("留空则为 20 个工作日后"))
    requirement = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)


class NoticeReportForm(forms.Form):
    body = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField()


class NoticeReturnForm(forms.Form):
    comment = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("新的整改期限"), widget=DATE, required=False)


class AnnualReportForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = ["overview", "achievements", "problems", "next_steps"]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in fields}


class ComplaintForm(forms.Form):
    respondent = forms.ModelChoiceField(queryset=Department.objects.none(), label=_("被投诉单位"))
    violation = forms.ChoiceField(label=_("违规类型"), choices=Violation.choices)
    subject = forms.CharField(label=_("事由"), max_length=200)
    description = forms.CharField(label=_("投诉内容"), widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("写明时间、涉及的资源或申请、造成的影响"))
    files = MultipleFileField()

    def __init__(self, *args, respondents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if respondents is not None:
            self.fields["respondent"].queryset = respondents


class ComplaintAnswerForm(forms.Form):
    answer = forms.CharField(label=_("书面答复"), widget=forms.Textarea(attrs={"rows": 5}))
    issue_notice = forms.BooleanField(label=_("同时向被投诉单位下发整改通知"), required=False)
    notice_due_on = forms.DateField(label=_("整改期限"), widget=DATE, required=False)


class StatementForm(forms.Form):
    statement = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 4}))
