"""Fixtures of the gateway tests: a real upstream HTTP server on 127.0.0.1, a registered
resource with an enabled data service, a filed consumer with a grant and a system token."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dataplane.models import MaskingRule
from dataplane.services.tokens import system_token_issue
from portal.models import Role
from sharing.gateway import limits, plans
from sharing.models import DataService, ServiceOperation
from tests.dataplane.conftest import ITEMS
from tests.sharing.factories import DataItemFactory, FilingFactory, ResourceFactory, grant_for
from tests.upstream import STATE, UpstreamThread

# The upstream's records: the answer fields are the provider system's own names.
RECORDS = [
    {"xm": "张三", "sfzh": "460100199001011234", "sjhm": "13812345678", "csrq": "1990-01-01",
     "nsr": 52000.5, "zz": "海南省海口市美兰区人民大道58号"},
    {"xm": "李四", "sfzh": "460100198502023456", "sjhm": "13998765432", "csrq": "1985-02-02",
     "nsr": 61000, "zz": "海南省三亚市吉阳区迎宾路1号"},
]
FIELDS = {"xm": "姓名", "sfzh": "身份证号码", "sjhm": "手机号码", "csrq": "出生日期",
          "nsr": "年收入", "zz": "住址"}


@pytest.fixture(scope="session")
def upstream():
    server = UpstreamThread().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _gateway_state(settings, upstream):
    """A fresh in-memory limit store and plan cache per test; database work on the test's
    own connection; upstream records reset."""
    settings.SHARING_GATEWAY = {**settings.SHARING_GATEWAY, "STORE": "memory", "DB_THREADS": 0,
                                "PLAN_TTL_SECONDS": 0}
    limits.store_reset()
    plans.plans_forget()
    STATE.update(records=[dict(r) for r in RECORDS], switch="ok", slow_seconds=3.0,
                 oversize_bytes=3 * 1024 * 1024, last_query={}, last_headers={})
    yield
    limits.store_reset()
    plans.plans_forget()


@pytest.fixture
def provider(other_department):
    return other_department


@pytest.fixture
def resource(provider):
    resource = ResourceFactory(provider=provider, format="service_interface",
                               sharing_method=["system"])
    for position, (name, field, data_type, length, key) in enumerate(ITEMS):
        DataItemFactory(resource=resource, name=name, field_name=field, data_type=data_type,
                        length=length, is_key=key, position=position)
    return resource


def item(resource, name):
    return resource.items.get(name=name)


@pytest.fixture
def provider_admin(make_user, provider):
    return make_user(username="gw_prov_admin", department=provider, roles=[Role.DATA_ADMIN])


@pytest.fixture
def center(make_user):
    return make_user(username="gw_center", roles=[Role.CENTER_REVIEWER])


@pytest.fixture
def consumer_admin(make_user, department):
    FilingFactory(department=department)
    return make_user(username="gw_consumer_admin", department=department, roles=[Role.DATA_ADMIN])


def make_service(resource, base_url, *, status=DataService.Status.ENABLED, timeout_ms=1500,
                 max_answer_bytes=1024 * 1024, secret="s3cr3t-upstream-key"):
    from portal.secrets import secret_encrypt

    service = DataService.objects.create(
        resource=resource, base_url=base_url, credential_place="header",
        credential_name="X-Api-Key", credential_secret=secret_encrypt(secret),
        timeout_ms=timeout_ms, max_answer_bytes=max_answer_bytes, status=status)
    ids = {i.name: i.pk for i in resource.items.all()}
    ServiceOperation.objects.create(
        service=service, name="query", label="按身份证号码查询", path="/persons",
        params=[{"name": "sfzh", "in": "query", "item": ids["身份证号码"], "required": False},
                {"name": "nsr", "in": "query", "item": ids["年收入"], "required": False}],
        records_path="data.list",
        field_map={field: ids[name] for field, name in FIELDS.items()})
    return service


@pytest.fixture
def service(resource, upstream):
    return make_service(resource, upstream.url("normal"))


@pytest.fixture
def granted(resource, consumer_admin, provider_admin):
    """姓名, 身份证号码 and 年收入 granted; 身份证号码 masked (rule: ID number)."""
    MaskingRule.objects.create(item=item(resource, "身份证号码"), kind="id_number")
    return grant_for(consumer_admin.department, resource, actor=provider_admin,
                     items=[item(resource, n) for n in ("姓名", "身份证号码", "年收入")],
                     masked=[item(resource, "身份证号码")])


@pytest.fixture
def token(consumer_admin, granted):
    """A system token of the consumer's department, scoped to the grant."""
    _token, key = system_token_issue(actor=consumer_admin, name="业务系统",
                                     expires_at=timezone.now() + timedelta(days=30),
                                     grants=[granted], rate_per_minute=1000)
    return key


@pytest.fixture
def call(client):
    def run(code, operation="query", key=None, **params):
        headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
        return client.get(f"/api/v1/services/{code}/{operation}/", params, **headers)
    return run


@pytest.fixture
def asgi_call():
    """A call through the production ASGI entry (``portal.asgi``), in this process."""
    import httpx
    from asgiref.sync import async_to_sync

    from portal.asgi import application
    from sharing.gateway.upstream import upstream_session_close

    def run(code, operation="query", key=None, headers=None, **params):
        async def go():
            transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 5000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                sent = {**({"Authorization": f"Token {key}"} if key else {}), **(headers or {})}
                try:
                    return await c.get(f"/api/v1/services/{code}/{operation}/",
                                       params=params, headers=sent)
                finally:
                    await upstream_session_close()   # this loop ends with the call
        return async_to_sync(go)()
    return run


@pytest.fixture
def upload_rows(resource, provider_admin, django_capture_on_commit_callbacks):
    """Upload records (keyed by the upstream's field names) as the resource's data version."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dataplane.services.versions import version_upload

    def run(records):
        header = list(FIELDS.values())
        lines = [",".join(header)] + [",".join(str(r[f]) for f in FIELDS) for r in records]
        upload = SimpleUploadedFile("data.csv", ("\n".join(lines) + "\n").encode())
        with django_capture_on_commit_callbacks(execute=True):
            version = version_upload(actor=provider_admin, resource=resource, upload=upload)
        version.refresh_from_db()
        assert version.status == "current", version.report
        return version
    return run
