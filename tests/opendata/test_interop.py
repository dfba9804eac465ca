"""O8: DCAT-AP paging of a large catalog (hydra, as ckanext-dcat pages) and
``modified_since``; content negotiation on dataset URLs; a Frictionless
``datapackage.json`` per dataset, validated by the ``frictionless`` package against the
published file served by a live server."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rdflib import RDF, Graph, Namespace, URIRef

from opendata.models import Dataset

pytestmark = [pytest.mark.django_db,
              pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")]

DCAT = Namespace("http://www.w3.org/ns/dcat#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


def _graph(response, fmt="turtle") -> Graph:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return Graph().parse(data=body.decode(), format=fmt)


def test_o8_catalog_pages_with_hydra_and_modified_since(publish, client, monkeypatch):
    monkeypatch.setattr("opendata.views.exports.DCAT_PAGE_SIZE", 2)
    made = [publish() for _ in range(3)]
    seen, url, pages = set(), "/catalog.ttl?page=1", 0
    while url:
        graph = _graph(client.get(url))
        pages += 1
        seen |= set(graph.subjects(RDF.type, DCAT.Dataset))
        collection = next(graph.subjects(RDF.type, HYDRA.PagedCollection))
        assert int(graph.value(collection, HYDRA.totalItems)) == 3
        following = graph.value(collection, HYDRA.nextPage)
        url = str(following).removeprefix("http://testserver") if following else ""
    assert pages == 2
    assert seen == {URIRef(f"http://testserver/open/datasets/{d.name}/") for d in made}
    Dataset.objects.exclude(pk=made[0].pk).update(modified_at=timezone.now() - timedelta(days=9))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    recent = _graph(client.get("/catalog.ttl", {"modified_since": since}))
    assert set(recent.subjects(RDF.type, DCAT.Dataset)) == {
        URIRef(f"http://testserver/open/datasets/{made[0].name}/")}
    assert client.get("/catalog.ttl", {"modified_since": "yesterday"}).status_code == 400
    assert client.get("/catalog.ttl", {"page": "99999999999999"}).status_code == 400


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"), ("application/rdf+xml;q=0.9, text/turtle", "turtle")])
def test_o8_dataset_url_negotiates_rdf(publish, client, accept, fmt):
    dataset = publish()
    response = client.get(f"/open/datasets/{dataset.name}/", HTTP_ACCEPT=accept)
    assert response.status_code == 200 and "Accept" in response["Vary"]
    graph = _graph(response, fmt)
    assert (URIRef(f"http://testserver/open/datasets/{dataset.name}/"), RDF.type,
            DCAT.Dataset) in graph


def test_o8_dataset_url_stays_html_for_browsers(publish, client):
    dataset = publish()
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in (browser, "*/*"):
        response = client.get(f"/open/datasets/{dataset.name}/", HTTP_ACCEPT=accept)
        assert response["Content-Type"].startswith("text/html")
        assert "Accept" in response["Vary"]


@pytest.mark.django_db(transaction=True)
def test_o8_datapackage_validates_with_frictionless(publish, live_server):
    from frictionless import Package, validate

    dataset = publish(keywords="不动产，登记")
    url = f"{live_server.url}/open/datasets/{dataset.name}/datapackage.json"
    package = Package(url)
    assert package.name == dataset.name and package.title == dataset.title
    [resource] = package.resources
    assert resource.schema.field_names == [c["title"] for c in dataset.data_columns]
    report = validate(url)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 3
    tampered = package.to_descriptor()
    tampered["resources"][0]["hash"] = "sha256:" + "0" * 64
    assert not validate(tampered).valid  # the hash is really checked against the file
