"""O3 masking in every distribution, O5 conditional access, O6 access logging."""

import io
import json

import pytest
from openpyxl import load_workbook

from catalog.models import OpenType
from dataplane.models import AccessLogEntry
from dataplane.services.accesslog import accesslog_verify
from opendata.services import datasets as ds
from opendata.services.fields import rule_suggest
from portal.errors import ValidationFailed
from portal.services.tokens import token_create

pytestmark = pytest.mark.django_db

RAW_VALUES = ["460100199001011234", "13800138000", "张三丰"]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _assert_masked(text: str):
    for raw in RAW_VALUES:
        assert raw not in text
    assert "460100********1234" in text and "138****8000" in text and "张**" in text


# --- O3: desensitization ------------------------------------------------------------------------

def test_o3_sensitive_items_get_a_suggested_rule(open_resource, data_admin):
    dataset = ds.dataset_create(actor=data_admin, resource=open_resource())
    rules = {f.column: f.mask_rule for f in dataset.fields.all()}
    assert rules == {"name": "name", "id_number": "id_number", "mobile": "mobile",
                     "district": "", "area": "", "registered_on": ""}


def test_o3_rule_suggestion_prefers_the_providers_own_rule(open_resource):
    from dataplane.models import MaskingRule

    resource = open_resource()
    item = resource.items.get(field_name="mobile")
    MaskingRule.objects.create(item=item, kind="hash", params={"length": 16})
    assert rule_suggest(item) == ("hash", {"length": 16})


def test_o3_sensitive_item_cannot_be_opened_unmasked(open_resource, data_admin):
    dataset = ds.dataset_create(actor=data_admin, resource=open_resource())
    rules = [{"item": f.item_id, "included": True, "mask_rule": "", "mask_params": {}}
             for f in dataset.fields.all()]
    with pytest.raises(ValidationFailed) as exc:
        ds.dataset_fields_set(actor=data_admin, dataset=dataset, rules=rules)
    named = " ".join(m for ms in exc.value.fields.values() for m in ms)
    assert "身份证号码" in named and "手机号码" in named and "姓名" in named
    assert "区县" not in named


def test_o3_sensitive_item_may_be_left_out(open_resource, data_admin):
    dataset = ds.dataset_create(actor=data_admin, resource=open_resource())
    rules = [{"item": f.item_id, "included": f.mask_rule == "", "mask_rule": "",
              "mask_params": {}} for f in dataset.fields.all()]
    ds.dataset_fields_set(actor=data_admin, dataset=dataset, rules=rules)
    assert dataset.fields.filter(included=True).count() == 3


def test_o3_bad_rule_parameters_are_refused(open_resource, data_admin):
    dataset = ds.dataset_create(actor=data_admin, resource=open_resource())
    rules = [{"item": f.item_id, "included": True, "mask_rule": f.mask_rule or "",
              "mask_params": {"keep_head": "many"} if f.column == "mobile" else {}}
             for f in dataset.fields.all()]
    with pytest.raises(ValidationFailed) as exc:
        ds.dataset_fields_set(actor=data_admin, dataset=dataset, rules=rules)
    assert len(exc.value.fields) == 1


