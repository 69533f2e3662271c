"""Where nodes go: each connected part laid out on its own, the parts packed in rows.

One force layout of a whole corpus squeezes every article into a tight ball in an
empty canvas. Here each part gets its own force layout (networkx), scaled so that
its area grows with its node count (the same density in every part, whatever its
size), and the parts are packed largest first into rows of about the canvas's
aspect ratio (shelf packing, each row centred), so the canvas is used.

Coordinates are layout units (about one node spacing), y up, the canvas spans
[0, width] × [0, height].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

SPACING = 1.4        # layout units per node: a part of n nodes gets a radius of SPACING·√n/2 ...
PART_MARGIN = 1.0    # ... and this much room around it, for labels and for air between parts
KAMADA_KAWAI_MAX = 150  # nodes; larger parts get the faster spring layout


@dataclass
class Packing:
    positions: dict                                   # node -> (x, y)
    width: float
    height: float
    cells: list[tuple[tuple, tuple]] = field(default_factory=list)  # (nodes, (x0, y0, x1, y1))
    part_centre: dict = field(default_factory=dict)   # node -> (x, y) centre of its part


def part_layout(part_graph, seed: int) -> dict:
    """Force layout of one connected part, centred on 0, radius SPACING·√n/2.

    Kamada-Kawai (springs as long as the graph distances) spreads articles and
    the entities they share evenly; its all-pairs distances make it slow beyond
    KAMADA_KAWAI_MAX nodes, where the Fruchterman-Reingold spring layout takes over
    (a part of 2,500 nodes still takes about 20 s: far beyond a readable picture).
    """
    import networkx as nx

    n = part_graph.number_of_nodes()
    if n == 1:
        return {node: (0.0, 0.0) for node in part_graph}
    radius = SPACING * math.sqrt(n) / 2
    if n <= KAMADA_KAWAI_MAX:
        positions = nx.kamada_kawai_layout(part_graph, scale=radius)
    else:  # networkx switches to a much slower solver from 500 nodes: fewer rounds there
        positions = nx.spring_layout(part_graph, seed=seed, scale=radius,
                                     iterations=100 if n < 500 else 30)
    return {node: (float(x), float(y)) for node, (x, y) in positions.items()}


def canonical_graph(graph, nodes):
    """The part as a new graph with nodes and edges in sorted order: the layouts
    start from the node order, so this keeps the picture the same from run to run."""
    import networkx as nx

    order = sorted(nodes, key=str)
    part = nx.Graph()
    part.add_nodes_from(order)
    part.add_edges_from(sorted(((u, v) for u, v in graph.subgraph(order).edges()),
                               key=lambda e: tuple(sorted((str(e[0]), str(e[1]))))))
    return part


def pack_components(view, aspect: float = 4 / 3, seed: int = 7) -> Packing:
    """Lay out every connected part of `view` and pack the parts, largest first,
    in rows about `aspect` times as wide as the whole is high."""
    import networkx as nx

    simple = nx.Graph()
    simple.add_nodes_from(view)
    simple.add_edges_from((u, v) for u, v in view.edges() if u != v)
    parts = sorted(nx.connected_components(simple), key=lambda p: (-len(p), min(map(str, p))))
    cells = []  # (nodes, local positions, local box with margin)
    for part in parts:
        local = part_layout(canonical_graph(simple, part), seed)
        xs = [x for x, _ in local.values()]
        ys = [y for _, y in local.values()]
        box = (min(xs) - PART_MARGIN, min(ys) - PART_MARGIN,
               max(xs) + PART_MARGIN, max(ys) + PART_MARGIN)
        cells.append((tuple(sorted(part, key=str)), local, box))
    if not cells:
        return Packing({}, 2 * PART_MARGIN, 2 * PART_MARGIN)

    rows = best_rows([box for *_, box in cells], aspect)
    rows = [[cells[index] for index in row] for row in rows]
    canvas_width = max(sum(c[2][2] - c[2][0] for c in row) for row in rows)
    row_heights = [max(c[2][3] - c[2][1] for c in row) for row in rows]
    canvas_height = sum(row_heights)
    packing = Packing({}, canvas_width, canvas_height)
    top = canvas_height
    for row, row_height in zip(rows, row_heights):
        left = (canvas_width - sum(c[2][2] - c[2][0] for c in row)) / 2
        for nodes, local, (x0, y0, x1, y1) in row:
            # the cell sits centred vertically in its row; shift local coordinates into it
            dx = left - x0
            dy = top - row_height / 2 - (y0 + y1) / 2
            for node, (x, y) in local.items():
                packing.positions[node] = (x + dx, y + dy)
            centre = (dx, dy)  # the part's layout is centred on its origin
            for node in nodes:
                packing.part_centre[node] = centre
            packing.cells.append((nodes, (x0 + dx, y0 + dy, x1 + dx, y1 + dy)))
            left += x1 - x0
        top -= row_height
    return packing


def shelf_rows(boxes: list[tuple], row_width: float) -> list[list[int]]:
    """Indices of `boxes` (in order) filled into rows no wider than `row_width`."""
    rows: list[list[int]] = [[]]
    used = 0.0
    for index, box in enumerate(boxes):
        width = box[2] - box[0]
        if rows[-1] and used + width > row_width + 1e-9:
            rows.append([])
            used = 0.0
        rows[-1].append(index)
        used += width
    return rows


def best_rows(boxes: list[tuple], aspect: float) -> list[list[int]]:
    """The shelf packing, over a range of row widths, with the smallest canvas once
    its shape is weighed against `aspect` (rows of uneven heights waste room, so the
    width that the area alone suggests is not always the best)."""
    widths = [b[2] - b[0] for b in boxes]
    heights = [b[3] - b[1] for b in boxes]
    area = sum(w * h for w, h in zip(widths, heights))
    best, best_cost = None, math.inf
    for step in range(13):
        row_width = max(max(widths), math.sqrt(area * aspect) * (0.8 + 0.1 * step))
        rows = shelf_rows(boxes, row_width)
        width = max(sum(widths[i] for i in row) for row in rows)
        height = sum(max(heights[i] for i in row) for row in rows)
        shape = width / height
        cost = width * height * max(shape / aspect, aspect / shape)
        if cost < best_cost - 1e-9:
            best, best_cost = rows, cost
    return best
