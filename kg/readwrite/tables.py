"""entities.csv and events.csv: one row per entity / event, for spreadsheets.

UTF-8 with BOM so that Excel detects the encoding and shows Chinese; list
values (aliases, positions, names of several agents...) are joined with "|".
A cell that starts with a character a spreadsheet reads as a formula (= + - @,
tab, CR) gets a leading `'`, as the OWASP CSV-injection guidance says: names
come from untrusted text, and 《=HYPERLINK(...)》 must stay text. A lone surrogate
(an undecodable byte of a file name) is written as its escape, e.g. `\\udcff`.
"""

from __future__ import annotations

import csv
import os

import networkx as nx

from kg.readwrite.common import atomic_write, entity_documents

LIST_SEPARATOR = "|"
# First characters that make Excel / LibreOffice / Google Sheets evaluate a cell (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


def spreadsheet_text(value: str) -> str:
    """`value`, with a leading `'` when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_rows(path, columns: list[str], rows: list[dict[str, str]]) -> str:
    with atomic_write(path, "w", encoding="utf-8-sig", errors="backslashreplace",
                      newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows({column: spreadsheet_text(value) for column, value in row.items()}
                         for row in rows)
    return os.fspath(path)


def write_entities_csv(G: nx.MultiDiGraph, path: str | os.PathLike) -> str:
    return write_rows(path, ENTITY_COLUMNS, entity_rows(G))


def write_events_csv(G: nx.MultiDiGraph, path: str | os.PathLike) -> str:
    return write_rows(path, EVENT_COLUMNS, event_rows(G))
