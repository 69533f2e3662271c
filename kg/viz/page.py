"""The interactive HTML view: one self-contained page around vis-network.

The page uses the same packed layout as the picture (positions fixed, no physics:
it opens at once and looks like the PNG), names where they fit (the same greedy
placement, on estimated text boxes) and every name and detail in the hover text.
vis-network's script and stylesheet are read from the files the pyvis package
ships and inlined, and the graph travels as JSON in a non-executed script block,
so the page works offline and no name from the data can become markup.
"""

from __future__ import annotations

import html
import json
import math
import unicodedata
from importlib import resources

from .labels import place_labels
from .layout import pack_components
from .select import describe_selection
from .style import (CATEGORY_NAMES_ZH, category_counts, kind_data, label_order, merged_edges,
                    mentions_of, ordered_categories, short_label)

PIXELS_PER_UNIT = 80   # vis-network canvas units per layout unit
ASPECT = 16 / 9        # of the packed parts: a screen, not a page
FONT_SIZE = 13         # canvas units
VIS_FILES = "templates/lib/vis-9.1.2"
SHAPES = {"Document": "square", "Event": "diamond"}


def node_radius(data) -> float:
    kind = data.get("kind")
    if kind == "Document":
        return 11.0
    if kind == "Event":
        return 7.0
    return 5.0 + 3.5 * math.sqrt(mentions_of(data))


def text_width(text: str, size: float) -> float:
    """Rough canvas width of `text` (CJK and full-width characters are 1 em, others 0.6)."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else 0.6 * size for c in text)


def tooltip(node, data) -> str:
    """Plain-text hover text (vis-network sets it as text, never as HTML): the full
    name first, then what kind of node it is and its details."""
    from kg.readwrite.common import category, display_name

    lines = [display_name(node, data), category(data)]
    for key in ("type", "trigger", "date", "quantity", "admin_level", "admin_code",
                "object_text", "sentence", "source", "mentions"):
        value = data.get(key)
        if value not in (None, "", []):
            lines.append(f"{key}: {value}")
    for key in ("aliases", "positions"):
        if data.get(key):
            lines.append(f"{key}: {'、'.join(map(str, data[key]))}")
    lines.append(f"id: {node}")
    return "\n".join(lines)


def page_data(view) -> dict:
    """Nodes (fixed positions, label only where it fits) and merged edges for vis-network."""
    from kg.readwrite.common import category, color_of, display_name

    packing = pack_components(view, aspect=ASPECT)
    centres = set(view.graph.get("centres", []))
    place = {}
    for node, (x, y) in packing.positions.items():
        place[node] = (x * PIXELS_PER_UNIT, -y * PIXELS_PER_UNIT)  # canvas y grows downwards
    radius = {node: node_radius(view.nodes[node]) for node in view}
    names = {node: short_label(display_name(node, view.nodes[node]), 16) for node in view}

    # vis-network writes a dot's label centred under it, about 5 units below its edge
    obstacles, requests = [], []
    for node, (x, y) in place.items():
        r = radius[node]
        obstacles.append((x - r, y - r, x + r, y + r))
    for node in label_order(view):
        x, y = place[node]
        half = text_width(names[node], FONT_SIZE) / 2 + 2
        top = y + radius[node] + 3
        requests.append((node, [(x - half, top, x + half, top + 1.3 * FONT_SIZE + 2)]))
    labelled = place_labels(requests, obstacles)

    nodes = []
    for node, data in view.nodes(data=True):
        x, y = place[node]
        entry = {"id": str(node), "x": round(x, 1), "y": round(y, 1),
                 "title": tooltip(node, data), "name": display_name(node, data),
                 "group": category(data), "color": color_of(data),
                 "shape": SHAPES.get(data.get("kind"), "dot"), "size": radius[node],
                 "borderWidth": 4 if node in centres else 1}
        if node in labelled:
            entry["label"] = names[node]
        nodes.append(entry)
    edges = []
    for (source, target), edge in merged_edges(view).items():
        caption = "/".join(edge["captions"])
        edges.append({"from": str(source), "to": str(target),
                      "title": f"{caption}: {edge['sentence']}" if edge["sentence"] else caption,
                      "width": round(0.6 + 0.8 * math.log1p(edge["weight"]), 2)})
    return {"nodes": nodes, "edges": edges}


def script_json(value) -> str:
    """JSON that can sit inside a <script> element: no '<', '>', '&' or line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def legend_html(view) -> str:
    from kg.readwrite.common import color_of

    counts = category_counts(view)
    items = "".join(
        f'<span class="kg-legend-item" data-category="{html.escape(k)}">'
        f'<span class="kg-swatch" style="background:{color_of(kind_data(k))}"></span>'
        f'{html.escape(k)} {html.escape(CATEGORY_NAMES_ZH.get(k, ""))} ({counts[k]})</span>'
        for k in ordered_categories(counts))
    return (f'<div id="kg-legend">{items}<span class="kg-hint">colour = label, size = mentions; '
            f'hover a node for its name and details; drag, zoom</span></div>')


