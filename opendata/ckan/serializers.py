"""Open datasets as CKAN dictionaries (package, resource, organization, group, tag).

Field names and shapes follow CKAN 2.10's action API so existing clients and harvesters
(ckanapi, ckanext-harvest, ckanext-dcat) read them unchanged. Times are naive ISO 8601
in UTC, as CKAN writes them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.translation import gettext as _

from catalog.models import OpenType
from portal.models import Department

from ..dcat import Urls
from ..models import Dataset, Distribution
from ..vocab import FORMATS, LICENCES, DistributionFormat, Licence


def ckan_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat()


def organization_name(department: Department) -> str:
    """A department's CKAN name: its unified social credit code, lower case (stable, unique)."""
    return department.uscc.lower()


def organization_dict(department: Department, urls: Urls, *, package_count: int | None = None,
                      ) -> dict:
    data = {
        "id": str(department.pk),
        "name": organization_name(department),
        "title": department.name,
        "display_name": department.name,
        "description": department.short_name or "",
        "image_url": "",
        "image_display_url": "",
        "created": None,
        "is_organization": True,
        "approval_status": "approved",
        "state": "active" if department.is_active else "deleted",
        "type": "organization",
        "url": urls.publisher(department.pk),
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def group_dict(theme: str, label: str) -> dict:
    return {"id": theme, "name": theme, "title": label, "display_name": label,
            "description": "", "image_display_url": "", "type": "group",
            "is_organization": False, "state": "active"}


def tag_dict(word: str) -> dict:
    return {"id": word, "name": word, "display_name": word, "state": "active",
            "vocabulary_id": None}


def resource_dict(dataset: Dataset, dist: Distribution, urls: Urls, position: int) -> dict:
    is_api = dist.format == DistributionFormat.API
    return {
        "id": str(dist.uuid),
        "package_id": str(dataset.uuid),
        "name": f"{dataset.title}（{dist.get_format_display()}）",
        "description": _("数据接口（JSON），支持筛选、排序与分页") if is_api
        else _("经脱敏处理的数据文件"),
        "format": "API" if is_api else FORMATS[dist.format].eu_code,
        "mimetype": FORMATS[dist.format].media_type,
        "url": urls.distribution(dataset, dist.format),
        "size": dist.byte_size,
        "hash": f"sha256:{dist.checksum}" if dist.checksum else "",
        "created": ckan_time(dist.modified_at),
        "last_modified": ckan_time(dist.modified_at or dataset.data_modified_at),
        "metadata_modified": ckan_time(dataset.modified_at),
        "position": position,
        "state": "active",
        "url_type": None,
        "resource_type": "api" if is_api else "file",
        "datastore_active": dataset.data_status == Dataset.DataStatus.READY,
    }


def _available(dataset: Dataset) -> list[Distribution]:
    ready = dataset.data_status == Dataset.DataStatus.READY
    return [d for d in dataset.distributions.all() if ready and (not d.is_file or d.file)]


def package_dict(dataset: Dataset, urls: Urls) -> dict:
    """A dataset as CKAN's ``package_show`` returns it."""
    licence = LICENCES[dataset.licence]
    resources = [resource_dict(dataset, d, urls, i) for i, d in enumerate(_available(dataset))]
    tags = [tag_dict(w) for w in dataset.keywords or []]
    extras = {
        "theme": dataset.theme,
        "open_type": dataset.open_type,
        "open_conditions": dataset.open_conditions,
        "update_cycle": dataset.update_cycle,
        "spatial_text": dataset.spatial,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else "",
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else "",
        "resource_code": dataset.resource.code or "",
        "row_count": "" if dataset.row_count is None else str(dataset.row_count),
    }
    return {
        "id": str(dataset.uuid),
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.description,
        "url": urls.dataset(dataset),
        "author": dataset.publisher.name,
        "author_email": None,
        "maintainer": dataset.contact_name or None,
        "maintainer_email": dataset.contact_email or None,
        "license_id": dataset.licence,
        "license_title": str(Licence(dataset.licence).label),
        "license_url": licence.url or urls.licence(dataset.licence),
        "isopen": licence.open_definition and dataset.open_type == OpenType.UNCONDITIONAL,
        "private": False,
        "state": "active",
        "type": "dataset",
        "version": None,
        "metadata_created": ckan_time(dataset.first_published_at),
        "metadata_modified": ckan_time(dataset.modified_at),
        "creator_user_id": None,
        "owner_org": str(dataset.publisher_id),
        "organization": organization_dict(dataset.publisher, urls),
        "groups": [group_dict(dataset.theme, dataset.get_theme_display())],
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def licence_list() -> list[dict]:
    return [
        {"id": code, "title": str(label), "url": LICENCES[code].url,
         "od_conformance": "approved" if LICENCES[code].open_definition else "not reviewed",
         "osd_conformance": "not reviewed", "status": "active", "maintainer": "",
         "family": "", "domain_content": False, "domain_data": True, "domain_software": False,
         "is_generic": False}
        for code, label in Licence.choices
    ]
