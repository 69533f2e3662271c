"""Time of `kg viz` on generated corpus-shaped graphs: choosing, laying out and
drawing (PNG and HTML), and peak memory.

Each graph has PARTS connected parts of random sizes (one article and its
entities each, as a corpus of unrelated articles gives), plus optionally one giant
part; the default budgets (120 nodes for a PNG, 400 for HTML) and larger ones are
timed.

Usage: python benchmarks/viz_benchmark.py [--parts 300] [--giant 2500] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def corpus_shaped_graph(part_sizes: list[int], seed: int):
    import networkx as nx

    rng = random.Random(seed)
    syllables = "青石河东山南林西湖北岭安平宁和兴新华光明长乐永丰"
    labels = ("PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM")
    G = nx.MultiDiGraph()
    for part, size in enumerate(part_sizes):
        doc = f"doc:{part}"
        G.add_node(doc, kind="Document", title="".join(rng.choices(syllables, k=14)))
        places = []
        for index in range(size - 1):
            node, label = f"ent:{part}:{index}", rng.choice(labels)
            G.add_node(node, kind="Entity", label=label, mentions=rng.choice([1, 1, 2, 3, 8]),
                       name="".join(rng.choices(syllables, k=rng.randint(3, 10))))
            G.add_edge(doc, node, key=f"MENTIONS:{doc}", type="MENTIONS", count=1)
            if label == "PLACE":
                if places:
                    G.add_edge(node, rng.choice(places), key="PART_OF", type="PART_OF")
                places.append(node)
    return G


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, default=300)
    parser.add_argument("--giant", type=int, default=2500, help="size of one extra part (0: none)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from kg import viz

    rng = random.Random(args.seed)
    sizes = [rng.randint(2, 120) for _ in range(args.parts)] + ([args.giant] if args.giant else [])
    G = corpus_shaped_graph(sizes, args.seed)
    print(f"graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges, {len(sizes)} parts")
    with tempfile.TemporaryDirectory(prefix="kg-viz-bench-") as work:
        for output, budget in (("graph.png", 120), ("graph.html", 400),
                               ("graph.png", 600), ("graph.html", 3000)):
            clock = time.perf_counter()
            view = viz.select_view(G, max_nodes=budget)
            chosen = time.perf_counter() - clock
            clock = time.perf_counter()
            if output.endswith(".png"):
                viz.draw_picture(view, str(Path(work) / output))
            else:
                viz.write_html(view, str(Path(work) / output))
            drawn = time.perf_counter() - clock
            print(f"{output:10} --max-nodes {budget:5}: {view.number_of_nodes():5} nodes, "
                  f"select {chosen:5.1f} s, layout + draw {drawn:5.1f} s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
