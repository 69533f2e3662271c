"""PNG / SVG / PDF pictures with matplotlib.

The figure is sized from the packed layout (a fixed number of inches per layout
unit, capped), the axes get a fixed place in it and equal scales, so the pixel
boxes measured for the labels are the ones drawn. Labels use a Chinese font shipped
by the `viz` extra (mplfonts bundles Noto Sans CJK SC), registered with matplotlib
at run time, so no system font is needed; names are plain text, never mathtext.
"""

from __future__ import annotations

import functools
import math
import os
import sys

from .labels import box_centre, boxes_around, place_labels
from .layout import pack_components
from .select import describe_selection
from .style import (CATEGORY_NAMES_ZH, category_counts, edge_width, kind_data, label_order,
                    merged_edges, ordered_categories, short_label)

# Families tried, in order, when the bundled font is missing.
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei",
    "PingFang SC", "Heiti SC", "Droid Sans Fallback", "AR PL UMing CN",
)
DPI = 110
INCHES_PER_UNIT = 0.8   # one layout unit (about one node spacing) on paper
MAX_SIDE = 26.0         # inches: beyond this the drawing is scaled down
MIN_WIDTH, MIN_HEIGHT = 9.0, 6.0
TOP, SIDES = 0.85, 0.25                 # inches for title + subtitle, and air at the sides
LEGEND_TITLE, LEGEND_ROW, LEGEND_ENTRY = 0.45, 0.3, 2.1  # inches: legend title, row, entry width
LABEL_SIZE, CAPTION_SIZE = 9, 7         # points
LABEL_PAD = 1.5                          # pixels around each label box (the white halo)
MAX_CAPTIONED_EDGES = 60                 # edge captions only on small drawings
SHAPES = {"Document": "s", "Event": "D"}


@functools.lru_cache(maxsize=1)
def use_chinese_font() -> str | None:
    """Make matplotlib draw Chinese; return the font family used (None if none).

    Prefers Noto Sans CJK SC bundled by the `mplfonts` package (the `viz`
    extra), then any CJK font installed on the system.
    """
    from matplotlib import font_manager, rcParams

    family = None
    try:
        import mplfonts

        font_path = os.path.join(os.path.dirname(mplfonts.__file__), "fonts",
                                 "NotoSansCJKsc-Regular.otf")
        if os.path.isfile(font_path):
            font_manager.fontManager.addfont(font_path)
            family = font_manager.FontProperties(fname=font_path).get_name()
    except ImportError:
        pass
    if family is None:
        installed = {font.name for font in font_manager.fontManager.ttflist}
        family = next((f for f in SYSTEM_CJK_FAMILIES if f in installed), None)
    if family is None:
        print("kg viz: warning: no Chinese font found; labels may show as boxes "
              "(install the project with its `viz` extra)", file=sys.stderr)
        return None
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [family] + [
        f for f in rcParams["font.sans-serif"] if f != family]
    rcParams["axes.unicode_minus"] = False
    return family


def node_area(data) -> float:
    """matplotlib marker area (points²)."""
    from .style import mentions_of

    kind = data.get("kind")
    if kind == "Document":
        return 400.0
    if kind == "Event":
        return 110.0
    return 70.0 + 130.0 * math.sqrt(mentions_of(data))


