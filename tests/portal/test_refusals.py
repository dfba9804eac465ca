"""A refused action leaves the same audit row on every face (P2): page views (through
``portal.refusals.perform`` and ``refusal_show``), admin pages and admin actions, the
REST API and the data pages. Bad input is shown but not audited."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Resource
from dataplane.services.tokens import system_token_issue, system_token_revoke
from portal.models import AuditEvent, Role
from sharing.models import Filing, Grant
from tests.sharing.factories import FilingFactory, grant_for, resource_with_items

pytestmark = pytest.mark.django_db

DENIED = AuditEvent.Action.PERMISSION_DENIED
ILLEGAL = AuditEvent.Action.ILLEGAL_TRANSITION


@pytest.fixture
def scene(make_user, department, other_department):
    """``other_department`` provides a resource; ``department`` holds a grant on it."""
    FilingFactory(department=department)
    resource = resource_with_items(provider=other_department)
    provider_admin = make_user(department=other_department, roles=[Role.DATA_ADMIN])
    return {
        "resource": resource,
        "grant": grant_for(department, resource, items=list(resource.items.all()[:1]),
                           actor=provider_admin),
        "provider_admin": provider_admin,
        "consumer_admin": make_user(department=department, roles=[Role.DATA_ADMIN]),
        "center": make_user(roles=[Role.CENTER_REVIEWER]),
    }


def only_refusal(action, target) -> AuditEvent:
    """The one audit row of a refusal, naming the object and the refused action."""
    events = list(AuditEvent.objects.filter(action__in=[DENIED, ILLEGAL]))
    assert len(events) == 1, events
    event = events[0]
    assert event.action == action
    assert (event.object_type, event.object_id) == (target._meta.label, str(target.pk))
    assert event.detail["message"]
    return event


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_p2_page_refusal_through_perform_is_shown_and_audited(web, scene):
    grant = scene["grant"]
    client = web(scene["consumer_admin"])
    response = client.post(f"/sharing/grants/{grant.pk}/revoke/", {"reason": "不再需要"})
    assert response.status_code == 302
    assert any("撤销授权" in m for m in error_messages(response))
    event = only_refusal(DENIED, grant)
    assert event.actor == scene["consumer_admin"] and event.detail["action"] == "revoke"
    assert event.path == f"/sharing/grants/{grant.pk}/revoke/"
    assert Grant.objects.get(pk=grant.pk).revoked_at is None


def test_p2_bad_input_on_a_page_is_shown_but_not_audited(web, scene):
    grant = scene["grant"]
    response = web(scene["provider_admin"]).post(f"/sharing/grants/{grant.pk}/revoke/",
                                                 {"reason": " "})
    assert any("撤销原因" in m for m in error_messages(response))
    assert not AuditEvent.objects.filter(action__in=[DENIED, ILLEGAL]).exists()


def test_p2_catalog_page_refusal_is_audited(web, scene):
    """The catalog pages used to show the refusal without a trace."""
    resource = scene["resource"]
    response = web(scene["provider_admin"]).post(
        f"/catalog/resources/{resource.pk}/withdraw/", {"comment": ""})
    assert response.status_code == 302 and error_messages(response)
    only_refusal(ILLEGAL, resource)
    assert Resource.objects.get(pk=resource.pk).status == Resource.Status.REGISTERED


def test_p2_admin_page_refusal_is_audited(web, scene, department):
    """The sharing admin used to show the refusal without a trace: acknowledging a
    filing that is already acknowledged."""
    filing = Filing.objects.get(department=department)
    response = web(scene["center"]).post(f"/admin/sharing/filing/{filing.pk}/change/",
                                         {"decision": "acknowledge", "comment": ""})
    assert response.status_code == 302
    assert error_messages(response)
    only_refusal(ILLEGAL, filing)


def test_p2_admin_action_over_a_selection_audits_each_refusal(web, scene, make_user,
                                                              department):
    security = make_user(department=department, roles=[Role.SECURITY_OFFICER])
    expiry = timezone.now() + timedelta(days=30)
    live, _key = system_token_issue(actor=security, name="审批系统", expires_at=expiry)
    revoked, _key = system_token_issue(actor=security, name="旧系统", expires_at=expiry)
    system_token_revoke(actor=security, token=revoked)
    AuditEvent.objects.all().delete()
    scopes = [live.dataplane_scope.pk, revoked.dataplane_scope.pk]
    response = web(scene["center"]).post("/admin/dataplane/systemtokenscope/", {
        "action": "revoke", "_selected_action": scopes})
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.revoked_at is not None
    event = AuditEvent.objects.get(action=DENIED)
    assert event.object_id == str(revoked.pk) and event.detail["action"] == "revoke"
    assert len(error_messages(response)) == 1


def test_p2_api_refusal_is_a_403_and_audited(scene):
    grant = scene["grant"]
    client = APIClient()
    client.force_authenticate(scene["consumer_admin"])
    response = client.post(f"/api/v1/sharing/grants/{grant.pk}/revoke/",
                           {"reason": "不再需要"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    only_refusal(DENIED, grant)


def test_p2_data_page_refusal_is_audited_beside_the_access_log(web, scene, make_user):
    """A filed department without a grant runs the query page: the access log records the
    denied read and the audit trail the refusal, as for the API."""
    from dataplane.models import AccessLogEntry
    from tests.factories import DepartmentFactory

    outsider = FilingFactory(department=DepartmentFactory()).department
    reader = make_user(department=outsider, roles=[Role.DATA_ADMIN])
    resource = scene["resource"]
    response = web(reader).get(f"/data/r/{resource.code}/query/", {"run": "1"})
    assert response.status_code == 403
    assert AccessLogEntry.objects.filter(allowed=False, resource=resource,
                                         department=outsider).count() == 1
    only_refusal(DENIED, resource)
