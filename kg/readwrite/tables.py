"""entities.csv and events.csv: one row per entity / event, for spreadsheets.

UTF-8 with BOM so that Excel detects the encoding and shows Chinese; list
values (aliases, positions, names of several agents...) are joined with "|".
"""

from __future__ import annotations

import csv
import os

import networkx as nx

from kg.readwrite.common import atomic_write, entity_documents

LIST_SEPARATOR = "|"

ENTITY_COLUMNS = [
    "id", "label", "name", "aliases", "mentions",
    "admin_code", "admin_level", "positions", "documents",
]
EVENT_COLUMNS = [
    "id", "type", "trigger", "agents", "object_text", "objects",
    "locations", "date", "quantity", "doc", "sentence",
]


def joined(values) -> str:
    if values is None:
        return ""
    if isinstance(values, str):
        return values
    return LIST_SEPARATOR.join(str(v) for v in values if v is not None)


def cell(value) -> str:
    return "" if value is None else str(value)


def entity_rows(G: nx.MultiDiGraph) -> list[dict[str, str]]:
    """Entities sorted by label, then most mentioned first, then name."""
    documents = entity_documents(G)
    rows = []
    for node, data in G.nodes(data=True):
        if data.get("kind") != "Entity":
            continue
        rows.append({
            "id": str(node),
            "label": cell(data.get("label")),
            "name": cell(data.get("name")),
            "aliases": joined(data.get("aliases")),
            "mentions": cell(data.get("mentions")),
            "admin_code": cell(data.get("admin_code")),
            "admin_level": cell(data.get("admin_level")),
            "positions": joined(data.get("positions")),
            "documents": joined(documents.get(node, [])),
        })

    def sort_key(row):
        try:
            mentions = -int(row["mentions"])
        except ValueError:
            mentions = 0
        return (row["label"], mentions, row["name"], row["id"])

    return sorted(rows, key=sort_key)


def event_rows(G: nx.MultiDiGraph) -> list[dict[str, str]]:
    """Events in graph order, with their participants' names resolved."""
    rows = []
    for node, data in G.nodes(data=True):
        if data.get("kind") != "Event":
            continue
        roles: dict[str, list[str]] = {"AGENT": [], "OBJECT": [], "LOCATION": []}
        for _, target, edge in G.out_edges(node, data=True):
            relation = edge.get("type")
            if relation in roles:
                name = G.nodes[target].get("name") or str(target)
                if name not in roles[relation]:
                    roles[relation].append(name)
        rows.append({
            "id": str(node),
            "type": cell(data.get("type")),
            "trigger": cell(data.get("trigger")),
            "agents": joined(roles["AGENT"]),
            "object_text": cell(data.get("object_text")),
            "objects": joined(roles["OBJECT"]),
            "locations": joined(roles["LOCATION"]),
            "date": cell(data.get("date")),
            "quantity": cell(data.get("quantity")),
            "doc": cell(data.get("doc")),
            "sentence": cell(data.get("sentence")),
        })
    return rows


def write_rows(path, columns: list[str], rows: list[dict[str, str]]) -> str:
    with atomic_write(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return os.fspath(path)


def write_entities_csv(G: nx.MultiDiGraph, path: str | os.PathLike) -> str:
    return write_rows(path, ENTITY_COLUMNS, entity_rows(G))


def write_events_csv(G: nx.MultiDiGraph, path: str | os.PathLike) -> str:
    return write_rows(path, EVENT_COLUMNS, event_rows(G))
