"""O8: the DCAT-AP 3.0.1 export (JSON-LD and Turtle) conforms to the SHACL shapes."""

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from catalog.models import OpenType
from opendata.rdf import IRI, Node, jsonld_stream, turtle_stream
from opendata.rdf import Literal as RdfLiteral

pytestmark = [pytest.mark.django_db,
              pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")]

DATA = Path(__file__).parent / "data"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")


@pytest.fixture(scope="module")
def shapes():
    graph = Graph()
    graph.parse(DATA / "dcat-ap-3.0.1-shapes.ttl", format="turtle")
    return graph


@pytest.fixture(scope="module")
def recommended():
    graph = Graph()
    graph.parse(DATA / "dcat-ap-3.0.1-shapes-recommended.ttl", format="turtle")
    return graph


def _graph(response, fmt: str) -> Graph:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    graph = Graph()
    graph.parse(data=body.decode(), format="json-ld" if fmt == "jsonld" else "turtle")
    return graph


def _catalog(publish, open_resource):
    publish(keywords="不动产，登记", temporal_start="2020-01-01", temporal_end="2024-12-31")
    publish(open_type=OpenType.CONDITIONAL, temporal_start="2023-01-01",
            temporal_end="2025-06-30",
            resource=open_resource(open_type=OpenType.CONDITIONAL, name="医疗机构执业许可信息", theme="health",
                                   summary="医疗机构名称、执业地点。\n第二行\t含\"引号\"与\\反斜杠"))


@pytest.mark.parametrize("fmt", ["jsonld", "ttl"])
def test_o8_catalog_export_conforms_to_dcat_ap_shapes(publish, open_resource, client, shapes,
                                                      fmt):
    _catalog(publish, open_resource)
    response = client.get(f"/catalog.{fmt}")
    assert response.status_code == 200
    graph = _graph(response, fmt)
    conforms, _g, report = validate(graph, shacl_graph=shapes, advanced=True,
                                    allow_warnings=False)
    assert conforms, report
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 2
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    assert set(graph.objects(catalog, DCAT.dataset)) == datasets
    titles = {str(t) for d in datasets for t in graph.objects(d, DCT.title)}
    assert titles == {"不动产登记信息", "医疗机构执业许可信息"}
    assert Literal("不动产", lang="zh") in set(graph.objects(None, DCAT.keyword))


def test_o8_json_ld_and_turtle_say_the_same(publish, open_resource, client):
    _catalog(publish, open_resource)
    ttl = _graph(client.get("/catalog.ttl"), "ttl")
    jsonld = _graph(client.get("/catalog.jsonld"), "jsonld")
    from rdflib.compare import isomorphic

    assert isomorphic(ttl, jsonld)


def test_o8_catalog_export_meets_recommended_shapes_with_no_warning(
        publish, open_resource, client, recommended, shapes, department):
    """With complete metadata — the region's bounding box and centroid entered by the
    center, both ends of the time coverage — the export has 0 violations of the mandatory
    shapes and 0 results of any severity from the recommended ones."""
    region = department.region
    region.bbox = "POLYGON((108.6 18.1, 111.1 18.1, 111.1 20.2, 108.6 20.2, 108.6 18.1))"
    region.centroid = "POINT(109.8 19.2)"
    region.save()
    _catalog(publish, open_resource)
    from opendata.models import Dataset

    Dataset.objects.update(spatial=region.name)
    graph = _graph(client.get("/catalog.ttl"), "ttl")
    sh = Namespace("http://www.w3.org/ns/shacl#")
    for shape_graph in (shapes, recommended):
        conforms, results, text = validate(graph, shacl_graph=shape_graph, advanced=True)
        found = list(results.subjects(RDF.type, sh.ValidationResult))
        assert conforms and found == [], text
    locations = set(graph.subjects(RDF.type, DCT.Location))
    assert locations and all((loc, DCAT.bbox, None) in graph for loc in locations)


@pytest.mark.parametrize("fmt", ["jsonld", "ttl"])
def test_o8_per_dataset_export_conforms(publish, client, shapes, fmt):
    dataset = publish()
    response = client.get(f"/open/datasets/{dataset.name}.{fmt}")
    graph = _graph(response, fmt)
    conforms, _g, report = validate(graph, shacl_graph=shapes)
    assert conforms, report
    subject = URIRef(f"http://testserver/open/datasets/{dataset.name}/")
    assert (subject, RDF.type, DCAT.Dataset) in graph
    distributions = set(graph.objects(subject, DCAT.distribution))
    assert len(distributions) == 4


def test_o8_conditional_dataset_is_marked_restricted(publish, client):
    dataset = publish(open_type=OpenType.CONDITIONAL)
    graph = _graph(client.get(f"/open/datasets/{dataset.name}.ttl"), "ttl")
    rights = set(graph.objects(None, DCT.accessRights))
    assert rights == {URIRef("http://publications.europa.eu/resource/authority/access-right/"
                             "RESTRICTED")}


def test_o8_unpublished_dataset_is_not_exported(open_resource, data_admin, client):
    from opendata.services.datasets import dataset_create

    dataset = dataset_create(actor=data_admin, resource=open_resource())
    assert client.get(f"/open/datasets/{dataset.name}.ttl").status_code == 404
    assert client.get("/catalog.xml").status_code == 404


def test_o8_turtle_writer_escapes_literals_and_iris():
    node = (Node("http://example.org/a b", ["dcat:Dataset"])
            .add("dct:title", RdfLiteral('引号" 反斜杠\\ 换行\n', lang="zh"))
            .add("dct:publisher", IRI("http://example.org/<x>")))
    graph = Graph()
    graph.parse(data="".join(turtle_stream([node])), format="turtle")
    title = next(graph.objects(None, DCT.title))
    assert str(title) == '引号" 反斜杠\\ 换行\n'
    same = Graph()
    same.parse(data="".join(jsonld_stream([node])), format="json-ld")
    assert str(next(same.objects(None, DCT.title))) == str(title)