PAGE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{vis_css}</style>
<style>
html, body {{ margin: 0; height: 100%; font-family: "Noto Sans CJK SC", "Source Han Sans SC",
  "PingFang SC", "Microsoft YaHei", sans-serif; }}
body {{ display: flex; flex-direction: column; }}
header {{ padding: 6px 12px; border-bottom: 1px solid #ddd; }}
h1 {{ font-size: 18px; margin: 2px 0; }}
#kg-subtitle {{ color: #555; font-size: 13px; }}
#kg-legend {{ font-size: 13px; margin-top: 4px; }}
.kg-legend-item {{ margin-right: 14px; white-space: nowrap; }}
.kg-swatch {{ display: inline-block; width: 12px; height: 12px; border-radius: 6px;
  vertical-align: middle; margin-right: 4px; }}
.kg-hint {{ color: #777; }}
#kg-graph {{ flex: 1; min-height: 300px; }}
div.vis-tooltip {{ white-space: pre-wrap; max-width: 480px; font-size: 13px; }}
</style>
<script>{vis_js}</script>
</head>
<body>
<header><h1>{title}</h1><div id="kg-subtitle">{subtitle}</div>{legend}</header>
<div id="kg-graph"></div>
<script type="application/json" id="kg-data">{data}</script>
<script>
(function () {{
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var network = new vis.Network(document.getElementById("kg-graph"), {{
    nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)
  }}, {{
    physics: false,
    layout: {{ improvedLayout: false }},
    interaction: {{ hover: true, tooltipDelay: 80, hideEdgesOnDrag: true }},
    nodes: {{ font: {{ size: {font_size}, strokeWidth: 3, strokeColor: "#ffffff" }} }},
    edges: {{ smooth: false, color: {{ color: "#b8b8b8", highlight: "#444444", hover: "#777777" }},
      arrows: {{ to: {{ enabled: true, scaleFactor: 0.4 }} }} }}
  }});
  network.once("afterDrawing", function () {{ document.body.dataset.drawn = "yes"; }});
  window.kgNetwork = network;
}})();
</script>
</body>
</html>
"""


def html_page(view, title: str | None = None, subtitle: str | None = None) -> str:
    """A self-contained HTML page (vis-network inlined, no network access)."""
    vis = resources.files("pyvis").joinpath(VIS_FILES)
    title = title or "kg graph"
    return PAGE.format(
        title=html.escape(title),
        subtitle=html.escape(describe_selection(view) if subtitle is None else subtitle),
        legend=legend_html(view),
        vis_css=vis.joinpath("vis-network.css").read_text(encoding="utf-8"),
        vis_js=vis.joinpath("vis-network.min.js").read_text(encoding="utf-8"),
        data=script_json(page_data(view)),
        font_size=FONT_SIZE)


def write_html(view, path: str, title: str | None = None) -> str:
    from kg.readwrite.common import atomic_write

    page = html_page(view, title)
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(page)
    return path
