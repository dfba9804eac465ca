"""The cascade's guarantees inside one instance: the export is for government accounts
only, paged by cursor and incremental; a cascaded entry is read-only here and an
application for it is routed to its origin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.cascade.models import CascadedEntry, CascadeSource
from catalog.cascade.services import cascade_export_page
from catalog.models import Resource
from catalog.policies import can_retire_resource, can_revise_resource
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Role
from tests.catalog.factories import make_resource

pytestmark = pytest.mark.django_db


def test_export_is_government_only_paged_and_incremental(make_user, department):
    reader = make_user(username="reader", department=department)
    public = make_user(username="citizen")
    a, b, c = (make_resource(department, name=f"目录{i}") for i in range(3))
    make_resource(department, status=Resource.Status.DRAFT, name="草稿")
    with pytest.raises(NotPermitted):
        cascade_export_page(actor=public, base_url="http://city")
    first = cascade_export_page(actor=reader, base_url="http://city", limit=2)
    second = cascade_export_page(actor=reader, base_url="http://city", limit=2,
                                 after=first["next"])
    assert [e["name"] for e in first["results"] + second["results"]] == ["目录0", "目录1", "目录2"]
    assert second["next"] is None
    assert first["results"][0]["url"] == f"http://city/catalog/resources/{a.pk}/"
    Resource.objects.filter(pk__in=[a.pk, b.pk]).update(
        updated_at=timezone.now() - timedelta(days=3))
    since = cascade_export_page(actor=reader, base_url="http://city",
                                since=timezone.now() - timedelta(days=1))
    assert [e["id"] for e in since["results"]] == [str(c.pk)]
    with pytest.raises(ValidationFailed):
        cascade_export_page(actor=reader, base_url="http://city", after="nonsense")


def test_cascaded_entry_is_read_only_and_applications_go_to_the_origin(
        make_user, department, other_department, region):
    from sharing.services.requests import request_create

    entry = make_resource(department, name="下级目录", sharing_type="conditional")
    source = CascadeSource.objects.create(name="示范市", url="http://city", region=region,
                                          token="k")
    CascadedEntry.objects.create(resource=entry, source=source, remote_id="7",
                                 origin_url="http://city/catalog/resources/7/",
                                 remote_updated_at=timezone.now())
    center = make_user(username="center", roles=[Role.CENTER_REVIEWER])
    editor = make_user(username="editor", department=department, roles=[Role.DATA_ADMIN])
    assert not can_retire_resource(center, entry) and not can_revise_resource(editor, entry)
    applicant = make_user(username="applicant", department=other_department,
                          roles=[Role.DATA_ADMIN])
    with pytest.raises(ValidationFailed) as refused:
        request_create(actor=applicant, resource=entry, items=entry.items.all(), data={})
    assert "http://city/catalog/resources/7/" in str(refused.value)


def test_p2_cascade_tokens_are_encrypted_at_rest_replaced_in_the_admin_and_rotated(
        make_user, region, web, settings):
    """P2: a lower platform's token is stored encrypted (never in plain), kept when the
    admin form leaves it blank, replaced when filled; ``manage.py secrets_rotate``
    re-encrypts it (and the gateway's credentials) with the newest key."""
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command
    from django.urls import reverse

    from catalog.cascade.services import cascade_source_register
    from portal.secrets import InvalidToken, secret_decrypt

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PORTAL = {**settings.PORTAL, "SECRET_KEYS": [old]}
    center = make_user(username="center", roles=[Role.CENTER_REVIEWER])
    source = cascade_source_register(actor=center, name="示范市", url="https://city.example.cn/",
                                     region=region, token="city-token-123")
    stored = CascadeSource.objects.get(pk=source.pk).token
    assert "city-token-123" not in stored and secret_decrypt(stored) == "city-token-123"
    client = web(center)
    change = reverse("admin:catalog_cascadesource_change", args=[source.pk])
    page = client.get(change).content.decode()
    assert "city-token-123" not in page and stored not in page
    form = {"name": "示范市", "url": "https://city.example.cn", "region": region.pk,
            "access_token": "",
            "interval_hours": 24, "is_active": "on"}
    assert client.post(change, form).status_code == 302
    assert CascadeSource.objects.get(pk=source.pk).token == stored  # blank keeps it
    assert client.post(change, {**form, "access_token": "city-token-456"}).status_code == 302
    replaced = CascadeSource.objects.get(pk=source.pk).token
    assert secret_decrypt(replaced) == "city-token-456"
    settings.PORTAL = {**settings.PORTAL, "SECRET_KEYS": [new, old]}
    out = StringIO()
    call_command("secrets_rotate", stdout=out)
    assert "catalog.CascadeSource.token: 1 re-encrypted" in out.getvalue()
    assert "sharing.DataService.credential_secret" in out.getvalue()
    settings.PORTAL = {**settings.PORTAL, "SECRET_KEYS": [new]}
    assert secret_decrypt(CascadeSource.objects.get(pk=source.pk).token) == "city-token-456"
    with pytest.raises(InvalidToken):
        secret_decrypt(replaced)
