"""The department's first-access filing (S6)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.models import Department
from portal.refusals import perform
from portal.workflow import workflow_events

from ..forms import FilingForm
from ..policies import can_edit_filing, can_submit_filing
from ..selectors import filing_for
from ..services.filings import filing_save, filing_submit


def _department(request) -> Department | None:
    return request.user.department


@login_required
def filing(request):
    department = _department(request)
    current = filing_for(request.user.department_id)
    editable = department is not None and can_edit_filing(request.user, current)
    form = FilingForm(request.POST or None, request.FILES or None, instance=current)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and editable and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        if perform(request, lambda: filing_save(actor=request.user, department=department,
                                                data=data),
                   form=form, success=_("备案材料已保存。")):
            return redirect("sharing:filing")
    return render(request, "sharing/filing.html", {
        "form": form, "filing": current, "editable": editable,
        "can_submit": current is not None and can_submit_filing(request.user, current),
        "events": workflow_events(current) if current else [],
        "active_tab": "filing",
    })


@login_required
@require_POST
def filing_submit_view(request):
    current = filing_for(request.user.department_id)
    if current is None:
        return redirect("sharing:filing")
    perform(request, lambda: filing_submit(actor=request.user, filing=current),
            success=_("备案已提交，等待信息中心确认。"))
    return redirect("sharing:filing")


@login_required
def filing_document(request):
    """The department's signed commitment (uploads are never served publicly)."""
    current = filing_for(request.user.department_id)
    if current is None or not current.commitment_document:
        raise Http404
    return FileResponse(current.commitment_document.open("rb"), as_attachment=True)
