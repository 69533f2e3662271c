"""Score a built graph against ../shared/gold/seed_gold.json with the gold file's matching rules.

Only tests read the gold file. Run directly to print a report:
    python tests/gold.py out/graph.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import networkx as nx

GOLD_PATH = Path(__file__).resolve().parents[2] / "shared" / "gold" / "seed_gold.json"
MARKS_RE = re.compile(r"[“”\"'《》「」『』\s]")


def load_gold(path: Path = GOLD_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _names(data: dict) -> list[str]:
    return [MARKS_RE.sub("", n) for n in [data.get("name", ""), *data.get("aliases", [])]]


def entity_matches(data: dict, key: str, labels: list[str]) -> bool:
    if data.get("kind") != "Entity" or data.get("label") not in labels:
        return False
    return any(key in name and len(name) <= len(key) + 12 for name in _names(data))


def found_entities(G: nx.MultiDiGraph, key: str, labels: list[str]) -> list[str]:
    return [n for n, d in G.nodes(data=True) if entity_matches(d, key, labels)]


def _any_label_entities(G, key):
    return set(found_entities(G, key, ["PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM"]))


def score(G: nx.MultiDiGraph, gold: dict) -> dict:
    result = {"entities": [], "roles": [], "events": [], "hierarchy": [], "forbidden": []}
    for item in gold["entities"]:
        result["entities"].append((item, bool(found_entities(G, item["key"], item["labels"]))))

    for item in gold["place_hierarchy"]:
        children = set(found_entities(G, item["child"], ["PLACE"]))
        parents = set(found_entities(G, item["parent"], ["PLACE"]))
        ok = any(d.get("type") == "PART_OF" and u in children and v in parents
                 for u, v, d in G.edges(data=True))
        result["hierarchy"].append((item, ok))

    for item in gold["roles"]:
        people = set(found_entities(G, item["person"], ["PERSON"]))
        target_key = item.get("org") or item.get("place_or_org")
        ok = False
        for p in people:
            positions = [item["position"] in pos for pos in G.nodes[p].get("positions", [])]
            for _, v, d in G.out_edges(p, data=True):
                if d.get("type") == "HOLDS_POSITION" and item["position"] in (d.get("position") or ""):
                    if target_key is None or v in _any_label_entities(G, target_key):
                        ok = True
            if target_key is None and any(positions):
                ok = True
        result["roles"].append((item, ok))

    for item in gold["events"]:
        agents = _any_label_entities(G, item["agent"])
        ok = False
        for n, d in G.nodes(data=True):
            if d.get("kind") != "Event" or d.get("trigger") not in item["triggers"]:
                continue
            edges = list(G.out_edges(n, data=True))
            if not any(v in agents for _, v, e in edges if e.get("type") == "AGENT"):
                continue
            objects = [G.nodes[v].get("name", "") for _, v, e in edges if e.get("type") == "OBJECT"]
            texts = [MARKS_RE.sub("", t) for t in [d.get("object_text") or "", *objects]]
            if not any(item["object"] in t for t in texts):
                continue
            if "quantity_contains" in item and item["quantity_contains"] not in (d.get("quantity") or ""):
                continue
            if "date_contains" in item and item["date_contains"] not in (d.get("date") or ""):
                continue
            ok = True
            break
        result["events"].append((item, ok))

    for item in gold["forbidden"]:
        bad = [n for n, d in G.nodes(data=True) if d.get("kind") == "Entity" and d.get("label") == item["label"]
               and MARKS_RE.sub("", d.get("name", "")) == item["text"]]
        result["forbidden"].append((item, not bad))
    return result


def rate(pairs, must_only=True) -> float:
    chosen = [ok for item, ok in pairs if item.get("must", True) or not must_only]
    return sum(chosen) / len(chosen) if chosen else 1.0


def main(path: str) -> None:
    from kg.readwrite.json_graph import read_graph

    G = read_graph(path)
    result = score(G, load_gold())
    for part, pairs in result.items():
        print(f"{part}: must {rate(pairs):.2f}  all {rate(pairs, False):.2f}")
        for item, ok in pairs:
            if not ok:
                print("   MISSING" if part != "forbidden" else "   PRESENT", json.dumps(item, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/graph.json")
