"""Graph writers and readers, one module per format.

`write_all(G, outdir)` writes every file `kg build` promises (CONTRACT.md):
graph.json, graph.graphml, graph.gexf, entities.csv, events.csv. Each file is
written atomically (temporary file in the same folder, then os.replace).
"""

from __future__ import annotations

import os

import networkx as nx

from kg.readwrite.gexf import write_gexf
from kg.readwrite.graphml import write_graphml
from kg.readwrite.json_graph import read_graph, read_json, write_json
from kg.readwrite.tables import write_entities_csv, write_events_csv

WRITERS = {
    "graph.json": write_json,
    "graph.graphml": write_graphml,
    "graph.gexf": write_gexf,
    "entities.csv": write_entities_csv,
    "events.csv": write_events_csv,
}

__all__ = [
    "WRITERS", "write_all", "write_json", "read_json", "read_graph",
    "write_graphml", "write_gexf", "write_entities_csv", "write_events_csv",
]


def write_all(G: nx.MultiDiGraph, outdir: str | os.PathLike) -> dict[str, str]:
    """Write all output files into `outdir` (created if missing).

    Returns {file name: path written}.
    """
    outdir = os.fspath(outdir)
    os.makedirs(outdir, exist_ok=True)
    return {name: writer(G, os.path.join(outdir, name)) for name, writer in WRITERS.items()}
