"""The data-service pages (S9 服务接口): registration with the credential encrypted and
never shown again, operations, OpenAPI 3 import, "try it", the center's review on the
page and in the admin, where enabled services appear (catalog entry, platform catalog,
the gateway's OpenAPI description), the consumer's curl line, and who may see what."""

import json

import pytest
import yaml
from django.urls import reverse

from sharing.models import DataService, ServiceOperation
from tests.upstream import STATE

from .conftest import FIELDS, make_service

SECRET = "k3y-never-shown-again"


@pytest.fixture
def web(client, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True

    def login(user):
        user.two_factor_exempt = True
        user.save(update_fields=["two_factor_exempt"])
        client.force_login(user)
        return client
    return login


@pytest.fixture
def fields_named(resource):
    """The entry's items carry the upstream's field names as their field identifiers."""
    for field, name in FIELDS.items():
        resource.items.filter(name=name).update(field_name=field)
    return resource


def _register(client, resource, upstream, **extra):
    data = {"base_url": upstream.url("normal"), "credential_place": "header",
            "credential_name": "X-Api-Key", "secret": SECRET, "timeout_ms": 1500,
            "max_answer_mb": "1", "description": "", **extra}
    return client.post(reverse("sharing:service_new", args=[resource.pk]), data)


def _operation_post(resource, **extra):
    ids = {i.name: i.pk for i in resource.items.all()}
    data = {"name": "query", "label": "按身份证号码查询", "method": "GET", "path": "/persons",
            "records_path": "data.list", "param-count": 2,
            "param-0-name": "sfzh", "param-0-in": "query", "param-0-item": ids["身份证号码"],
            "param-1-name": "", "map-count": 3,
            "map-0-field": "xm", "map-0-item": ids["姓名"],
            "map-1-field": "sfzh", "map-1-item": ids["身份证号码"],
            "map-2-field": "nsr", "map-2-item": ids["年收入"]}
    data.update(extra)
    return data


OPENAPI = {
    "openapi": "3.0.3", "info": {"title": "人口库", "version": "1"},
    "paths": {"/persons": {"get": {
        "operationId": "queryPersons", "summary": "按身份证号码查询",
        "parameters": [{"name": "sfzh", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Answer"}}}}}}}},
    "components": {"schemas": {
        "Person": {"type": "object", "properties": {
            "xm": {"type": "string"}, "sfzh": {"type": "string"}, "nsr": {"type": "number"},
            "unknown": {"type": "string"}}},
        "Answer": {"type": "object", "properties": {"code": {"type": "integer"}, "data": {
            "type": "object", "properties": {"list": {
                "type": "array", "items": {"$ref": "#/components/schemas/Person"}}}}}}}},
}


def test_s9_provider_registers_a_service_and_its_credential_is_never_shown(
        web, resource, provider_admin, upstream):
    client = web(provider_admin)
    response = _register(client, resource, upstream)
    service = DataService.objects.get(resource=resource)
    assert response.status_code == 302
    assert service.credential_secret and SECRET not in service.credential_secret  # encrypted
    for url in (reverse("sharing:service_detail", args=[service.pk]),
                reverse("sharing:service_edit", args=[service.pk])):
        page = client.get(url).content.decode()
        assert SECRET not in page and service.credential_secret not in page
        assert "不再显示" in page
    # Saving again without a secret keeps the stored one.
    client.post(reverse("sharing:service_edit", args=[service.pk]), {
        "base_url": upstream.url("normal"), "credential_place": "header",
        "credential_name": "X-Api-Key", "secret": "", "timeout_ms": 2000, "max_answer_mb": "2"})
    service.refresh_from_db()
    from portal.secrets import secret_decrypt
    assert service.timeout_ms == 2000 and secret_decrypt(service.credential_secret) == SECRET


@pytest.mark.parametrize("field,value,message", [
    ("base_url", "ftp://example", "http://"),
    ("timeout_ms", "5", "100"),
    ("credential_name", "", "凭据"),
])
def test_s9_bad_registration_input_is_a_chinese_400_and_nothing_saved(
        web, resource, provider_admin, upstream, field, value, message):
    response = _register(web(provider_admin), resource, upstream, **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DataService.objects.filter(resource=resource).exists()


def test_s9_operation_rows_are_saved_and_bad_rows_refused(web, resource, provider_admin,
                                                         upstream):
    client = web(provider_admin)
    _register(client, resource, upstream)
    service = DataService.objects.get(resource=resource)
    url = reverse("sharing:operation_new", args=[service.pk])
    # A parameter filtering on an item that is not a query key, and no field mapping.
    bad = _operation_post(resource, **{"param-0-item": resource.items.get(name="住址").pk,
                                       "map-count": 0})
    response = client.post(url, bad)
    assert response.status_code == 400
    body = response.content.decode()
    assert "只能按本资源可作查询条件的信息项筛选" in body and "请至少把一个应答字段映射到信息项" in body
    assert not service.operations.exists()
    assert client.post(url, _operation_post(resource)).status_code == 302
    op = service.operations.get()
    assert op.params[0]["name"] == "sfzh" and op.records_path == "data.list"
    assert set(op.field_map) == {"xm", "sfzh", "nsr"}


@pytest.mark.parametrize("form", ["json", "yaml"])
def test_s9_openapi_import_picks_operations_and_matches_items(
        web, fields_named, provider_admin, upstream, form):
    resource = fields_named
    client = web(provider_admin)
    _register(client, resource, upstream)
    service = DataService.objects.get(resource=resource)
    url = reverse("sharing:service_import", args=[service.pk])
    text = json.dumps(OPENAPI) if form == "json" else yaml.safe_dump(OPENAPI, allow_unicode=True)
    listed = client.post(url, {"text": text})
    assert listed.status_code == 200 and "query_persons" in listed.content.decode()
    assert client.post(url, {"text": text, "pick": "query_persons"}).status_code == 302
    op = service.operations.get(name="query_persons")
    ids = {i.name: i.pk for i in resource.items.all()}
    assert op.records_path == "data.list" and op.path == "/persons"
    assert op.field_map == {"xm": ids["姓名"], "sfzh": ids["身份证号码"], "nsr": ids["年收入"]}
    assert op.params == [{"name": "sfzh", "in": "query", "item": ids["身份证号码"],
                          "required": False, "description": ""}]


@pytest.mark.parametrize("text,message", [
    ("{not json: [", "无法解析"),
    ("openapi: 2.0\ninfo: {}", "OpenAPI 3"),
    ("openapi: 3.0.3\ninfo: {title: x}\npaths: {}", "不合规范"),
])
def test_s9_bad_openapi_documents_are_refused_in_chinese(web, resource, provider_admin,
                                                         upstream, text, message):
    client = web(provider_admin)
    _register(client, resource, upstream)
    service = DataService.objects.get(resource=resource)
    response = client.post(reverse("sharing:service_import", args=[service.pk]), {"text": text})
    assert response.status_code == 400 and message in response.content.decode()
    assert not service.operations.exists()


def test_s9_try_it_shows_the_raw_answer_beside_a_grant_holders_view(
        web, resource, provider_admin, granted, upstream):
    service = make_service(resource, upstream.url("normal"), status=DataService.Status.DRAFT)
    client = web(provider_admin)
    page = client.get(reverse("sharing:service_try", args=[service.pk]), {
        "run": "1", "operation": "query", "p-sfzh": "460100199001011234",
        "grant": granted.pk}).content.decode()
    # Raw: every field of the upstream's answer, unmasked (the provider's own data).
    assert "460100199001011234" in page and "13812345678" in page
    # The consumer's view: granted items only, 身份证号码 masked.
    view = page.split('class="table consumer-view"')[1]
    assert "460100********1234" in view and "张三" in view and "52000.5" in view
    assert "13812345678" not in view and "手机号码" not in view
    assert STATE["last_headers"]["x-api-key"] == "s3cr3t-upstream-key"
    # A failing upstream: the error, never a crash.
    service.base_url = upstream.url("failing")
    service.save()
    failing = client.get(reverse("sharing:service_try", args=[service.pk]),
                         {"run": "1", "operation": "query"})
    assert failing.status_code == 200 and "状态码 500" in failing.content.decode()


def test_s9_center_enables_and_enabled_services_appear_everywhere(
        web, resource, provider_admin, center, consumer_admin, upstream, granted, token,
        client):
    service = make_service(resource, upstream.url("normal"), status=DataService.Status.DRAFT)
    openapi = reverse("gateway:openapi")
    path = f"/api/v1/services/{resource.code}/query/"
    web(provider_admin).post(reverse("sharing:service_step", args=[service.pk, "submit"]))
    service.refresh_from_db()
    assert service.status == DataService.Status.SUBMITTED
    assert path not in client.get(openapi).json()["paths"]
    # The center returns it on the page (a comment is required), then enables it in admin.
    center_client = web(center)
    center_client.post(reverse("sharing:service_step", args=[service.pk, "return"]),
                       {"comment": ""})
    service.refresh_from_db()
    assert service.status == DataService.Status.SUBMITTED
    center_client.post(reverse("admin:sharing_dataservice_change", args=[service.pk]),
                       {"decision": "enable", "comment": "接口可用", "operations-TOTAL_FORMS": 0,
                        "operations-INITIAL_FORMS": 0})
    service.refresh_from_db()
    assert service.status == DataService.Status.ENABLED and service.review_comment == "接口可用"
    from portal.workflow import workflow_events
    assert [e.action for e in workflow_events(service)] == ["submit", "enable"]
    # The gateway's OpenAPI description: a valid OpenAPI 3 document with the operation.
    from openapi_spec_validator import validate
    description = client.get(openapi).json()
    validate(description)
    op = description["paths"][path]["get"]
    assert [p["name"] for p in op["parameters"]] == ["sfzh", "nsr", "purpose"]
    assert list(op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
                ["results"]["items"]["properties"]) == ["姓名", "身份证号码", "手机号码", "出生日期",
                                                         "年收入", "住址"]
    # The catalog entry and the platform catalog.
    entry = center_client.get(reverse("catalog:resource_detail", args=[resource.pk]))
    assert "提供数据服务接口" in entry.content.decode()
    browse = client.get(reverse("catalog:browse")).content.decode()
    assert "service-tag" in browse
    # The consumer's page: the service with a curl line for its token.
    consumer = web(consumer_admin)
    listing = consumer.get(reverse("sharing:service_list")).content.decode()
    assert f"/api/v1/services/{resource.code}/query/?sfzh=" in listing
    assert 'curl -H "Authorization: Token $PORTAL_TOKEN"' in listing.replace("&quot;", '"')
    assert "业务系统" in listing  # the token's name


def test_s9_project_schema_stays_valid(client):
    """/api/schema/ (drf-spectacular) is still a valid OpenAPI document."""
    from openapi_spec_validator import validate
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    validate(json.loads(response.content) if response.content.lstrip()[:1] == b"{"
             else yaml.safe_load(response.content))


@pytest.mark.parametrize("who,status", [("provider_admin", 200), ("center", 200),
                                        ("outsider", 404), ("consumer_admin", 404)])
def test_s9_draft_service_pages_by_role(web, resource, upstream, make_user, who, status,
                                        request):
    """A draft is seen by its provider and the center; other departments get 404 (its
    existence is not revealed), and only the provider may edit or try it."""
    service = make_service(resource, upstream.url("normal"), status=DataService.Status.DRAFT)
    if who == "outsider":
        from portal.models import Role
        from tests.factories import DepartmentFactory
        user = make_user(username="gw_outsider", department=DepartmentFactory(),
                         roles=[Role.DATA_ADMIN])
    else:
        user = request.getfixturevalue(who)
    client = web(user)
    assert client.get(reverse("sharing:service_detail", args=[service.pk])).status_code == status
    for name in ("service_edit", "service_try", "service_import", "operation_new"):
        expected = 200 if who == "provider_admin" else 404
        assert client.get(reverse(f"sharing:{name}", args=[service.pk])).status_code == expected
    if who != "provider_admin":
        client.post(reverse("sharing:service_step", args=[service.pk, "submit"]))
        service.refresh_from_db()
        assert service.status == DataService.Status.DRAFT
        assert ServiceOperation.objects.filter(service=service).count() == 1
