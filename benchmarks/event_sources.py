"""Where the events' arguments come from: the dependency tree or the word rules.

Runs the pipeline on a folder of texts twice (kg_events with and without the tree) and
reports how many events take their agent, object, date, place and quantity from the tree,
how often the tree named an agent and whether it equals the rules' (its raw precision), and
(--list) every event the tree changed and every tree agent not taken, for reading:

    python benchmarks/event_sources.py FOLDER [--list]
"""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from kg.build import _annotate
from kg.ingest import iter_pages
from kg.nlp.pipeline import load_pipeline

ARGUMENTS = ("agent", "object", "date", "place", "quantity")


def events_of(nlp, folder: Path, use_tree: bool) -> dict[tuple, object]:
    """The events of every article under `folder`, read as `kg build` reads them."""
    nlp.get_pipe("kg_events").use_tree = use_tree
    found = {}
    articles = (article for page in iter_pages([str(folder)]) for article in page)
    for article, doc in _annotate(nlp, articles, progress=False):
        for event in doc._.events:
            found[(event.doc, event.offset, event.trigger)] = event
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--list", action="store_true", help="print every event whose arguments the tree changed")
    args = parser.parse_args()
    nlp = load_pipeline(None)
    with_tree, rules_only = events_of(nlp, args.folder, True), events_of(nlp, args.folder, False)
    name = {e.id: e.name for e in nlp.get_pipe("kg_linker").linker.entities.values()}
    counts = Counter()
    changed, rejected = [], []
    for key, event in with_tree.items():
        counts["events"] += 1
        before = rules_only.get(key)
        for argument in ARGUMENTS:
            if event.sources.get(argument) == "tree":
                counts[f"{argument} from tree"] += 1
        if before is None:
            counts["events only with the tree"] += 1
            changed.append(("new", event, None))
            continue
        if event.sources.get("agent") == "tree":
            counts["agent: tree = rules" if set(event.agents) == set(before.agents) else
                   "agent: tree, rules had none" if not before.agents else "agent: tree != rules"] += 1
        if event.sources.get("object") == "tree":
            counts["object: tree = rules" if event.object_text == before.object_text else "object: tree != rules"] += 1
        said = event.sources.get("tree_agents") or []
        if said:
            counts["tree named an agent"] += 1
            counts["  = the rules' agent" if set(said) == set(before.agents) else
                   "  rules had none" if not before.agents else "  != the rules' agent"] += 1
            if set(said) != set(before.agents) and set(said) != set(event.agents):
                rejected.append((event, said))
        if set(event.agents) != set(before.agents) or event.object_text != before.object_text:
            changed.append(("changed", event, before))
    counts["events only with the rules"] = len(set(rules_only) - set(with_tree))
    for key in sorted(counts):
        print(f"{key:32} {counts[key]}")
    if args.list:
        for kind, event, before in changed:
            agents = "、".join(name.get(a, a) for a in event.agents) or "-"
            print(f"\n[{kind}] {event.doc} {event.type} {agents} | {event.trigger} | {event.object_text}")
            if before is not None:
                print(f"   rules: {'、'.join(name.get(a, a) for a in before.agents) or '-'} | {before.object_text}")
            print(f"   {event.sentence[:120]}")
        for event, said in rejected:
            agents = "、".join(name.get(a, a) for a in event.agents) or "-"
            print(f"\n[tree not taken] {event.doc} {event.type} {agents} | {event.trigger} | {event.object_text}")
            print(f"   tree: {'、'.join(name.get(a, a) for a in said)}")
            print(f"   {event.sentence[:120]}")


if __name__ == "__main__":
    main()
