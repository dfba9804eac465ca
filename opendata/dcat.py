"""DCAT-AP 3.0.1 description of the open catalog (O8), and schema.org/Dataset markup.

:func:`catalog_nodes` yields the RDF nodes of the catalog one dataset at a time, so the
export of a large catalog streams (see :mod:`opendata.rdf`). IRIs are the portal's own
public URLs: a dataset's IRI is its page, a distribution's IRI its download address.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import UpdateCycle
from portal.conf import portal_setting

from .conf import opendata_setting
from .models import Dataset, Distribution
from .rdf import IRI, Literal, Node
from .vocab import (
    ACCESS_RIGHTS,
    FORMATS,
    LANGUAGE_ZH,
    LICENCES,
    DistributionFormat,
    Licence,
    eu_theme_iri,
    format_iri,
    frequency_iri,
    media_type_iri,
)

EU_THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"
ADMS_STATUS_COMPLETED = "http://purl.org/adms/status/Completed"
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/NationalAuthority"
LICENCE_TYPE_PUBLIC = "http://purl.org/adms/licencetype/PublicDomain"
LICENCE_TYPE_ATTRIBUTION = "http://purl.org/adms/licencetype/Attribution"
AVAILABILITY_STABLE = "http://data.europa.eu/r5r/availability/stable"


class Urls:
    """Absolute URLs of the public site: from the request, or ``OPENDATA_BASE_URL``."""

    def __init__(self, base: str | None = None, request=None):
        if base is None:
            base = opendata_setting("BASE_URL") or (
                request.build_absolute_uri("/").rstrip("/") if request is not None
                else "http://localhost")
        self.base = base.rstrip("/")

    def abs(self, path: str) -> str:
        return self.base + path

    def catalog(self) -> str:
        return self.abs(reverse("opendata:home"))

    def dataset(self, dataset: Dataset) -> str:
        return self.abs(reverse("opendata:dataset", args=[dataset.name]))

    def distribution(self, dataset: Dataset, fmt: str) -> str:
        if fmt == DistributionFormat.API:
            return self.api_rows(dataset)
        return self.abs(reverse("opendata:download", args=[dataset.name, fmt]))

    def api_rows(self, dataset: Dataset) -> str:
        return self.abs(reverse("opendata-api:dataset-rows", args=[dataset.pk]))

    def api_root(self) -> str:
        return self.abs(reverse("opendata-api:dataset-list"))

    def publisher(self, department_id: int) -> str:
        return self.abs(reverse("opendata:department", args=[department_id]))

    def licence(self, code: str) -> str:
        info = LICENCES[code]
        return info.iri or self.abs(reverse("opendata:licence", args=[code]))

    def data_service(self) -> str:
        return self.abs(reverse("opendata:api_help")) + "#data-api"


def _text(value: str | None) -> Literal | None:
    return Literal(value, lang="zh") if value else None


def _datetime(value: datetime | None) -> Literal | None:
    if value is None:
        return None
    value = timezone.localtime(value).replace(microsecond=0)
    return Literal(value.isoformat(), datatype="xsd:dateTime")


def _date(value) -> Literal | None:
    return Literal(value.isoformat(), datatype="xsd:date") if value else None


def publisher_node(urls: Urls, department) -> Node:
    return (Node(urls.publisher(department.pk), ["foaf:Agent"])
            .add("foaf:name", _text(department.name))
            .add("dct:type", IRI(PUBLISHER_TYPE)))


def licence_node(urls: Urls, code: str) -> Node:
    info = LICENCES[code]
    return (Node(urls.licence(code), ["dct:LicenseDocument"])
            .add("rdfs:label", _text(str(Licence(code).label)))
            .add("dct:type", IRI(LICENCE_TYPE_ATTRIBUTION if info.open_definition
                                 else LICENCE_TYPE_PUBLIC)))


def _contact(dataset: Dataset) -> Node | None:
    if not (dataset.contact_name or dataset.contact_email or dataset.contact_phone):
        return None
    node = Node(None, ["vcard:Organization"]).add(
        "vcard:fn", _text(dataset.contact_name or dataset.publisher.name))
    if dataset.contact_email:
        node.add("vcard:hasEmail", IRI("mailto:" + dataset.contact_email))
    if dataset.contact_phone:
        node.add("vcard:hasTelephone", IRI("tel:" + dataset.contact_phone.replace(" ", "")))
    return node


def _temporal(dataset: Dataset) -> Node | None:
    if not (dataset.temporal_start or dataset.temporal_end):
        return None
    return (Node(None, ["dct:PeriodOfTime"])
            .add("dcat:startDate", _date(dataset.temporal_start))
            .add("dcat:endDate", _date(dataset.temporal_end)))


def _location(name: str, region=None) -> Node:
    """A named place, with the region's bounding box and centroid where they are known
    (``Region.bbox`` / ``Region.centroid``, WKT in WGS 84)."""
    node = Node(None, ["dct:Location"]).add("locn:geographicName", _text(name))
    if region is not None and region.bbox:
        node.add("dcat:bbox", Literal(region.bbox, datatype="gsp:wktLiteral"))
    if region is not None and region.centroid:
        node.add("dcat:centroid", Literal(region.centroid, datatype="gsp:wktLiteral"))
    return node


def _spatial(dataset: Dataset) -> Node | None:
    if not dataset.spatial:
        return None
    region = dataset.publisher.region
    return _location(dataset.spatial, region if region.name == dataset.spatial else None)


def distribution_node(urls: Urls, dataset: Dataset, dist: Distribution) -> Node:
    """A generated file, or the data API (reached through the data service)."""
    iri = urls.distribution(dataset, dist.format)
    node = (Node(iri, ["dcat:Distribution"])
            .add("dct:title", _text(f"{dataset.title}（{dist.get_format_display()}）"))
            .add("dct:description", _text(
                _("经脱敏处理后开放的数据，由最新数据版本生成。") if dist.is_file
                else _("数据接口：按字段筛选、排序、分页获取记录（JSON）。")))
            .add("dcat:accessURL", IRI(iri))
            .add("dct:format", IRI(format_iri(dist.format)))
            .add("dcat:mediaType", IRI(media_type_iri(dist.format)))
            .add("dct:license", IRI(urls.licence(dataset.licence)))
            .add("dcatap:availability", IRI(AVAILABILITY_STABLE))
            .add("dct:modified", _datetime(dist.modified_at or dataset.data_modified_at)))
    if dist.is_file:
        node.add("dcat:downloadURL", IRI(iri))
        if dist.byte_size is not None:
            node.add("dcat:byteSize", Literal(str(dist.byte_size),
                                              datatype="xsd:nonNegativeInteger"))
        if dist.checksum:
            node.add("spdx:checksum", Node(None, ["spdx:Checksum"])
                     .add("spdx:algorithm", IRI("http://spdx.org/rdf/terms#checksumAlgorithm_sha256"))
                     .add("spdx:checksumValue", Literal(dist.checksum, datatype="xsd:hexBinary")))
    else:
        node.add("dcat:accessService", IRI(urls.data_service()))
    return node


def dataset_node(urls: Urls, dataset: Dataset) -> Node:
    iri = urls.dataset(dataset)
    node = (Node(iri, ["dcat:Dataset"])
            .add("dct:title", _text(dataset.title))
            .add("dct:description", _text(dataset.description))
            .add("dct:identifier", Literal(str(dataset.uuid)))
            .add("adms:identifier", Node(None, ["adms:Identifier"]).add(
                "skos:notation", Literal(dataset.resource.code or dataset.name)))
            .add("dct:publisher", IRI(urls.publisher(dataset.publisher_id)))
            .add("dcat:theme", IRI(eu_theme_iri(dataset.theme)))
            .add("dct:issued", _datetime(dataset.first_published_at))
            .add("dct:modified", _datetime(dataset.modified_at))
            .add("dct:language", IRI(LANGUAGE_ZH))
            .add("dct:accessRights", IRI(ACCESS_RIGHTS[dataset.open_type]))
            .add("dcat:landingPage", IRI(iri))
            .add("dct:spatial", _spatial(dataset))
            .add("dct:temporal", _temporal(dataset))
            .add("dcat:contactPoint", _contact(dataset)))
    if dataset.update_cycle in UpdateCycle.values:
        node.add("dct:accrualPeriodicity", IRI(frequency_iri(dataset.update_cycle)))
    for word in dataset.keywords or []:
        node.add("dcat:keyword", _text(word))
    node.add("dcat:keyword", _text(dataset.get_theme_display()))
    for dist in _distributions(dataset):
        node.add("dcat:distribution", IRI(urls.distribution(dataset, dist.format)))
    return node


def _distributions(dataset: Dataset) -> list[Distribution]:
    """The dataset's distributions that exist; the data API once data is ready."""
    return [d for d in dataset.distributions.all() if not d.is_file or d.file]