def test_o3_masking_applied_in_every_distribution(publish, client):
    dataset = publish()
    csv = _body(client.get(f"/open/datasets/{dataset.name}/download/csv/")).decode("utf-8-sig")
    _assert_masked(csv)
    doc = json.loads(_body(client.get(f"/open/datasets/{dataset.name}/download/json/")))
    _assert_masked(json.dumps(doc, ensure_ascii=False))
    assert len(doc) == 3 and set(doc[0]) >= {"id_number", "district"}
    sheet = load_workbook(io.BytesIO(_body(
        client.get(f"/open/datasets/{dataset.name}/download/xlsx/"))), read_only=True).active
    _assert_masked(" ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row))
    rows = client.get(f"/api/v1/opendata/datasets/{dataset.pk}/rows/").json()
    _assert_masked(json.dumps(rows, ensure_ascii=False))
    # The API's bulk download in each format (``?format=`` is the file format).
    base = f"/api/v1/opendata/datasets/{dataset.pk}/download/"
    for fmt, media_type in (("csv", "text/csv"), ("json", "application/json"),
                            ("xlsx", "application/vnd.openxmlformats")):
        response = client.get(f"{base}?format={fmt}")
        assert response.status_code == 200, (fmt, response.status_code)
        assert response["Content-Type"].startswith(media_type), fmt
        if fmt != "xlsx":
            _assert_masked(_body(response).decode("utf-8-sig"))
    unknown = client.get(f"{base}?format=pdf")
    assert unknown.status_code == 400 and "csv" in unknown.json()["format"][0]
    page = client.get(f"/open/datasets/{dataset.name}/").content.decode()
    _assert_masked(page)
    resource_id = dataset.distributions.get(format="api").uuid
    ckan = client.get(f"/api/3/action/datastore_search?resource_id={resource_id}").json()
    _assert_masked(json.dumps(ckan, ensure_ascii=False))


def test_o3_reviewer_sees_before_and_after(open_resource, upload, data_admin, center,
                                           client, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    resource = open_resource()
    upload(resource)
    dataset = ds.dataset_create(actor=data_admin, resource=resource)
    ds.dataset_propose(actor=data_admin, dataset=dataset)
    center.two_factor_exempt = True
    center.save()
    client.force_login(center)
    html = client.get(f"/open/manage/datasets/{dataset.pk}/review/").content.decode()
    assert "460100199001011234" in html and "460100********1234" in html
    assert "脱敏前后对比" in html
    # The rules are named in words, on the review page as on the dataset page.
    for url in (f"/open/manage/datasets/{dataset.pk}/review/",
                f"/open/manage/datasets/{dataset.pk}/"):
        html = client.get(url).content.decode()
        assert "身份证号码（保留前6位和后4位）" in html, url
        assert "<td>id_number" not in html and "keep_head" not in html, url


def test_o3_csv_escapes_formula_cells(publish):
    from tests.opendata.conftest import ROWS

    rows = [dict(ROWS[0], 区县="=HYPERLINK(\"x\")")] + ROWS[1:]
    dataset = publish(rows=rows)
    text = dataset.distributions.get(format="csv").file.open("rb").read().decode("utf-8-sig")
    assert "'=HYPERLINK" in text


# --- O5: conditional open ---------------------------------------------------------------------

def test_o5_conditional_metadata_visible_data_hidden_for_anonymous(publish, client):
    dataset = publish(open_type=OpenType.CONDITIONAL)
    page = client.get(f"/open/datasets/{dataset.name}/")
    assert page.status_code == 200 and dataset.title in page.content.decode()
    assert "申请使用" in page.content.decode() or "登录后申请" in page.content.decode()
    assert "460100********1234" not in page.content.decode()
    # The dataset is public, its data is not: 403 saying what to do, never a bare 404.
    download = client.get(f"/open/datasets/{dataset.name}/download/csv/")
    assert download.status_code == 403 and "请使用社会公众账户登录" in download.content.decode()
    rows = client.get(f"/api/v1/opendata/datasets/{dataset.pk}/rows/")
    assert rows.status_code == 403 and "登录" in rows.json()["detail"]
    assert client.get(f"/api/v1/opendata/datasets/{dataset.pk}/download/?format=json"
                      ).status_code == 403
    api = dataset.distributions.get(format="api").uuid
    ckan = client.get(f"/api/3/action/datastore_search?resource_id={api}")
    assert ckan.status_code == 404 and ckan.json()["error"]["__type"] == "Not Found Error"
    assert client.get(f"/api/v1/opendata/datasets/{dataset.pk}/").status_code == 200


def test_o5_apply_approve_then_download_with_personal_token(publish, public_user, data_admin,
                                                            client):
    from opendata.services import engagement as es

    dataset = publish(open_type=OpenType.CONDITIONAL)
    _token, key = token_create(actor=public_user, name="研究")
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    url = f"/api/v1/opendata/datasets/{dataset.pk}/rows/"
    refused = client.get(url, **auth)
    assert refused.status_code == 403 and "请先在数据集页面提交使用申请" in refused.json()["detail"]
    application = es.application_submit(actor=public_user, dataset=dataset,
                                        purpose_kind="research", purpose="交通规划研究",
                                        contact_phone="13800000000")
    refused = client.get(url, **auth)
    assert refused.status_code == 403 and "正在审批中" in refused.json()["detail"]
    es.application_approve(actor=data_admin, application=application)
    response = client.get(url, **auth)
    assert response.status_code == 200 and response.json()["count"] == 3
    download = client.get(f"/open/datasets/{dataset.name}/download/csv/", **auth)
    assert download.status_code == 200
    assert download["Cache-Control"].startswith("private")
    entry = AccessLogEntry.objects.filter(allowed=True, action="download").latest("seq")
    assert entry.user == public_user and entry.purpose == f"open:application:{application.pk}"
    assert entry.token_id == _token.pk


def test_o5_revoked_or_expired_approval_stops_access(publish, public_user, data_admin, client):
    from datetime import timedelta

    from django.utils import timezone

    from opendata.models import AccessApplication
    from opendata.services import engagement as es

    dataset = publish(open_type=OpenType.CONDITIONAL)
    client.force_login(public_user)
    url = f"/open/datasets/{dataset.name}/download/csv/"

    def refusal() -> str:
        response = client.get(url)
        assert response.status_code == 403  # the page is public; say why the data is not
        return response.content.decode()

    assert "请先在数据集页面提交使用申请" in refusal()
    application = es.application_submit(actor=public_user, dataset=dataset,
                                        purpose_kind="research", purpose="研究",
                                        contact_phone="13800000000")
    assert "正在审批中" in refusal()
    es.application_approve(actor=data_admin, application=application)
    assert client.get(url).status_code == 200
    AccessApplication.objects.filter(pk=application.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1))
    assert "到期" in refusal()
    AccessApplication.objects.filter(pk=application.pk).update(valid_until=None)
    es.application_revoke(actor=data_admin, application=application, comment="超范围使用")
    assert "使用授权已终止：超范围使用" in refusal()
    # The application's history starts with its submission, in words.
    from portal.workflow import workflow_events

    assert [e.label for e in workflow_events(application)] == ["提交申请", "批准", "终止授权"]


@pytest.mark.parametrize("role,allowed", [
    ("data_admin", True), ("center", True), ("other_admin", False), ("public_user", False),
    ("clerk", False),
])
def test_o5_who_decides_applications(publish, public_user, request, role, allowed):
    from opendata.services import engagement as es
    from portal.errors import NotPermitted

    dataset = publish(open_type=OpenType.CONDITIONAL)
    application = es.application_submit(actor=public_user, dataset=dataset,
                                        purpose_kind="research", purpose="研究",
                                        contact_phone="13800000000")
    actor = request.getfixturevalue(role)
    if allowed:
        assert es.application_approve(actor=actor, application=application).status == "approved"
    else:
        with pytest.raises(NotPermitted):
            es.application_approve(actor=actor, application=application)


def test_o5_refusal_needs_reason_and_government_users_cannot_apply(publish, public_user,
                                                                   data_admin, other_admin):
    from opendata.services import engagement as es
    from portal.errors import Conflict, NotPermitted

    dataset = publish(open_type=OpenType.CONDITIONAL)
    with pytest.raises(NotPermitted):
        es.application_submit(actor=other_admin, dataset=dataset, purpose_kind="research",
                              purpose="x", contact_phone="1")
    application = es.application_submit(actor=public_user, dataset=dataset,
                                        purpose_kind="research", purpose="研究",
                                        contact_phone="13800000000")
    with pytest.raises(Conflict):
        es.application_submit(actor=public_user, dataset=dataset, purpose_kind="research",
                              purpose="再次", contact_phone="13800000000")
    with pytest.raises(ValidationFailed):
        es.application_refuse(actor=data_admin, application=application, comment="")


def test_o5_unconditional_dataset_needs_no_application(publish, public_user):
    from opendata.services import engagement as es
    from portal.errors import Conflict

    dataset = publish()
    with pytest.raises(Conflict):
        es.application_submit(actor=public_user, dataset=dataset, purpose_kind="research",
                              purpose="x", contact_phone="1")


def test_o5_catalog_turning_conditional_closes_data_at_once(publish, client):
    from catalog.models import Resource

    dataset = publish()
    assert client.get(f"/open/datasets/{dataset.name}/download/csv/").status_code == 200
    Resource.objects.filter(pk=dataset.resource_id).update(open_type=OpenType.CONDITIONAL)
    assert client.get(f"/open/datasets/{dataset.name}/download/csv/").status_code == 403


# --- O6: access log ---------------------------------------------------------------------------------

def test_o6_every_download_and_api_call_is_logged_in_the_chain(publish, client):
    dataset = publish()
    before = AccessLogEntry.objects.count()
    client.get(f"/open/datasets/{dataset.name}/download/csv/")
    client.get(f"/api/v1/opendata/datasets/{dataset.pk}/rows/?district=美兰区")
    client.get(f"/api/v1/opendata/datasets/{dataset.pk}/download/?format=json")
    resource_id = dataset.distributions.get(format="api").uuid
    client.get(f"/api/3/action/datastore_search?resource_id={resource_id}")
    entries = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert [(e.action, e.channel) for e in entries] == [
        ("download", "web"), ("query", "api"), ("download", "api"), ("query", "api")]
    assert entries[1].rows_returned == 1
    assert entries[1].parameters["district"] == "美兰区"
    assert all(e.resource_id == dataset.resource_id and e.allowed for e in entries)
    assert "id_number" in entries[0].masked_items
    assert accesslog_verify().ok
    dataset.refresh_from_db()
    assert dataset.download_count == 2 and dataset.api_call_count == 2


def test_o6_refused_access_is_logged(publish, client):
    dataset = publish(open_type=OpenType.CONDITIONAL)
    client.get(f"/open/datasets/{dataset.name}/download/csv/")
    entry = AccessLogEntry.objects.latest("seq")
    assert entry.allowed is False and entry.action == "download" and entry.reason


def test_o6_read_service_takes_a_consumer_not_a_request(publish, public_user, data_admin):
    """The read services serve any face (a task, a script) from a Consumer: the refusal
    and the allowed read are logged with who read, the channel and the purpose."""
    from dataplane.consumer import Consumer
    from opendata.data import RowsQuery
    from opendata.services import engagement as es
    from opendata.services.access import DataHidden, open_rows_read

    dataset = publish(open_type=OpenType.CONDITIONAL)
    query = RowsQuery(filters=[], sort=[("area", True)], fields=["district", "area"],
                      q="区", limit=2)
    anonymous = Consumer.of(user=None, token=None, channel="api", ip_address="192.0.2.7")
    with pytest.raises(DataHidden):
        open_rows_read(consumer=anonymous, dataset=dataset, query=query)
    refused = AccessLogEntry.objects.latest("seq")
    assert (refused.allowed, refused.user_id, refused.ip_address) == (False, None, "192.0.2.7")
    application = es.application_submit(actor=public_user, dataset=dataset,
                                        purpose_kind="research", purpose="研究",
                                        contact_phone="13800000000")
    es.application_approve(actor=data_admin, application=application)
    reader = Consumer.of(user=public_user, token=None, channel="web", ip_address=None)
    result = open_rows_read(consumer=reader, dataset=dataset, query=query)
    assert result.total == 3 and [r["area"] for r in result.rows] == [120.5, 88.0]
    entry = AccessLogEntry.objects.latest("seq")
    assert (entry.allowed, entry.user_id, entry.channel, entry.rows_returned) == (
        True, public_user.pk, "web", 2)
    assert entry.purpose == f"open:application:{application.pk}"