def figure_size(packing, legend_entries: int) -> tuple[float, float, int]:
    """Inches (width, height) and legend columns: the layout at INCHES_PER_UNIT,
    shrunk to fit MAX_SIDE, plus the title above and the legend below."""
    scale = min(INCHES_PER_UNIT, MAX_SIDE / packing.width, MAX_SIDE / packing.height)
    width = max(MIN_WIDTH, packing.width * scale + 2 * SIDES)
    columns = max(1, min(legend_entries, int((width - 2 * SIDES) // LEGEND_ENTRY)))
    height = max(MIN_HEIGHT, packing.height * scale + TOP + legend_height(legend_entries, columns))
    return width, height, columns


def legend_height(entries: int, columns: int) -> float:
    return LEGEND_TITLE + LEGEND_ROW * math.ceil(entries / columns) if entries else 0.2


def fit_limits(ax, packing) -> float:
    """Data limits showing the whole canvas with equal x and y scales in `ax`;
    returns the inches per layout unit that gives."""
    fig_width, fig_height = ax.figure.get_size_inches()
    box = ax.get_position()
    axes_ratio = (box.width * fig_width) / (box.height * fig_height)
    width, height = packing.width, packing.height
    if width / height < axes_ratio:
        width = height * axes_ratio
    else:
        height = width / axes_ratio
    cx, cy = packing.width / 2, packing.height / 2
    ax.set_xlim(cx - width / 2, cx + width / 2)
    ax.set_ylim(cy - height / 2, cy + height / 2)
    return box.width * fig_width / width


def draw_picture(view, path: str | None, title: str | None = None, ax=None,
                 subtitle: str | None = None):
    """Draw `view` with matplotlib; write it to `path` unless `path` is None.

    Returns the matplotlib Figure (handy in notebooks). Drawn labels carry the gid
    "kg-label".
    """
    import matplotlib

    if ax is None and path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from kg.readwrite.common import atomic_write

    use_chinese_font()
    if subtitle is None:
        subtitle = describe_selection(view)
    # Names and titles are plain text: “$x^$” is a name, not mathtext (nor TeX).
    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        packing = pack_components(view)
        own_figure = ax is None
        entries = len(category_counts(view))
        if own_figure:
            width, height, columns = figure_size(packing, entries)
            bottom = legend_height(entries, columns)
            fig = plt.figure(figsize=(width, height), dpi=DPI)
            ax = fig.add_axes((SIDES / width, bottom / height,
                               1 - 2 * SIDES / width, 1 - (TOP + bottom) / height))
            fig.text(0.5, 1 - 0.12 / height, title or "", ha="center", va="top", fontsize=16)
            fig.text(0.5, 1 - 0.48 / height, subtitle, ha="center", va="top", fontsize=10.5,
                     color="#555555")
        else:
            fig = ax.figure
            axes_width = ax.get_position().width * fig.get_size_inches()[0]
            columns = max(1, min(entries, int(axes_width // LEGEND_ENTRY)))
            ax.set_title(f"{title}\n{subtitle}" if title else subtitle, fontsize=12)
        ax.set_axis_off()
        # markers shrink with the drawing (a small axes, a huge graph); names do not
        marker_scale = min(1.0, fit_limits(ax, packing) / INCHES_PER_UNIT) ** 2
        draw_graph(ax, view, packing, marker_scale)
        draw_legend(view, fig if own_figure else ax, columns, under_axes=not own_figure)
        if path is not None:
            extension = os.path.splitext(path)[1].lstrip(".").lower()
            try:
                with atomic_write(path, "wb") as handle:
                    fig.savefig(handle, format=extension, dpi=fig.dpi, facecolor="white")
            finally:
                plt.close(fig)
    return fig


def draw_graph(ax, view, packing, marker_scale: float = 1.0) -> None:
    import networkx as nx

    from kg.readwrite.common import category, color_of

    pos = packing.positions
    nodes = list(view)
    areas = {node: node_area(view.nodes[node]) * marker_scale for node in nodes}
    edges = merged_edges(view)
    drawing = nx.DiGraph()
    drawing.add_nodes_from(nodes)
    drawing.add_edges_from(edges)
    if edges:
        nx.draw_networkx_edges(
            drawing, pos, ax=ax, edgelist=list(edges), nodelist=nodes,
            node_size=[areas[n] for n in nodes], width=[edge_width(e["weight"]) for e in edges.values()],
            edge_color="#b8b8b8", alpha=0.8, arrows=True, arrowsize=7)

    centres = set(view.graph.get("centres", []))
    for kind in ordered_categories(category_counts(view)):
        members = [n for n in nodes if category(view.nodes[n]) == kind]
        ax.scatter([pos[n][0] for n in members], [pos[n][1] for n in members],
                   s=[areas[n] for n in members], c=[color_of(view.nodes[n]) for n in members],
                   marker=SHAPES.get(view.nodes[members[0]].get("kind"), "o"),
                   edgecolors=["black" if n in centres else "white" for n in members],
                   linewidths=[2.5 if n in centres else 0.8 for n in members], alpha=0.95,
                   zorder=3)
    draw_labels(ax, view, packing, areas, edges)


def draw_labels(ax, view, packing, areas: dict, edges: dict) -> None:
    """Names (and, on small drawings, edge captions) where they fit, best first."""
    from matplotlib import patheffects

    from kg.readwrite.common import display_name

    renderer = ax.figure.canvas.get_renderer()
    to_pixels = ax.transData.transform
    pixels_per_point = ax.figure.dpi / 72
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]

    def text_box_size(text):
        extent = text.get_window_extent(renderer)
        return extent.width + 2 * LABEL_PAD, extent.height + 2 * LABEL_PAD

    obstacles, requests, texts = [], [], {}
    for node in view:
        x, y = to_pixels(packing.positions[node])
        radius = math.sqrt(areas[node]) / 2 * pixels_per_point
        obstacles.append((x - radius, y - radius, x + radius, y + radius))
    for node in label_order(view):
        text = ax.text(0, 0, short_label(display_name(node, view.nodes[node])),
                       fontsize=LABEL_SIZE, ha="center", va="center", zorder=5,
                       path_effects=halo, gid="kg-label")
        width, height = text_box_size(text)
        x, y = to_pixels(packing.positions[node])
        radius = math.sqrt(areas[node]) / 2 * pixels_per_point
        centre = to_pixels(packing.part_centre[node])
        texts[node] = text
        requests.append((node, boxes_around(x, y, radius, width, height, gap=1.0,
                                            away_from=tuple(centre))))
    if len(edges) <= MAX_CAPTIONED_EDGES:
        for (source, target), edge in edges.items():
            if not edge["captions"]:
                continue
            text = ax.text(0, 0, "/".join(edge["captions"]), fontsize=CAPTION_SIZE,
                           color="#707070", ha="center", va="center", zorder=4,
                           path_effects=halo, gid="kg-label")
            width, height = text_box_size(text)
            (x1, y1), (x2, y2) = to_pixels(packing.positions[source]), to_pixels(packing.positions[target])
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            texts[(source, target)] = text
            requests.append(((source, target), [(mx - width / 2, my - height / 2,
                                                 mx + width / 2, my + height / 2)]))
    bounds = tuple(ax.get_window_extent(renderer).extents)
    placed = place_labels(requests, obstacles, bounds)
    to_data = ax.transData.inverted().transform
    for key, text in texts.items():
        if key in placed:
            text.set_position(to_data(box_centre(placed[key])))
        else:
            text.remove()


def draw_legend(view, where, columns: int, under_axes: bool) -> None:
    """Below the drawing, so it never hides a node: in the figure's bottom margin
    (`where` a Figure), or under the axes of a figure someone else laid out."""
    from matplotlib.lines import Line2D

    from kg.readwrite.common import color_of

    counts = category_counts(view)
    handles = [Line2D([], [], marker=SHAPES.get(kind_data(k)["kind"], "o"), linestyle="",
                      markersize=10, markerfacecolor=color_of(kind_data(k)),
                      markeredgecolor="white",
                      label=f"{k} {CATEGORY_NAMES_ZH.get(k, '')} ({counts[k]})")
               for k in ordered_categories(counts)]
    if handles:
        where.legend(handles=handles, loc="upper center" if under_axes else "lower center",
                     bbox_to_anchor=(0.5, 0.0), ncol=columns, fontsize=10.5, frameon=False,
                     title="colour = label, size = mentions; names that do not fit are left "
                           "out (the HTML view has them all)", title_fontsize=10)