def dataset_nodes(urls: Urls, dataset: Dataset) -> list[Node]:
    """The dataset with its distributions, publisher and licence as top-level nodes."""
    nodes = [dataset_node(urls, dataset)]
    nodes += [distribution_node(urls, dataset, d) for d in _distributions(dataset)]
    nodes += [publisher_node(urls, dataset.publisher), licence_node(urls, dataset.licence)]
    return nodes


def _platform_contact() -> Node:
    node = Node(None, ["vcard:Organization"]).add("vcard:fn", _text(str(portal_setting("NAME"))))
    return node.add("vcard:hasEmail", IRI("mailto:" + settings.DEFAULT_FROM_EMAIL))


def _coverage() -> Node | None:
    """The area the catalog covers: the top of the region tree."""
    from portal.models import Region

    top = Region.objects.filter(parent__isnull=True).order_by("code").first()
    return _location(top.name, top) if top else None


def catalog_head(urls: Urls, modified: datetime | None, issued: datetime | None = None,
                 ) -> list[Node]:
    """The catalog, its publisher, theme scheme and data service."""
    name = str(portal_setting("NAME"))
    catalog = (Node(urls.catalog(), ["dcat:Catalog"])
               .add("dct:title", _text(_("%(portal)s · 公共数据开放目录") % {"portal": name}))
               .add("dct:description", _text(_("经审核发布的公共数据开放数据集，提供文件下载与数据接口。")))
               .add("dct:publisher", IRI(urls.abs("/#publisher")))
               .add("foaf:homepage", IRI(urls.catalog()))
               .add("dct:language", IRI(LANGUAGE_ZH))
               .add("dct:license", IRI(urls.licence(Licence.GOV_OPEN)))
               .add("dcat:themeTaxonomy", IRI(EU_THEME_SCHEME))
               .add("dct:issued", _datetime(issued))
               .add("dct:modified", _datetime(modified))
               .add("dct:spatial", _coverage())
               .add("dcat:service", IRI(urls.data_service())))
    publisher = (Node(urls.abs("/#publisher"), ["foaf:Agent"])
                 .add("foaf:name", _text(name)).add("dct:type", IRI(PUBLISHER_TYPE)))
    scheme = (Node(EU_THEME_SCHEME, ["skos:ConceptScheme"])
              .add("dct:title", Literal("Data theme", lang="en")))
    service = (Node(urls.data_service(), ["dcat:DataService"])
               .add("dct:title", _text(_("开放数据接口")))
               .add("dct:description", _text(_("按数据集获取脱敏后的记录，支持筛选、排序与分页；兼容 CKAN Action API。")))
               .add("dcat:endpointURL", IRI(urls.api_root()))
               .add("dcat:endpointDescription", IRI(urls.abs("/api/schema/")))
               .add("dct:publisher", IRI(urls.abs("/#publisher")))
               .add("dcat:contactPoint", _platform_contact())
               .add("dcat:theme", IRI(eu_theme_iri("government_service")))
               .add("dcat:keyword", _text(_("开放数据")))
               .add("dcat:keyword", _text(_("数据接口")))
               .add("dct:conformsTo", IRI("https://spec.openapis.org/oas/v3.0.3"))
               .add("dct:license", IRI(urls.licence(Licence.GOV_OPEN))))
    return [catalog, publisher, scheme, service, licence_node(urls, Licence.GOV_OPEN)]


