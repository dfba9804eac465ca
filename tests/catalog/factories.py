"""Builders for catalog tests: valid proposals and entries in any state."""

from django.utils import timezone

from catalog.models import (
    Classification,
    DataItem,
    DataType,
    Resource,
    ResourceFormat,
    SecurityLevel,
    SharingMethod,
    SharingType,
    Subject,
    UpdateCycle,
)


def entry_data(**overrides) -> dict:
    """A proposal that passes every rule (C1–C3) and raises no C4 warning."""
    data = {
        "name": "不动产登记信息",
        "classification": Classification.DEPARTMENTAL,
        "theme": "",
        "summary": "不动产权利人、坐落、面积和登记时间。",
        "format": ResourceFormat.DATABASE,
        "format_subtype": "PostgreSQL",
        "subjects": [Subject.INDIVIDUAL],
        "locality": "海南省",
        "sharing_type": SharingType.UNCONDITIONAL,
        "sharing_conditions": "",
        "sharing_method": [SharingMethod.ONLINE_QUERY, SharingMethod.BULK_DOWNLOAD],
        "usage_requirements": "仅用于本部门履职。",
        "legal_basis_kind": "",
        "legal_basis": "",
        "update_cycle": UpdateCycle.DAILY,
        "is_open": False,
        "open_type": "not_open",
        "open_conditions": "",
        "is_disclosure": False,
        "security_level": SecurityLevel.INTERNAL,
        "publication_date": None,
        "contact_name": "王五",
        "contact_phone": "0898-66000000",
        "contact_email": "",
        "project": None,
    }
    data.update(overrides)
    return data


def item(name: str, data_type: str = DataType.STRING, length: int | None = 50, **extra) -> dict:
    return {"name": name, "field_name": "", "data_type": data_type, "length": length,
            "description": "", "sensitivity": "none", "sharing_type": "", "is_key": False,
            "is_base": False, **extra}


def items_data(*names: str) -> list[dict]:
    names = names or ("姓名", "身份证号码", "不动产坐落")
    return [item(n) for n in names]


def make_resource(provider, *, status=Resource.Status.REGISTERED, items=("姓名", "身份证号码", "不动产坐落"),
                  code=None, **overrides) -> Resource:
    """An entry written directly (for tests that need a state without walking the workflow)."""
    from portal.search import search_index_update

    data = entry_data(**overrides)
    data.pop("project", None)
    resource = Resource.objects.create(provider=provider, status=status, **data)
    if status in (Resource.Status.REGISTERED, Resource.Status.RETIRED):
        resource.code = code or f"3-{provider.organisation_code}-{resource.pk:05d}"
        resource.registered_at = timezone.now()
        resource.save()
    for position, name in enumerate(items, start=1):
        values = item(name) if isinstance(name, str) else name
        DataItem.objects.create(resource=resource, position=position, **values)
    search_index_update([resource])
    return resource
