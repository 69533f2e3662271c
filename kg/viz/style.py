"""What the PNG and the HTML view share: category names, label text, node sizes,
one edge per node pair, and the order in which labels claim space."""

from __future__ import annotations

import json
import math
import re

KIND_ORDER = ("PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM", "Document", "Event")
CATEGORY_NAMES_ZH = {
    "PERSON": "人物", "PLACE": "地点", "AGENCY": "机关", "ORG": "组织",
    "PROGRAM": "政策/项目", "Document": "文章", "Event": "事件",
}


def short_label(text: str, limit: int = 12) -> str:
    text = re.sub(r"\s+", "", str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mentions_of(data) -> float:
    try:
        return max(1.0, float(data.get("mentions") or 1))
    except (TypeError, ValueError):
        return 1.0


def edge_caption(data) -> str:
    if data.get("type") == "HOLDS_POSITION" and data.get("position"):
        return str(data["position"])
    return str(data.get("type") or "")


def kind_data(kind: str) -> dict:
    """Node data standing for a whole category (legend swatches)."""
    if kind in ("Document", "Event"):
        return {"kind": kind}
    return {"kind": "Entity", "label": kind}


def category_counts(view) -> dict[str, int]:
    from kg.readwrite.common import category

    counts: dict[str, int] = {}
    for _, data in view.nodes(data=True):
        counts[category(data)] = counts.get(category(data), 0) + 1
    return counts


def ordered_categories(counts: dict[str, int]) -> list[str]:
    return [k for k in KIND_ORDER if k in counts] + sorted(k for k in counts if k not in KIND_ORDER)


def label_order(view) -> list:
    """Who gets a label first when space runs out: articles (they name their part),
    then entities by mentions (then by neighbours), then events."""
    rank = {"Document": 0, "Entity": 1}

    def key(node):
        data = view.nodes[node]
        return (rank.get(data.get("kind"), 2), -mentions_of(data), -view.degree(node), str(node))

    return sorted(view, key=key)


def merged_edges(view) -> dict[tuple, dict]:
    """One drawn edge per (source, target): summed `count`, the distinct captions,
    and the first evidence sentence (parallel edges would be drawn on top of each other)."""
    merged: dict[tuple, dict] = {}
    for source, target, data in view.edges(data=True):
        try:
            weight = float(data.get("count") or 1)
        except (TypeError, ValueError):
            weight = 1.0
        edge = merged.setdefault((source, target), {"weight": 0.0, "captions": [], "sentence": None})
        edge["weight"] += weight
        caption = edge_caption(data)
        if caption and caption not in edge["captions"]:
            edge["captions"].append(caption)
        edge["sentence"] = edge["sentence"] or data.get("sentence")
    return merged


def edge_width(weight: float) -> float:
    return 0.6 + 0.5 * math.log1p(weight)


def graph_summary(view) -> str:
    """One JSON line (nodes/edges per kind) — used by tests and the notebook."""
    return json.dumps({"nodes": view.number_of_nodes(), "edges": view.number_of_edges(),
                       "per_category": category_counts(view)}, ensure_ascii=False)
