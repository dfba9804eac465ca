"""Masking rules over the API (S9, O3): the same people as the masking page, validated
like it, and nothing stored on a refusal."""

import pytest

from dataplane.models import MaskingRule
from portal.models import Role
from tests.dataplane.conftest import item
from tests.sharing.factories import DataItemFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, read, write", [
    ("provider_admin", 200, 200), ("provider_security", 200, 200), ("provider_clerk", 403, 403),
    ("consumer", 403, 403), ("anonymous", 401, 401)])
def test_s9_masking_rules_over_the_api_role_matrix(who, read, write, api, resource, make_user,
                                                   provider, provider_admin, provider_security,
                                                   consumer):
    """S9/O3: ``/api/v1/sharing/resources/{code}/masking-rules/`` for those who may set
    rules on the masking page, and no one else; a PUT by anyone else changes nothing."""
    users = {"provider_admin": provider_admin, "provider_security": provider_security,
             "provider_clerk": make_user(department=provider, roles=[Role.CLERK]),
             "consumer": consumer, "anonymous": None}
    client = api(users[who])
    base = f"/api/v1/sharing/resources/{resource.code}/masking-rules/"
    target = item(resource, "身份证号码")
    response = client.get(base)
    assert response.status_code == read
    put = client.put(f"{base}{target.pk}/", {"kind": "id_number"}, format="json")
    assert put.status_code == write
    assert MaskingRule.objects.filter(item=target).exists() == (write == 200)
    if read == 200:
        rows = {row["name"]: row for row in response.json()}
        assert set(rows) == set(resource.items.filter(retired=False).values_list("name", flat=True))
        assert rows["身份证号码"]["rule"] is None
        rule = put.json()["rule"]
        assert (rule["kind"], rule["kind_display"]) == ("id_number", "身份证号码（保留前6位和后4位）")


def test_s9_masking_rule_api_validates_and_deletes(api, resource, provider_admin):
    """Bad kind or parameters: 400 naming the field, nothing stored; an item of another
    resource or a missing item: 404; DELETE removes the rule (204)."""
    client = api(provider_admin)
    base = f"/api/v1/sharing/resources/{resource.code}/masking-rules/"
    target = item(resource, "姓名")
    bad_kind = client.put(f"{base}{target.pk}/", {"kind": "rot13"}, format="json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()
    bad_params = client.put(f"{base}{target.pk}/",
                            {"kind": "hash", "params": {"length": 3}}, format="json")
    assert bad_params.status_code == 400 and "params" in bad_params.json()
    assert not MaskingRule.objects.filter(item=target).exists()
    other = DataItemFactory(resource=ResourceFactory(provider=resource.provider))
    assert client.put(f"{base}{other.pk}/", {"kind": "name"},
                      format="json").status_code == 404
    assert client.put(f"{base}999999/", {"kind": "name"}, format="json").status_code == 404
    ok = client.put(f"{base}{target.pk}/", {"kind": "name", "params": {"keep_head": 1},
                                            "applies_to_all": True, "note": "对外均脱敏"},
                    format="json")
    assert ok.status_code == 200 and ok.json()["rule"]["applies_to_all"] is True
    assert client.delete(f"{base}{target.pk}/").status_code == 204
    assert not MaskingRule.objects.filter(item=target).exists()
