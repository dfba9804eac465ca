"""The shared workflow helper: declared transitions, refusals (409), events."""

import pytest
from django.db import transaction
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.errors import IllegalTransition
from portal.models import AuditEvent, Department, WorkflowEvent
from portal.workflow import Transition, TransitionTable, transition_apply, workflow_events

pytestmark = pytest.mark.django_db

K = Department.Kind
# A stand-in table over a real choices field, so the helper is tested on a real row.
TABLE = TransitionTable(
    Transition("designate", source=[K.GOVERNMENT, K.PUBLIC_INSTITUTION], target=K.INFORMATION_CENTER,
               label="指定为信息中心"),
    Transition("revert", source=K.INFORMATION_CENTER, target=K.GOVERNMENT, label="撤销指定"),
    model=Department, field_name="kind",
)


def test_duplicate_transition_declaration_is_refused():
    with pytest.raises(ValueError):
        TransitionTable(Transition("a", source="x", target="y"), Transition("a", source="x", target="z"),
                        model=Department)


def test_legal_transition_moves_status_and_records_event(department, make_user):
    actor = make_user()
    with transaction.atomic():
        event = transition_apply(obj=department, table=TABLE, action="designate", actor=actor,
                                 comment="经批准")
    department.refresh_from_db()
    assert department.kind == K.INFORMATION_CENTER
    assert (event.from_status, event.to_status, event.actor, event.comment) == (
        K.GOVERNMENT, K.INFORMATION_CENTER, actor, "经批准")
    assert list(workflow_events(department)) == [event]


def test_illegal_transition_refused_without_change(department, make_user):
    with pytest.raises(IllegalTransition) as err, transaction.atomic():
        transition_apply(obj=department, table=TABLE, action="revert", actor=make_user())
    assert "政务部门" in str(err.value) and "撤销指定" in str(err.value)
    department.refresh_from_db()
    assert department.kind == K.GOVERNMENT
    assert not WorkflowEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_transition_outside_a_transaction_is_a_programming_error(department):
    with pytest.raises(RuntimeError):
        transition_apply(obj=department, table=TABLE, action="designate", actor=None,
                         save=False)


class _RevertView(APIView):
    def post(self, request, pk):
        with transaction.atomic():
            dept = Department.objects.select_for_update().get(pk=pk)
            transition_apply(obj=dept, table=TABLE, action="revert", actor=request.user)
        return Response({"ok": True})


urlpatterns = [path("revert/<int:pk>/", _RevertView.as_view())]


@pytest.mark.urls(__name__)
def test_illegal_transition_through_api_is_409_and_logged(client, department, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post(f"/revert/{department.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert "不能执行" in response.json()["detail"]
    logged = AuditEvent.objects.get(action=AuditEvent.Action.ILLEGAL_TRANSITION)
    assert logged.actor == user and logged.object_id == str(department.pk)
    assert logged.detail["action"] == "revert"


def test_event_reads_in_the_readers_language(department, make_user):
    """History pages show the transition's label and the status labels, never the raw
    action word or status value (one lookup for every page, the admin and the API)."""
    with transaction.atomic():
        event = transition_apply(obj=department, table=TABLE, action="designate", actor=make_user())
    event = workflow_events(department).get()
    assert (event.label, event.from_label, event.to_label) == ("指定为信息中心", "政务部门", "信息中心")
    assert str(event) == "指定为信息中心：政务部门 → 信息中心"


def test_every_app_binds_its_tables_to_their_models():
    from django.apps import apps

    from portal.workflow import table_for

    bound = {m._meta.label for m in apps.get_models() if table_for(m) is not None}
    assert {"catalog.Resource", "sharing.ShareRequest", "opendata.AccessApplication",
            "assessment.RectificationNotice", "assessment.Complaint", "assessment.AnnualReport",
            "catalog.Project", "dataplane.DataVersion"} <= bound
