"""Online query and bulk download (S9, S5, S1): only granted items leave, masked as
required, filtered by key items, and every read — allowed or refused — is logged (S10)."""

import csv
import io
import json
from datetime import timedelta
from urllib.parse import unquote

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from catalog.models import DataItem, Resource, SharingType
from dataplane.masking import MaskKind
from dataplane.models import AccessLogEntry
from dataplane.services.masking import masking_rule_set
from portal.models import Role
from sharing.models import Filing
from sharing.services.grants import grant_revoke
from tests.dataplane.conftest import item

pytestmark = pytest.mark.django_db


def rows_url(resource):
    return f"/api/v1/sharing/resources/{resource.code}/rows/"


def download_url(resource):
    return f"/api/v1/sharing/resources/{resource.code}/download/"


def body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def last_entry() -> AccessLogEntry:
    return AccessLogEntry.objects.order_by("-seq").first()


def test_only_granted_items_are_returned_s9(loaded, granted, consumer, api, resource):
    """S5/S9: the projection is the grant's items; masked ones without a rule are withheld."""
    data = api(consumer).get(rows_url(resource)).json()
    assert data["columns"] == ["姓名", "身份证号码", "年收入"]
    assert data["masked"] == ["身份证号码"]
    assert data["count"] == 3 and data["version"] == 1
    assert data["results"][0] == {"姓名": "张三", "身份证号码": None, "年收入": 52000.5}


def test_ungranted_item_is_403_naming_it_s9(loaded, granted, consumer, api, resource):
    """S9: asking for an ungranted item is a 403 that names it — and the attempt is logged."""
    client = api(consumer)
    response = client.get(rows_url(resource), {"fields": "姓名,住址,mobile"})
    assert response.status_code == 403
    assert response.json()["detail"] == "未获授权的信息项：住址、手机号码。"
    entry = last_entry()
    assert not entry.allowed and "住址" in entry.reason and entry.user == consumer
    assert entry.parameters == {"fields": "姓名,住址,mobile"}
    response = client.get(download_url(resource), {"format": "csv", "fields": "出生日期"})
    assert response.status_code == 403 and "出生日期" in response.json()["detail"]


def test_masked_items_come_out_masked_everywhere_s9(loaded, granted, consumer, api, resource,
                                                    provider_security):
    """S9 item 4: a grant's masked items leave masked by their rule, in query and download."""
    masking_rule_set(actor=provider_security, item=item(resource, "身份证号码"),
                     kind=MaskKind.ID_NUMBER)
    client = api(consumer)
    rows = client.get(rows_url(resource)).json()["results"]
    assert [r["身份证号码"] for r in rows] == ["460100********1234", "460100********3456",
                                             "460100********5678"]
    text = body(client.get(download_url(resource), {"format": "csv"})).decode("utf-8-sig")
    assert "460100********1234" in text and "460100199001011234" not in text
    lines = body(client.get(download_url(resource), {"format": "json"})).decode().splitlines()
    assert json.loads(lines[0])["身份证号码"] == "460100********1234"
    workbook = openpyxl.load_workbook(io.BytesIO(body(client.get(download_url(resource),
                                                                  {"format": "xlsx"}))))
    values = [c.value for c in workbook.active["B"]]
    assert values[:2] == ["身份证号码", "460100********1234"]


def test_rule_for_all_consumers_but_not_the_provider(loaded, resource, consumer, api,
                                                     provider_admin):
    """A rule marked for every consumer masks an item even where the grant does not ask."""
    from tests.sharing.factories import grant_for

    grant_for(consumer.department, resource, actor=provider_admin,
              items=[item(resource, "手机号码")])
    masking_rule_set(actor=provider_admin, item=item(resource, "手机号码"), kind=MaskKind.MOBILE,
                     applies_to_all=True)
    assert api(consumer).get(rows_url(resource)).json()["results"][0] == {"手机号码": "138****5678"}
    own = api(provider_admin).get(rows_url(resource), {"fields": "手机号码"}).json()
    assert own["results"][0] == {"手机号码": "13812345678"} and own["masked"] == []


