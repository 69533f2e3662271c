"""graph.gexf for Gephi: colours, sizes and a timeline.

Starts from the GraphML sanitised copy (same attributes, same `label`s) and adds:
- `viz:color` by entity label (documents and events have their own colour)
  and `viz:size` growing with the square root of `mentions`;
- `start` dates (yyyy-mm-dd; partial dates are padded with -01) so Gephi's
  timeline filter works: a document starts at its date, an event at its own
  date or else its document's, an entity at the first date it is mentioned or
  takes part in an event; an edge starts with its document or event, and
  never before its two ends. Elements without a known date have no `start`
  and are visible at every time.
Document `text` is left out (Gephi would load it as an attribute column), and
the edge relation is stored as `relation` because GEXF reserves the edge
attribute `type` for directed/undirected. Text is made valid XML 1.0 as in
graph.graphml (`common.xml_safe_graph`).
"""

from __future__ import annotations

import math
import os

import networkx as nx

from kg.readwrite.common import atomic_write, normalise_date, rgb_of, xml_safe_graph
from kg.readwrite.graphml import sanitised_copy

EVENT_EDGE_TYPES = {"REPORTED_IN", "AGENT", "OBJECT", "LOCATION"}


def node_size(data: dict) -> float:
    """Gephi size: entities grow with sqrt(mentions); documents are large hubs."""
    kind = data.get("kind")
    if kind == "Document":
        return 20.0
    if kind == "Event":
        return 6.0
    mentions = data.get("mentions") or 1
    try:
        mentions = max(1.0, float(mentions))
    except (TypeError, ValueError):
        mentions = 1.0
    return round(8.0 + 6.0 * math.sqrt(mentions), 2)


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
    """The sanitised copy with Gephi viz attributes and start dates."""
    H = sanitised_copy(G)
    node_start, edge_starts = element_start_dates(G)
    for node, data in H.nodes(data=True):
        data.pop("text", None)
        original = G.nodes[node]
        r, g, b = rgb_of(original)
        data["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}, "size": node_size(original)}
        if node in node_start:
            data["start"] = node_start[node]
    for source, target, key, data in H.edges(keys=True, data=True):
        data["relation"] = data.pop("type", data.get("label"))
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


def write_gexf(G: nx.MultiDiGraph, path: str | os.PathLike) -> str:
    """Write G as GEXF 1.2 (UTF-8), atomically."""
    H = xml_safe_graph(gexf_copy(G))
    with atomic_write(path, "wb") as handle:
        nx.write_gexf(H, handle, encoding="utf-8", prettyprint=True)
    return os.fspath(path)
