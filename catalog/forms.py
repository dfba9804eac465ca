"""Department web forms: an entry with its data items on one page (C1), and the small
forms of deadlines, census, projects and imports. Rule checks come from ``catalog.rules``."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.forms import DateInput

from .models import (
    FORMAT_SUBTYPES,
    ChangeEvent,
    DataItem,
    Project,
    Resource,
    SharingMethod,
    Subject,
)
from .rules import ITEM_FIELDS, RESOURCE_FIELDS, RuleErrors, check_entry

CODE_SPLIT = re.compile(r"[\s,，、;；]+")


class ResourceForm(forms.ModelForm):
    subjects = forms.MultipleChoiceField(label=_lazy("信息主体"), choices=Subject.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text=_lazy("决定必备的信息项（如企业须有统一社会信用代码）"))
    sharing_method = forms.MultipleChoiceField(label=_lazy("共享方式"), choices=SharingMethod.choices,
                                               required=False, widget=forms.CheckboxSelectMultiple)
    related_codes = forms.CharField(label=_lazy("关联资源"), required=False,
                                    help_text=_lazy("已注册资源的资源代码，多个用逗号或空格分隔"))

    class Meta:
        model = Resource
        fields = [f for f in RESOURCE_FIELDS if f not in ("subjects", "sharing_method")]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "sharing_conditions": forms.Textarea(attrs={"rows": 2}),
            "usage_requirements": forms.Textarea(attrs={"rows": 2}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "open_conditions": forms.Textarea(attrs={"rows": 2}),
            "publication_date": DateInput(),
            "format_subtype": forms.TextInput(attrs={"list": "format-subtypes"}),
        }

    def __init__(self, *args, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        # Completeness is checked by the catalog rules with messages that say what to do.
        for field in self.fields.values():
            field.required = False
        projects = Project.objects.filter(department=department).exclude(status=Project.Status.COMPLETED)
        self.fields["project"].queryset = projects
        self.fields["project"].help_text = _("信息化项目预编目录时选择所属项目")
        if self.instance.pk:
            self.fields["subjects"].initial = self.instance.subjects
            self.fields["sharing_method"].initial = self.instance.sharing_method
            self.fields["related_codes"].initial = " ".join(
                r.code for r in self.instance.related_resources.all() if r.code)

    def clean_related_codes(self) -> list[Resource]:
        codes = [c for c in CODE_SPLIT.split(self.cleaned_data.get("related_codes") or "") if c]
        found = {r.code: r for r in Resource.objects.filter(code__in=codes,
                                                            status=Resource.Status.REGISTERED)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(_("未找到已注册的资源代码：%(codes)s，请核对。")
                                        % {"codes": "、".join(unknown)})
        return list(found.values())

    def proposal(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in RESOURCE_FIELDS}
        for name in ("subjects", "sharing_method"):
            data[name] = list(self.cleaned_data.get(name) or [])
        for name, value in list(data.items()):
            if value is None and name not in ("publication_date", "project"):
                data[name] = ""
        data["is_open"] = bool(self.cleaned_data.get("is_open"))
        data["is_disclosure"] = bool(self.cleaned_data.get("is_disclosure"))
        data["open_type"] = data["open_type"] or "not_open"
        return data


class DataItemForm(forms.ModelForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = DataItem
        fields = list(ITEM_FIELDS)
        widgets = {"description": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        # A plain text box: a number input's spinner changes the cell on focus.
        self.fields["length"].widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 5})

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("name") or "").strip() and not data.get("id")


class BaseItemFormSet(forms.BaseFormSet):
    def live_forms(self) -> list[tuple[int, DataItemForm]]:
        """(form index, form) of the rows kept: not deleted, not left empty."""
        out = []
        for index, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data"):
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.is_blank():
                continue
            out.append((index, form))
        return out

    def items(self) -> list[dict[str, Any]]:
        rows = []
        for _index, form in self.live_forms():
            values = {name: form.cleaned_data.get(name) for name in ("id", *ITEM_FIELDS)}
            values["name"] = (values["name"] or "").strip()
            values["is_key"] = bool(values["is_key"])
            values["is_base"] = bool(values["is_base"])
            for name in ("field_name", "description", "sharing_type"):
                values[name] = values[name] or ""
            values["sensitivity"] = values["sensitivity"] or "none"
            rows.append(values)
        return rows


ItemFormSet = forms.formset_factory(DataItemForm, formset=BaseItemFormSet, extra=0, can_delete=True,
                                    max_num=500, validate_max=True)


def item_initial(resource: Resource | None) -> list[dict[str, Any]]:
    if resource is None or resource.pk is None:
        return []
    return [{"id": item.pk, **{name: getattr(item, name) for name in ITEM_FIELDS}}
            for item in resource.items.all() if not item.retired]


class EntryForms:
    """The entry form and its item formset, validated together against the catalog rules."""

    def __init__(self, data=None, *, instance: Resource | None = None, department=None,
                 extra_rows: int = 0, initial=None):
        self.instance = instance
        self.form = ResourceForm(data, instance=instance, department=department, initial=initial)
        items = item_initial(instance)
        formset_cls = forms.formset_factory(
            DataItemForm, formset=BaseItemFormSet, can_delete=True, max_num=500, validate_max=True,
            extra=extra_rows if data is None or extra_rows else 0)
        self.formset = formset_cls(data, initial=items, prefix="items")
        self.errors = RuleErrors()

    def is_valid(self) -> bool:
        valid = self.form.is_valid() & self.formset.is_valid()
        if not valid:
            return False
        self.errors = check_entry(self.form.proposal(), self.formset.items())
        self.attach(self.errors)
        return not self.errors

    def attach(self, errors: RuleErrors) -> None:
        """Put rule errors next to the fields and item cells they are about."""
        for name, messages in errors.fields.items():
            target = name if name in self.form.fields else None
            for message in messages:
                self.form.add_error(target, message)
        live = self.formset.live_forms()
        for position, fields in errors.items.items():
            if position < len(live):
                form = live[position][1]
                for name, messages in fields.items():
                    for message in messages:
                        form.add_error(name if name in form.fields else None, message)
        self.general_errors = list(errors.general)

    def proposal(self) -> tuple[dict[str, Any], list[dict[str, Any]], list[Resource]]:
        return (self.form.proposal(), self.formset.items(),
                self.form.cleaned_data.get("related_codes") or [])

    @property
    def format_subtypes(self) -> list[str]:
        return sorted({s for values in FORMAT_SUBTYPES.values() for s in values})


class CommentForm(forms.Form):
    comment = forms.CharField(label=_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_lazy("撤销原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ChangeEventForm(forms.ModelForm):
    class Meta:
        model = ChangeEvent
        fields = ["kind", "title", "occurred_on", "description"]
        widgets = {"occurred_on": DateInput(),
                   "description": forms.Textarea(attrs={"rows": 3})}


class CompletionForm(forms.Form):
    note = forms.CharField(label=_lazy("更新说明"), widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_lazy("修订、新增或撤销了哪些资源"))


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["code", "name", "description", "budget"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ImportForm(forms.Form):
    file = forms.FileField(label=_lazy("目录文件"),
                           help_text=_lazy("XLSX 或 CSV（UTF-8），按模板填写；不超过 10 MB"))
