"""Forms of the data pages that read through grants: the online query and system
tokens. They parse input; the services apply the rules."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dataplane.engine.query import OP_LABELS, Op

from ..models import Grant


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
