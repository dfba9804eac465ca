"""A small RDF model with streaming Turtle and JSON-LD writers (O8).

The DCAT export of a large catalog must not build one in-memory graph: nodes are built
one dataset at a time and written out as they come. Both writers take the same
:class:`Node` objects, so the Turtle and JSON-LD exports always say the same thing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

PREFIXES = {
    "adms": "http://www.w3.org/ns/adms#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatap": "http://data.europa.eu/r5r/",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "gsp": "http://www.opengis.net/ont/geosparql#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "locn": "http://www.w3.org/ns/locn#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


@dataclass(frozen=True)
class IRI:
    value: str


@dataclass(frozen=True)
class Literal:
    value: str
    lang: str | None = None
    datatype: str | None = None  # a CURIE such as "xsd:date"


@dataclass
class Node:
    """A subject with its types and (predicate CURIE, object) pairs.

    ``iri=None`` makes a blank node, written nested inside its parent.
    """

    iri: str | None
    types: list[str] = field(default_factory=list)
    props: list[tuple[str, IRI | Literal | Node]] = field(default_factory=list)

    def add(self, predicate: str, value: IRI | Literal | Node | None) -> Node:
        if value is not None and not (isinstance(value, Literal) and value.value == ""):
            self.props.append((predicate, value))
        return self


# --- Turtle ---------------------------------------------------------------------------

_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_LITERAL_UNSAFE = re.compile(r'[\\"\n\r\t]|[\x00-\x08\x0b\x0c\x0e-\x1f]')


def iri_safe(value: str) -> str:
    """Percent-encode what an IRI may not contain (spaces, quotes, angle brackets …)."""
    return _IRI_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", value)


def _turtle_iri(value: str) -> str:
    return "<" + iri_safe(value) + ">"


def _turtle_literal(lit: Literal) -> str:
    text = _LITERAL_UNSAFE.sub(
        lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), str(lit.value))
    out = f'"{text}"'
    if lit.lang:
        out += "@" + lit.lang
    elif lit.datatype:
        out += "^^" + lit.datatype
    return out


def _turtle_object(value: IRI | Literal | Node, indent: str) -> str:
    if isinstance(value, IRI):
        return _turtle_iri(value.value)
    if isinstance(value, Literal):
        return _turtle_literal(value)
    if value.iri is not None:
        return _turtle_iri(value.iri)
    inner = _turtle_body(value, indent + "    ")
    return "[\n" + inner + "\n" + indent + "]"


def _turtle_body(node: Node, indent: str) -> str:
    lines = []
    if node.types:
        lines.append(indent + "a " + ", ".join(node.types))
    for predicate, value in node.props:
        lines.append(f"{indent}{predicate} {_turtle_object(value, indent)}")
    return " ;\n".join(lines)


def turtle_prefixes() -> str:
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()) + "\n"


def turtle_node(node: Node) -> str:
    """One top-level node as Turtle statements; its blank nodes nested inside.

    A property whose value is a named node only refers to it: the caller writes that
    node as a top-level node of its own.
    """
    return _turtle_iri(node.iri) + "\n" + _turtle_body(node, "    ") + " .\n\n"


def turtle_stream(nodes: Iterable[Node]) -> Iterator[str]:
    yield turtle_prefixes()
    for node in nodes:
        yield turtle_node(node)


# --- JSON-LD --------------------------------------------------------------------------

def _jsonld_object(value: IRI | Literal | Node) -> dict:
    if isinstance(value, IRI):
        return {"@id": iri_safe(value.value)}
    if isinstance(value, Literal):
        out = {"@value": str(value.value)}
        if value.lang:
            out["@language"] = value.lang
        elif value.datatype:
            out["@type"] = value.datatype
        return out
    if value.iri is not None:
        return {"@id": iri_safe(value.iri)}
    return jsonld_node(value)


def jsonld_node(node: Node) -> dict:
    out: dict = {}
    if node.iri is not None:
        out["@id"] = iri_safe(node.iri)
    if node.types:
        out["@type"] = list(node.types)
    for predicate, value in node.props:
        out.setdefault(predicate, []).append(_jsonld_object(value))
    return out


def jsonld_context() -> dict:
    return dict(PREFIXES)


def jsonld_stream(nodes: Iterable[Node]) -> Iterator[str]:
    """``{"@context": …, "@graph": [ … ]}`` written node by node."""
    yield '{"@context": ' + json.dumps(jsonld_context()) + ', "@graph": ['
    first = True
    for node in nodes:
        yield ("" if first else ",\n") + json.dumps(jsonld_node(node), ensure_ascii=False)
        first = False
    yield "]}\n"
