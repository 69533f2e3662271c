"""graph.gexf for Gephi: colours, sizes, edge kinds and a timeline.

Written as GEXF 1.3 (Gephi 0.10 reads it without a warning; it reports 1.2 as
deprecated). Starts from the GraphML sanitised copy (same attributes, same `label`s)
and adds:
- `viz:color` by entity label (documents and events have their own colour) and
  `viz:size` on Gephi's own 4..100 scale (`common.gephi_sizes`), which Gephi's
  importer keeps as written;
- edge `kind` (and `label`) = the relation (MENTIONS, AGENT, ...). Gephi merges
  parallel edges of one kind between the same two nodes on import; with kinds, an
  event's AGENT and LOCATION edges to the same city stay two edges. A second edge of
  the same relation between the same two nodes (two positions a person holds at one
  agency) gets the kind and label `HOLDS_POSITION#2`, a third `#3`, so that it is
  not merged either (`relation` keeps the plain relation);
- `start` dates (yyyy-mm-dd) so Gephi's timeline works: a document starts at its
  date, an event at its own date or else its document's, an entity at the first date
  it is mentioned or takes part in an event; an edge starts with its document or
  event, and never before its two ends. Elements without a known date have no
  `start` and are visible at every time. A partial date is placed at the first day
  of its period (2021-07 -> 2021-07-01, 2021 -> 2021-01-01): the element appears at
  the earliest day it can date from, and its `date` column keeps the date as written.
Document `text` is left out (Gephi would load it as an attribute column), and the
edge relation is also stored as `relation` because GEXF reserves the edge
attribute `type` for directed/undirected. Text is made valid XML 1.0 as in
graph.graphml (`common.xml_safe_graph`).
"""

from __future__ import annotations

import os
from collections import Counter

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from kg.readwrite.common import (
    atomic_write,
    gephi_sizes,
    normalise_date,
    rgb_of,
    xml_safe_graph,
)
from kg.readwrite.graphml import sanitised_copy

GEXF_VERSION = "1.3"

EVENT_EDGE_TYPES = {"REPORTED_IN", "AGENT", "OBJECT", "LOCATION"}


def document_dates(G: nx.MultiDiGraph) -> dict[str, str]:
    return {
        node: date
        for node, data in G.nodes(data=True)
        if data.get("kind") == "Document" and (date := normalise_date(data.get("date")))
    }


def event_dates(G: nx.MultiDiGraph, doc_dates: dict[str, str]) -> dict[str, str]:
    """Event date, else the date of the document it is reported in."""
    dates = {}
    for node, data in G.nodes(data=True):
        if data.get("kind") != "Event":
            continue
        date = normalise_date(data.get("date")) or doc_dates.get(data.get("doc"))
        if not date:
            for _, target, edge in G.out_edges(node, data=True):
                if edge.get("type") == "REPORTED_IN" and target in doc_dates:
                    date = doc_dates[target]
                    break
        if date:
            dates[node] = date
    return dates


def edge_start(G, source, target, data, doc_dates, ev_dates) -> str | None:
    relation = data.get("type")
    if relation in EVENT_EDGE_TYPES:
        return ev_dates.get(source)
    if relation == "MENTIONS":
        return doc_dates.get(source)
    if relation == "AUTHORED":
        return doc_dates.get(target)
    if relation == "HOLDS_POSITION":
        return doc_dates.get(data.get("doc"))
    return None


def element_start_dates(G: nx.MultiDiGraph):
    """(node -> start, (u, v, key) -> start): see the module docstring."""
    doc_dates = document_dates(G)
    ev_dates = event_dates(G, doc_dates)
    node_start = dict(doc_dates)
    node_start.update(ev_dates)
    edge_starts = {}
    for source, target, key, data in G.edges(keys=True, data=True):
        start = edge_start(G, source, target, data, doc_dates, ev_dates)
        if not start:
            continue
        edge_starts[(source, target, key)] = start
        for node in (source, target):
            if G.nodes[node].get("kind") == "Entity":
                if node not in node_start or start < node_start[node]:
                    node_start[node] = start
    return node_start, edge_starts


def gexf_copy(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The sanitised copy with Gephi viz attributes, edge kinds and start dates."""
    H = sanitised_copy(G)
    node_start, edge_starts = element_start_dates(G)
    sizes = gephi_sizes(G)
    for node, data in H.nodes(data=True):
        data.pop("text", None)
        r, g, b = rgb_of(G.nodes[node])
        data["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}, "size": sizes[node]}
        if node in node_start:
            data["start"] = node_start[node]
    parallels = Counter()
    for source, target, key, data in H.edges(keys=True, data=True):
        data["relation"] = data.pop("type", data["label"])
        parallels[(source, target, data["relation"])] += 1
        repeat = parallels[(source, target, data["relation"])]
        if repeat > 1:
            data["label"] = f"{data['relation']}#{repeat}"
        data["kind"] = data["label"]
        data["id"] = data.pop("edge_id")
        data.pop("edge_key", None)  # write_gexf stores the key as networkx_key
        # An edge cannot appear before its ends (an event dated before the
        # document reporting it): start at the latest of the three.
        candidates = [edge_starts.get((source, target, key)),
                      node_start.get(source), node_start.get(target)]
        candidates = [date for date in candidates if date]
        if candidates:
            data["start"] = max(candidates)
    return H


class _KindGEXFWriter(GEXFWriter):
    """networkx's GEXF writer, plus the edge element's `kind` attribute (GEXF 1.3),
    which networkx would otherwise write as an ordinary attribute column."""

    def add_edges(self, G, graph_element):
        kinds = [data.get("kind") for *_, data in G.edges(keys=True, data=True)]
        stripped = nx.MultiDiGraph(G)
        for *_, data in stripped.edges(keys=True, data=True):
            data.pop("kind", None)
        super().add_edges(stripped, graph_element)
        for element, kind in zip(graph_element.find("edges"), kinds):
            if kind is not None:
                element.set("kind", str(kind))


def write_gexf(G: nx.MultiDiGraph, path: str | os.PathLike) -> str:
    """Write G as GEXF 1.3 (UTF-8), atomically."""
    writer = _KindGEXFWriter(encoding="utf-8", prettyprint=True, version=GEXF_VERSION)
    writer.add_graph(xml_safe_graph(gexf_copy(G)))
    with atomic_write(path, "wb") as handle:
        writer.write(handle)
    return os.fspath(path)