DCAT_PAGE_SIZE = 100  # ckanext-dcat's default ``datasets_per_page``


def paged_collection(base: str, params, *, page: int, total: int, size: int) -> Node:
    """The hydra paging node of one catalog page, as ckanext-dcat writes it."""
    last = max(1, -(-total // size))

    def at(number: int) -> IRI:
        query = params.copy()
        query["page"] = str(number)
        return IRI(f"{base}?{query.urlencode()}")

    node = (Node(at(page).value, ["hydra:PagedCollection"])
            .add("hydra:totalItems", Literal(str(total), datatype="xsd:integer"))
            .add("hydra:itemsPerPage", Literal(str(size), datatype="xsd:integer"))
            .add("hydra:firstPage", at(1)).add("hydra:lastPage", at(last)))
    if page > 1:
        node.add("hydra:previousPage", at(min(page - 1, last)))
    if page < last:
        node.add("hydra:nextPage", at(page + 1))
    return node


def catalog_nodes(urls: Urls, datasets: Iterable[Dataset], modified: datetime | None,
                  issued: datetime | None = None) -> Iterator[Node]:
    """The whole catalog, streaming: head nodes, then each dataset with its parts.

    Publishers and licences are written once; the catalog's ``dcat:dataset`` links and
    the data service's ``dcat:servesDataset`` links are written as small nodes along the
    way (RDF merges nodes with the same IRI).
    """
    yield from catalog_head(urls, modified, issued)
    seen: set[str] = {urls.licence(Licence.GOV_OPEN)}
    catalog_iri = urls.catalog()
    for dataset in datasets:
        for node in dataset_nodes(urls, dataset):
            if node.iri in seen:
                continue
            if "dcat:Distribution" not in node.types and "dcat:Dataset" not in node.types:
                seen.add(node.iri)
            yield node
        yield Node(catalog_iri).add("dcat:dataset", IRI(urls.dataset(dataset)))
        if dataset.data_status == Dataset.DataStatus.READY:
            yield Node(urls.data_service()).add("dcat:servesDataset", IRI(urls.dataset(dataset)))


def schema_org(urls: Urls, dataset: Dataset) -> dict:
    """schema.org/Dataset JSON-LD for the dataset page (search engines' dataset search)."""
    data = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": urls.dataset(dataset),
        "name": dataset.title,
        "description": dataset.description,
        "url": urls.dataset(dataset),
        "identifier": str(dataset.uuid),
        "keywords": list(dataset.keywords or []),
        "inLanguage": "zh-CN",
        "isAccessibleForFree": True,
        "license": urls.licence(dataset.licence),
        "creator": {"@type": "GovernmentOrganization", "name": dataset.publisher.name,
                    "url": urls.publisher(dataset.publisher_id)},
        "publisher": {"@type": "GovernmentOrganization", "name": dataset.publisher.name},
        "dateModified": timezone.localtime(dataset.modified_at).isoformat()
        if dataset.modified_at else None,
        "datePublished": timezone.localtime(dataset.first_published_at).date().isoformat()
        if dataset.first_published_at else None,
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": FORMATS[d.format].media_type,
             "contentUrl": urls.distribution(dataset, d.format)}
            for d in _distributions(dataset) if d.is_file
        ],
    }
    if dataset.spatial:
        data["spatialCoverage"] = dataset.spatial
    if dataset.temporal_start or dataset.temporal_end:
        data["temporalCoverage"] = "/".join(
            d.isoformat() if d else ".." for d in (dataset.temporal_start, dataset.temporal_end))
    return {k: v for k, v in data.items() if v not in (None, [], "")}
