"""graph.json: networkx node-link JSON, the project's lossless graph file."""

from __future__ import annotations

import json
import os

import networkx as nx

from kg.readwrite.common import atomic_write

GRAPH_FILE = "graph.json"


def write_json(G: nx.MultiDiGraph, path: str | os.PathLike) -> str:
    """Write `nx.node_link_data(G, edges="edges")` as UTF-8 JSON (Chinese kept
    readable, not \\u-escaped).

    A lone surrogate (an undecodable byte of a file name) cannot be UTF-8; it is
    written as its JSON escape (`\\udcff`), which `json.load` reads back unchanged.
    """
    data = nx.node_link_data(G, edges="edges")
    with atomic_write(path, "w", encoding="utf-8", errors="backslashreplace") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    return os.fspath(path)


def read_json(path: str | os.PathLike) -> nx.MultiDiGraph:
    """Read a graph.json back into a MultiDiGraph.

    Raises ValueError naming the file when it is not node-link JSON.
    """
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc})") from exc
    if not isinstance(data, dict) or "nodes" not in data or "edges" not in data:
        raise ValueError(
            f"{path}: not a node-link graph (expected an object with 'nodes' and 'edges')"
        )
    data.setdefault("directed", True)
    data.setdefault("multigraph", True)
    try:
        G = nx.node_link_graph(data, edges="edges")
    except (KeyError, TypeError, nx.NetworkXError) as exc:
        raise ValueError(f"{path}: malformed node-link graph ({exc!r})") from exc
    if not isinstance(G, nx.MultiDiGraph):
        G = nx.MultiDiGraph(G)
    return G


def read_graph(path_or_outdir: str | os.PathLike) -> nx.MultiDiGraph:
    """Read graph.json from a file path or from a `kg build` output folder."""
    path = os.fspath(path_or_outdir)
    if os.path.isdir(path):
        candidate = os.path.join(path, GRAPH_FILE)
        if not os.path.isfile(candidate):
            raise FileNotFoundError(f"{path}: folder has no {GRAPH_FILE} (run `kg build` first)")
        path = candidate
    elif not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file or folder")
    return read_json(path)
