"""Labels that never overlap: a greedy choice over text boxes.

Each label, most important first, takes the first of its candidate boxes that stays
inside the bounds and overlaps no label placed before it and no obstacle (the node
markers); a label with no free candidate is not drawn (the HTML view shows every
name on hover). Boxes are (x0, y0, x1, y1) in one coordinate system: display
pixels for the PNG, canvas units for the HTML view. A uniform grid of buckets keeps
the check close to linear in the number of labels.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

Box = tuple[float, float, float, float]

# Compass directions a label can sit in around its node.
DIRECTIONS = [(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)]


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(box: Box, bounds: Box) -> bool:
    return bounds[0] <= box[0] and box[2] <= bounds[2] and bounds[1] <= box[1] and box[3] <= bounds[3]


class BoxGrid:
    """Boxes bucketed by a square grid, so a query looks only at its neighbours."""

    def __init__(self, cell: float):
        self.cell = max(cell, 1e-9)
        self.buckets: dict[tuple[int, int], list[Box]] = defaultdict(list)

    def _keys(self, box: Box):
        for i in range(math.floor(box[0] / self.cell), math.floor(box[2] / self.cell) + 1):
            for j in range(math.floor(box[1] / self.cell), math.floor(box[3] / self.cell) + 1):
                yield i, j

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self.buckets[key].append(box)

    def hits(self, box: Box) -> bool:
        return any(overlaps(box, other) for key in self._keys(box)
                   for other in self.buckets.get(key, ()))


def place_labels(requests: Iterable[tuple[object, list[Box]]], obstacles: Iterable[Box] = (),
                 bounds: Box | None = None) -> dict[object, Box]:
    """Greedy placement: `requests` are (key, candidate boxes), best label first.

    Returns key -> the chosen box, for the labels that fit.
    """
    requests = list(requests)
    obstacles = list(obstacles)
    sizes = [b[2] - b[0] for _, boxes in requests for b in boxes[:1]]
    sizes += [b[3] - b[1] for _, boxes in requests for b in boxes[:1]]
    grid = BoxGrid(2 * sorted(sizes)[len(sizes) // 2] if sizes else 1.0)
    for box in obstacles:
        grid.add(box)
    placed: dict[object, Box] = {}
    for key, candidates in requests:
        for box in candidates:
            if (bounds is None or inside(box, bounds)) and not grid.hits(box):
                grid.add(box)
                placed[key] = box
                break
    return placed


def boxes_around(x: float, y: float, radius: float, width: float, height: float,
                 gap: float, away_from: tuple[float, float] | None = None) -> list[Box]:
    """Candidate boxes of `width`×`height` just off a round marker at (x, y), in the
    eight compass directions; the ones pointing away from `away_from` (the centre of
    the node's part) first, so labels fan out instead of piling up in the middle."""
    if away_from is None or (away_from[0] == x and away_from[1] == y):
        outward = (0.0, -1.0) if away_from is None else (1.0, 0.0)
    else:
        outward = (x - away_from[0], y - away_from[1])
    length = math.hypot(*outward)
    outward = (outward[0] / length, outward[1] / length)

    def closeness(direction):
        dx, dy = direction
        return -(dx * outward[0] + dy * outward[1]) / math.hypot(dx, dy)

    boxes = []
    for dx, dy in sorted(DIRECTIONS, key=closeness):
        reach = (radius + gap) / (math.sqrt(2) if dx and dy else 1.0)
        cx = x + dx * (reach + width / 2)
        cy = y + dy * (reach + height / 2)
        boxes.append((cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2))
    return boxes


def box_centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
