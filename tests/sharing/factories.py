"""Factories for the sharing tests (and the data plane's): registered catalog entries,
filings and grants."""

from datetime import timedelta

import factory
from django.utils import timezone

from catalog.models import (
    Classification,
    DataItem,
    Resource,
    ResourceFormat,
    SharingMethod,
    SharingType,
    UpdateCycle,
)
from portal.models import Role
from sharing.models import Filing, Purpose
from tests.factories import DepartmentFactory, UserFactory


class ResourceFactory(factory.django.DjangoModelFactory):
    """A registered catalog entry (the catalog's own workflow is not exercised here)."""

    class Meta:
        model = Resource

    code = factory.Sequence(lambda n: f"3-TEST-{n:06d}")
    name = factory.Sequence(lambda n: f"测试信息资源{n}")
    provider = factory.SubFactory(DepartmentFactory)
    classification = Classification.DEPARTMENTAL
    summary = "测试用信息资源"
    format = ResourceFormat.DATABASE
    sharing_type = SharingType.CONDITIONAL
    legal_basis = "《中华人民共和国数据安全法》第三十八条"
    update_cycle = UpdateCycle.MONTHLY
    status = Resource.Status.REGISTERED
    registered_at = factory.LazyFunction(timezone.now)


class DataItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataItem

    resource = factory.SubFactory(ResourceFactory)
    name = factory.Sequence(lambda n: f"信息项{n}")
    field_name = factory.Sequence(lambda n: f"item_{n}")
    position = factory.Sequence(int)


def resource_with_items(*names: str, **kwargs) -> Resource:
    """A registered resource with one data item per name (default: three items)."""
    resource = ResourceFactory(**kwargs)
    for position, name in enumerate(names or ("姓名", "身份证号码", "住址")):
        DataItemFactory(resource=resource, name=name, field_name=f"f{position}",
                        position=position)
    return resource


class FilingFactory(factory.django.DjangoModelFactory):
    """An acknowledged first-access filing (S6)."""

    class Meta:
        model = Filing
        django_get_or_create = ("department",)

    department = factory.SubFactory(DepartmentFactory)
    status = Filing.Status.ACKNOWLEDGED
    responsible_person = "张局长"
    security_officer = "李安全"
    contact_person = "王联系"
    contact_phone = "0898-66000000"
    systems = "业务审批系统"
    data_uses = "行政审批核验"
    security_measures = "专网访问、权限分级、操作留痕"
    commitment_accepted = True
    commitment_document = factory.django.FileField(filename="承诺书.pdf", data=b"%PDF-1.4 test")
    signed_on = factory.LazyFunction(timezone.localdate)
    submitted_at = factory.LazyFunction(timezone.now)
    acknowledged_at = factory.LazyFunction(timezone.now)


def provider_admin(resource: Resource, **kwargs):
    return UserFactory(department=resource.provider, roles=[Role.DATA_ADMIN], **kwargs)


def grant_for(department, resource: Resource, *, items=None, masked=(), actor=None,
              purpose: str = Purpose.ADMINISTRATIVE_BASIS, days: int = 365, start=None):
    """A grant made through the service (so the guardian permissions are in place)."""
    from sharing.services.grants import grant_create

    start = start or timezone.localdate()
    return grant_create(
        actor=actor or provider_admin(resource), department=department, resource=resource,
        items=list(items if items is not None else resource.items.all()),
        masked_items=list(masked), purpose=purpose, method=SharingMethod.ONLINE_QUERY,
        valid_from=start, valid_until=start + timedelta(days=days),
    )


def commitment_file(name: str = "承诺书.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4 signed commitment", content_type="application/pdf")


def request_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "purpose": Purpose.ADMINISTRATIVE_BASIS,
        "purpose_detail": "办理行政许可时核验申请人身份（《行政许可法》第三十一条）",
        "knowledge_scope": "审批处经办人员",
        "security_measures": "专网访问，按岗位授权，操作留痕",
        "period_start": today,
        "period_end": today + timedelta(days=365),
        "method": SharingMethod.ONLINE_QUERY,
        "commitment_document": commitment_file(),
        "commitment_accepted": True,
    }
    data.update(overrides)
    return data


def make_request(actor, resource: Resource, *, items=None, submit_by=None, **overrides):
    """A draft by ``actor`` (submitted by ``submit_by`` when given)."""
    from sharing.services.requests import request_create, request_submit

    request = request_create(actor=actor, resource=resource,
                             items=list(items if items is not None else resource.items.all()),
                             data=request_data(**overrides))
    if submit_by is not None:
        request = request_submit(actor=submit_by, request=request)
    return request
