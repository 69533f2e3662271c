"""Choosing what to draw: kinds hidden, one entity's neighbourhood, or a node budget
shared among the connected parts of the graph.

A corpus graph falls apart into parts (articles that share no entity). One global
top-N by mentions lets busy articles crowd quiet ones out of the picture, so the
budget is shared instead: every part gets the same share, a part smaller than its
share keeps all its nodes and leaves the rest to the others, and within a part the
best nodes are taken outwards from its articles.
"""

from __future__ import annotations

import heapq

# Below this many nodes per part, fewer (the largest) parts are drawn instead.
MIN_PART_SHARE = 4


def find_nodes(G, name: str) -> list[str]:
    """Nodes called `name`: exact node id, entity name, alias, document title,
    then (only if none of those) entities whose name contains it."""
    if name in G:
        return [name]
    exact = [n for n, d in G.nodes(data=True)
             if name in (d.get("name"), d.get("title")) or name in (d.get("aliases") or [])]
    if exact:
        return exact
    return [n for n, d in G.nodes(data=True)
            if d.get("kind") == "Entity" and name in str(d.get("name") or "")]


def node_score(G, node) -> float:
    """Importance for pruning: mentions for entities, plus distinct neighbours."""
    neighbours = set(G.predecessors(node)) | set(G.successors(node))
    mentions = G.nodes[node].get("mentions") or 0
    try:
        mentions = float(mentions)
    except (TypeError, ValueError):
        mentions = 0.0
    return mentions + len(neighbours)


def fair_shares(sizes: list[int], budget: int) -> list[int]:
    """Split `budget` nodes over parts of `sizes` (max-min fair; same order as `sizes`).

    When the budget cannot give every part MIN_PART_SHARE nodes, only the largest
    parts get a share (a part of one or two dots tells nothing).
    """
    by_size = sorted(range(len(sizes)), key=lambda i: (-sizes[i], i))
    drawn = by_size[: max(1, budget // MIN_PART_SHARE)]
    shares = [0] * len(sizes)
    left = budget
    for position, index in enumerate(reversed(drawn)):  # smallest first
        share = min(sizes[index], left // (len(drawn) - position))
        shares[index] = share
        left -= share
    for index in drawn:  # what rounding left over goes to the largest parts
        extra = min(left, sizes[index] - shares[index])
        shares[index] += extra
        left -= extra
    return shares


def grow_part(G, undirected, part, budget: int, score: dict) -> set:
    """The `budget` best nodes of a connected part, grown from its articles (its
    best node when it has none) by always taking the best neighbour of what is kept.

    Growing from every article at once (up to half the budget are seeds) keeps each
    article with its best entities instead of letting the first one's fill the
    budget; pieces of one part that end up unconnected are drawn apart.
    """
    if budget >= len(part):
        return set(part)

    def rank(node):
        return (G.nodes[node].get("kind") != "Document", -score[node], str(node))

    ranked = sorted(part, key=rank)
    documents = [n for n in ranked if G.nodes[n].get("kind") == "Document"]
    kept = set(documents[: budget // 2] or ranked[:1])
    frontier = [(rank(n), n) for seed in kept for n in undirected[seed] if n not in kept]
    heapq.heapify(frontier)
    while frontier and len(kept) < budget:
        _, node = heapq.heappop(frontier)
        if node in kept:
            continue
        kept.add(node)
        for neighbour in undirected[node]:
            if neighbour not in kept:
                heapq.heappush(frontier, (rank(neighbour), neighbour))
    return kept


def select_view(G, around=None, hops=1, max_nodes=120, hide_kinds=()):
    """The subgraph to draw: kinds hidden, neighbourhood cut, size capped.

    `view.graph["selection"]` says what was left out (for the subtitle).
    Raises ValueError when `around` names no node.
    """
    import networkx as nx

    hidden = sorted(set(hide_kinds))
    H = G.subgraph([n for n, d in G.nodes(data=True) if d.get("kind") not in hidden])
    undirected = H.to_undirected(as_view=True)
    selection = {"total": G.number_of_nodes(), "hidden": hidden, "around": around, "hops": hops}
    centres: list = []
    if around:
        centres = [n for n in find_nodes(G, around) if n in H]
        if not centres:
            raise ValueError(f"no node named {around!r} in the graph")
        distance: dict = {}
        for centre in centres:
            lengths = nx.single_source_shortest_path_length(undirected, centre, cutoff=hops)
            for node, length in lengths.items():
                distance[node] = min(length, distance.get(node, length))
        ranked = sorted(distance, key=lambda n: (distance[n], -node_score(G, n), str(n)))
        chosen = set(ranked[:max_nodes])
        selection["available"] = len(ranked)
    else:
        parts = list(nx.connected_components(undirected))
        if undirected.number_of_edges():  # unconnected nodes say nothing in a picture
            parts = [p for p in parts if len(p) > 1]
        parts.sort(key=lambda p: (-len(p), min(map(str, p))))
        shares = fair_shares([len(p) for p in parts], max_nodes)
        score = {n: node_score(G, n) for n in H}
        chosen = set()
        for part, share in zip(parts, shares):
            if share:
                chosen |= grow_part(G, undirected, part, share, score)
        selection.update(available=sum(map(len, parts)), parts=len(parts),
                         parts_drawn=sum(1 for s in shares if s),
                         cut=any(s < len(p) for p, s in zip(parts, shares)),
                         part_budget=max(shares, default=0))
    view = induced_copy(G, chosen)
    view.graph["centres"] = [n for n in centres if n in view]
    view.graph["selection"] = selection
    return view


def induced_copy(G, nodes):
    """A copy of `G` restricted to `nodes`, in G's own node and edge order.

    (networkx's subgraph view walks a small node set in hash order, which would
    make the same command draw a different picture from one run to the next.)
    """
    keep = set(nodes)
    H = G.__class__()
    H.graph.update(G.graph)
    H.add_nodes_from((n, dict(d)) for n, d in G.nodes(data=True) if n in keep)
    if G.is_multigraph():
        H.add_edges_from((u, v, k, dict(d)) for u, v, k, d in G.edges(keys=True, data=True)
                         if u in keep and v in keep)
    else:
        H.add_edges_from((u, v, dict(d)) for u, v, d in G.edges(data=True)
                         if u in keep and v in keep)
    return H


def describe_selection(view) -> str:
    """The picture's subtitle: how much of the graph is drawn and what was left out."""
    selection = view.graph.get("selection") or {}
    shown = view.number_of_nodes()
    if not selection:
        return f"{shown} nodes"
    text = f"{shown} of {selection['total']} nodes"
    if selection.get("around"):
        hops = selection["hops"]
        text += f": within {hops} hop{'s' if hops != 1 else ''} of {selection['around']}"
        if selection["available"] > shown:
            text += f", the {shown} nearest of {selection['available']}"
    elif selection.get("parts"):
        parts, drawn = selection["parts"], selection["parts_drawn"]
        text += f": {drawn} of {parts} connected parts" if drawn < parts else \
            f": {parts} connected part{'s' if parts != 1 else ''}"
        if selection["cut"]:
            text += f", at most {selection['part_budget']} nodes each, the most mentioned and linked first"
    hidden = selection.get("hidden") or []
    if "Event" in hidden:
        text += "; events hidden (--events shows them)"
    others = [kind for kind in hidden if kind != "Event"]
    if others:
        text += f"; {', '.join(others).lower()} nodes hidden"
    return text