def test_filters_on_key_items(loaded, granted, consumer, api, resource):
    """S9 online query: filter by key items with a few operators, choose fields, paginate."""
    client = api(consumer)
    get = lambda **p: client.get(rows_url(resource), p)  # noqa: E731
    assert get(年收入__gte="60000", fields="姓名").json()["results"] == [
        {"姓名": "=李四+1"}, {"姓名": "王五"}]
    assert get(income="88000").json()["count"] == 1
    assert get(年收入__in="52000.5,88000").json()["count"] == 2
    assert get(年收入__lt="0").json()["results"] == []
    page = get(page_size="2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and "page=2" in page["next"]
    second = client.get(page["next"]).json()
    assert [r["姓名"] for r in second["results"]] == ["王五"] and second["next"] is None


def test_filter_errors_name_the_parameter(loaded, granted, consumer, api, resource):
    client = api(consumer)
    response = client.get(rows_url(resource), {"姓名": "张三"})  # granted but not a key item
    assert response.status_code == 400
    assert "身份证号码" in response.json()["姓名"][0] and "年收入" in response.json()["姓名"][0]
    response = client.get(rows_url(resource), {"年收入": "很多"})
    assert response.status_code == 400 and "应为数值" in response.json()["年收入"][0]
    response = client.get(rows_url(resource), {"不存在": "1"})
    assert response.status_code == 400 and "不存在" in response.json()["不存在"][0]
    response = client.get(rows_url(resource), {"年收入__like": "1"})
    assert response.status_code == 400
    for params in ({"page_size": "0"}, {"page_size": "501"}, {"page": "0"},
                   {"page": "99999999999999999999"}, {"page_size": "99999999999999999999"},
                   {"page": "1.5"}):
        response = client.get(rows_url(resource), params)
        [name] = params
        assert response.status_code == 400 and name in response.json()[name][0]
    far = client.get(rows_url(resource), {"page": str(2**31 - 1), "page_size": "500"}).json()
    assert far["results"] == [] and far["next"] is None
    response = client.get(rows_url(resource), {"住址": "海南"})  # not granted: 403
    assert response.status_code == 403 and "住址" in response.json()["detail"]


def test_filtering_a_masked_item_compares_the_masked_value(loaded, granted, consumer, api,
                                                           resource, provider_security):
    """A consumer cannot probe raw values of a masked item through filters."""
    masking_rule_set(actor=provider_security, item=item(resource, "身份证号码"),
                     kind=MaskKind.ID_NUMBER)
    client = api(consumer)
    assert client.get(rows_url(resource), {"身份证号码": "460100199001011234"}).json()["count"] == 0
    assert client.get(rows_url(resource), {"身份证号码": "460100********1234"}).json()["count"] == 1


def test_download_formats_and_formula_injection_s9(loaded, resource, provider_admin, api):
    """S9 bulk download: CSV (BOM), JSON lines, XLSX, streamed, with formula prefixes escaped."""
    client = api(provider_admin)
    response = client.get(download_url(resource), {"format": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="{resource.code}-v1.csv"'
    assert response["X-Row-Count"] == "3"
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    records = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert records[1]["姓名"] == "'=李四+1"
    assert records[2]["住址"] == "'@SUM(A1)海南省儋州市那大镇"
    assert records[0]["出生日期"] == "1990-01-01"
    no_bom = body(client.get(download_url(resource), {"format": "csv", "bom": "false"}))
    assert no_bom.startswith("姓名".encode())
    lines = body(client.get(download_url(resource), {"format": "json"})).decode().splitlines()
    assert json.loads(lines[1])["姓名"] == "=李四+1"  # JSON is data, not a spreadsheet
    sheet = openpyxl.load_workbook(io.BytesIO(body(
        client.get(download_url(resource), {"format": "xlsx"})))).active
    assert sheet["A3"].value == "'=李四+1" and sheet["A3"].data_type == "s"
    assert client.get(download_url(resource), {"format": "pdf"}).status_code == 400


def test_xlsx_download_has_a_row_limit(loaded, resource, provider_admin, api, settings):
    settings.DATAPLANE = {**settings.DATAPLANE, "XLSX_MAX_ROWS": 2}
    response = api(provider_admin).get(download_url(resource), {"format": "xlsx"})
    assert response.status_code == 413 and "CSV" in response.json()["detail"]


def test_every_read_is_logged_with_grant_purpose_and_rows_s10(loaded, granted, consumer, api,
                                                             resource):
    """S10: user, department, grant, purpose, parameters, rows returned, time."""
    api(consumer).get(rows_url(resource), {"年收入__gte": "60000"})
    entry = last_entry()
    assert entry.allowed and entry.action == AccessLogEntry.Action.QUERY
    assert entry.channel == AccessLogEntry.Channel.API
    assert (entry.user, entry.department, entry.grant) == (consumer, consumer.department, granted)
    assert entry.purpose == granted.purpose and entry.provider == resource.provider
    assert entry.parameters == {"年收入__gte": "60000"}
    assert entry.rows_returned == 2 and entry.items == ["姓名", "身份证号码", "年收入"]
    assert entry.masked_items == ["身份证号码"] and entry.version == loaded
    body(api(consumer).get(download_url(resource), {"format": "csv"}))
    entry = last_entry()
    assert entry.action == AccessLogEntry.Action.DOWNLOAD and entry.rows_returned == 3


def test_unconditional_access_without_a_grant_is_logged_s1(loaded, resource, consumer, api):
    """S1: unconditional items are read without an application, and the access is logged."""
    Resource.objects.filter(pk=resource.pk).update(sharing_type=SharingType.UNCONDITIONAL)
    data = api(consumer).get(rows_url(resource)).json()
    assert len(data["columns"]) == 6 and data["masked"] == []
    entry = last_entry()
    assert entry.allowed and entry.grant is None and entry.department == consumer.department


def test_refusals_are_logged_with_their_reason_s6(loaded, resource, make_user, department, api):
    """Without a grant, or before the first-access filing (S6), reads are refused and logged."""
    stranger = make_user(department=department, roles=[Role.CLERK])
    response = api(stranger).get(rows_url(resource))
    assert response.status_code == 403 and "备案" in response.json()["detail"]
    Filing.objects.create(department=department, status=Filing.Status.ACKNOWLEDGED,
                          responsible_person="甲", security_officer="乙", contact_person="丙",
                          contact_phone="1", systems="x", data_uses="x", security_measures="x",
                          commitment_accepted=True, signed_on=timezone.localdate())
    response = api(stranger).get(download_url(resource), {"format": "csv"})
    assert response.status_code == 403 and "共享申请" in response.json()["detail"]
    assert AccessLogEntry.objects.filter(user=stranger, allowed=False).count() == 2


def test_revoked_grant_stops_reads_at_once_s5(loaded, granted, consumer, api, resource,
                                              provider_admin):
    assert api(consumer).get(rows_url(resource)).status_code == 200
    grant_revoke(actor=provider_admin, grant=granted, reason="停止使用")
    response = api(consumer).get(rows_url(resource))
    assert response.status_code == 403 and "撤销" in response.json()["detail"]


def test_purpose_selects_the_grant_s7(loaded, granted, consumer, api, resource, provider_admin):
    """S7: the stated purpose binds the read to the grant for that purpose."""
    from sharing.models import Purpose
    from tests.sharing.factories import grant_for

    other = grant_for(consumer.department, resource, actor=provider_admin,
                      items=[item(resource, "住址")], purpose=Purpose.WORK_REFERENCE)
    data = api(consumer).get(rows_url(resource), {"purpose": Purpose.WORK_REFERENCE}).json()
    assert data["columns"] == ["住址"]
    assert last_entry().grant == other
    response = api(consumer).get(rows_url(resource), {"purpose": Purpose.DATA_VERIFICATION})
    assert response.status_code == 403


def test_invisible_resource_is_404_and_missing_data_is_404(resource, consumer, api, make_user,
                                                           provider):
    from tests.sharing.factories import ResourceFactory

    draft = ResourceFactory(provider=provider, status=Resource.Status.DRAFT)
    assert api(consumer).get(rows_url(draft)).status_code == 404
    response = api(make_user(department=provider, roles=[Role.CLERK])).get(rows_url(resource))
    assert response.status_code == 404 and "尚未上传" in response.json()["detail"]


def test_expired_grant_is_refused(loaded, granted, consumer, api, resource):
    from sharing.models import Grant

    Grant.objects.filter(pk=granted.pk).update(
        valid_from=timezone.localdate() - timedelta(days=30),
        valid_until=timezone.localdate() - timedelta(days=1))
    response = api(consumer).get(rows_url(resource))
    assert response.status_code == 403 and "到期" in response.json()["detail"]


def test_query_page_and_download_page(loaded, granted, consumer, web, resource):
    """The web faces go through the same services (and the same log)."""
    client = web(consumer)
    key = item(resource, "年收入")
    page = client.get(f"/data/r/{resource.code}/query/", {
        "run": "1", f"op_{key.pk}": "gte", f"v_{key.pk}": "60000", "fields": ["姓名", "年收入"]})
    text = page.content.decode()
    assert page.status_code == 200 and "共 2 条" in text and "王五" in text
    entry = last_entry()
    assert entry.channel == AccessLogEntry.Channel.WEB and entry.parameters["年收入__gte"] == "60000"
    assert "年收入__gte=60000" in unquote(page.context["download_query"])
    refused = client.get(f"/data/r/{resource.code}/query/", {"run": "1", "fields": ["住址"]})
    assert refused.status_code == 403 and "未获授权的信息项：住址" in refused.content.decode()
    response = client.get(f"/data/r/{resource.code}/download/", {"format": "csv"})
    assert response.status_code == 200 and "王五" in body(response).decode("utf-8-sig")
    denied = client.get(f"/data/r/{resource.code}/download/", {"format": "csv", "fields": "住址"})
    assert denied.status_code == 403


def test_items_renamed_after_upload_leave_under_their_current_name(loaded, granted, consumer,
                                                                   api, resource):
    """Catalog revisions (C6) update items in place: a version keeps serving them."""
    DataItem.objects.filter(pk=item(resource, "年收入").pk).update(name="年度收入")
    client = api(consumer)
    data = client.get(rows_url(resource), {"fields": "年度收入,姓名"}).json()
    assert data["columns"] == ["年度收入", "姓名"]
    assert data["results"][0] == {"年度收入": 52000.5, "姓名": "张三"}
    assert client.get(rows_url(resource), {"年收入": "88000"}).json()["count"] == 1
