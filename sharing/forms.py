"""Forms of the department pages. They parse input; the services apply the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Filing


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
            "signed_on": forms.DateInput(attrs={"type": "date"}),
        }


class ReasonForm(forms.Form):
    """A reason or comment required by a workflow action (refuse, revoke, return …)."""

    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)
