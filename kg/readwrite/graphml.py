"""graph.graphml for Gephi, yEd, `nx.read_graphml` and APOC `apoc.import.graphml`.

GraphML holds only scalars with one type per key, so a sanitised copy is
written:
- None values are dropped; lists (aliases, positions) become JSON text,
  e.g. `["苏州", "苏州市"]` (read back with `json.loads`);
- node `label` is the display name (Gephi shows it); the entity type moves to
  `entity_type`; `labels` (`:Entity:Agency`, `:Document`, `:Event`) is written
  both as data and as the node element's XML attribute, which is where
  `apoc.import.graphml(file, {readLabels: true})` reads it;
- edge `label` is the relation type (also an XML attribute of the edge
  element: APOC makes it the relationship type, and Gephi 0.10 the edge kind),
  `weight` is the MENTIONS count or 1.0; the original multigraph key is kept as
  `edge_key`, and edge ids are `e0`, `e1`, ... so they are unique in the file, as
  Gephi requires. Gephi merges parallel edges of one kind, so it keeps an event's
  AGENT and LOCATION edges to one city apart, but joins two edges of the same
  relation between the same two nodes (two positions a person holds at one agency);
  graph.gexf keeps those apart too (see gexf.py);
- node `r`, `g`, `b` (the category colour, as in graph.gexf) and `size` (on Gephi's
  4..100 scale, `common.gephi_sizes`): Gephi reads these keys as the node's colour
  and size;
- characters XML 1.0 forbids (control characters, lone surrogates from undecodable
  file names, U+FFFE/U+FFFF) are written as visible escapes such as `\\x01`
  (`common.xml_safe_graph`), in ids and names as in values.
"""

from __future__ import annotations

import os

import networkx as nx
from networkx.readwrite.graphml import GraphMLWriter

from kg.readwrite.common import (
    atomic_write,
    display_name,
    gephi_sizes,
    neo4j_labels,
    rgb_of,
    scalar_or_json,
    unify_attribute_types,
    xml_safe_graph,
)


def sanitised_copy(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of G whose attributes GraphML and GEXF can hold (see module doc)."""
    H = nx.MultiDiGraph()
    node_rows = []
    for node, data in G.nodes(data=True):
        row = {k: scalar_or_json(v) for k, v in data.items()}
        if data.get("kind") == "Entity" and "label" in row:
            row["entity_type"] = row.pop("label")
        row["label"] = display_name(node, data)
        row["labels"] = neo4j_labels(data)
        node_rows.append((str(node), {k: v for k, v in row.items() if v is not None}))
    edge_rows = []
    for index, (source, target, key, data) in enumerate(G.edges(keys=True, data=True)):
        row = {k: scalar_or_json(v) for k, v in data.items()}
        row = {k: v for k, v in row.items() if v is not None}
        relation = data.get("type") or "RELATED"
        row["label"] = str(relation)
        count = data.get("count")
        row["weight"] = float(count) if isinstance(count, (int, float)) and count else 1.0
        row["edge_key"] = str(key)
        row["edge_id"] = f"e{index}"
        edge_rows.append((str(source), str(target), str(key), row))
    unify_attribute_types([row for _, row in node_rows])
    unify_attribute_types([row for *_, row in edge_rows])
    H.add_nodes_from(node_rows)
    H.add_edges_from(edge_rows)
    return H


def graphml_copy(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The sanitised copy plus the node colour and size keys Gephi reads."""
    H = sanitised_copy(G)
    sizes = gephi_sizes(G)
    for node, data in G.nodes(data=True):
        r, g, b = rgb_of(data)
        H.nodes[str(node)].update(r=r, g=g, b=b, size=sizes[node])
    return H


class _ApocGraphMLWriter(GraphMLWriter):
    """networkx's writer plus the XML attributes APOC reads: node `labels`,
    edge `label`."""

    def add_nodes(self, G, graph_element):
        default = G.graph.get("node_default", {})
        for node, data in G.nodes(data=True):
            attributes = {"id": str(node)}
            if "labels" in data:
                attributes["labels"] = str(data["labels"])
            node_element = self.myElement("node", **attributes)
            self.add_attributes("node", node_element, data, default)
            graph_element.append(node_element)

    def add_edges(self, G, graph_element):
        default = G.graph.get("edge_default", {})
        for source, target, key, data in G.edges(keys=True, data=True):
            data = dict(data)
            edge_id = data.pop("edge_id", str(key))
            attributes = {"id": str(edge_id), "source": str(source), "target": str(target)}
            if "label" in data:
                attributes["label"] = str(data["label"])
            edge_element = self.myElement("edge", **attributes)
            self.add_attributes("edge", edge_element, data, default)
            graph_element.append(edge_element)


def write_graphml(G: nx.MultiDiGraph, path: str | os.PathLike) -> str:
    """Write the sanitised copy of G as UTF-8 GraphML, atomically."""
    writer = _ApocGraphMLWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(xml_safe_graph(graphml_copy(G)))
    with atomic_write(path, "wb") as handle:
        writer.dump(handle)
    return os.fspath(path)
