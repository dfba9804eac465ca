"""Fixtures of the data-plane tests: a registered resource with typed items, its
provider's staff, a filed consumer department with a grant, and uploading helpers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from catalog.models import DataType, SharingType
from portal.models import Role
from tests.sharing.factories import DataItemFactory, FilingFactory, ResourceFactory, grant_for

# name, field id, type, length, key
ITEMS = [
    ("姓名", "name", DataType.STRING, 20, False),
    ("身份证号码", "id_number", DataType.STRING, 18, True),
    ("手机号码", "mobile", DataType.STRING, 11, False),
    ("出生日期", "birth_date", DataType.DATE, None, False),
    ("年收入", "income", DataType.DECIMAL, 12, True),
    ("住址", "address", DataType.STRING, 100, False),
]

ROWS = [
    ("张三", "460100199001011234", "13812345678", "1990-01-01", "52000.5", "海南省海口市美兰区人民大道58号"),
    ("=李四+1", "460100198502023456", "13998765432", "1985-02-02", "61000", "海南省三亚市吉阳区迎宾路1号"),
    ("王五", "460100197003035678", "13711112222", "1970-03-03", "88000", "@SUM(A1)海南省儋州市那大镇"),
]


def csv_text(rows=ROWS, header=None) -> str:
    header = header or [name for name, *_rest in ITEMS]
    return "\n".join([",".join(header), *[",".join(r) for r in rows]]) + "\n"


@pytest.fixture
def provider(other_department):
    return other_department


@pytest.fixture
def resource(provider):
    """A registered conditional resource with six typed items (two of them key items)."""
    resource = ResourceFactory(provider=provider, sharing_type=SharingType.CONDITIONAL)
    for position, (name, field, data_type, length, key) in enumerate(ITEMS):
        DataItemFactory(resource=resource, name=name, field_name=field, data_type=data_type,
                        length=length, is_key=key, position=position)
    return resource


def item(resource, name):
    return resource.items.get(name=name)


@pytest.fixture
def provider_admin(make_user, provider):
    return make_user(username="prov_admin", department=provider, roles=[Role.DATA_ADMIN])


@pytest.fixture
def provider_security(make_user, provider):
    return make_user(username="prov_sec", department=provider, roles=[Role.SECURITY_OFFICER])


@pytest.fixture
def consumer(make_user, department):
    """A clerk of a department with an acknowledged filing (S6)."""
    FilingFactory(department=department)
    return make_user(username="consumer", department=department, roles=[Role.CLERK])


@pytest.fixture
def consumer_admin(make_user, department):
    FilingFactory(department=department)
    return make_user(username="consumer_admin", department=department, roles=[Role.DATA_ADMIN])


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """``upload(actor, resource, text_or_bytes, name=...)``: upload and run the task."""
    from dataplane.services.versions import version_upload

    def run(actor, resource, content, name="data.csv", **kwargs):
        """``content``: text, bytes, or a ``File`` (streamed, for big files)."""
        if isinstance(content, str | bytes):
            data = content.encode() if isinstance(content, str) else content
            content = SimpleUploadedFile(name, data)
        with django_capture_on_commit_callbacks(execute=True):
            version = version_upload(actor=actor, resource=resource, upload=content, **kwargs)
        version.refresh_from_db()
        return version

    return run


@pytest.fixture
def loaded(resource, provider_admin, upload):
    """The resource with a current version of ``ROWS``."""
    version = upload(provider_admin, resource, csv_text())
    assert version.status == "current", version.report
    return version


@pytest.fixture
def granted(resource, consumer, provider_admin):
    """A grant of 姓名, 身份证号码 and 年收入 to the consumer's department; 身份证号码 masked."""
    return grant_for(consumer.department, resource, actor=provider_admin,
                     items=[item(resource, n) for n in ("姓名", "身份证号码", "年收入")],
                     masked=[item(resource, "身份证号码")])


@pytest.fixture
def api():
    def client_for(user=None, token=None):
        client = APIClient()
        if token is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        elif user is not None:
            client.force_authenticate(user)
        return client
    return client_for
