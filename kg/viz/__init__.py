"""`kg viz`: draw a built graph, or one entity's neighbourhood, as PNG/SVG or HTML.

Colour by entity label (documents and events have their own colour), size by
mentions. PNG labels use a Chinese font shipped by the `viz` extra (mplfonts
bundles Noto Sans CJK SC), registered with matplotlib at run time, so no
system font is needed. The HTML view is vis-network (via pyvis) with the
JavaScript inlined: it opens offline.
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import math
import os
import re
import sys
import tempfile

PICTURE_FORMATS = (".png", ".svg", ".pdf")
HTML_FORMATS = (".html", ".htm")
DEFAULT_MAX_NODES = {"picture": 120, "html": 400}

# Families tried, in order, when the bundled font is missing.
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei",
    "PingFang SC", "Heiti SC", "Droid Sans Fallback", "AR PL UMing CN",
)
KIND_ORDER = ("PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM", "Document", "Event")
CATEGORY_NAMES_ZH = {
    "PERSON": "人物", "PLACE": "地点", "AGENCY": "机关", "ORG": "组织",
    "PROGRAM": "政策/项目", "Document": "文章", "Event": "事件",
}


# --- command line ---------------------------------------------------------

def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("graph", metavar="GRAPH_OR_OUTDIR",
                        help="graph.json, or the folder `kg build` wrote")
    parser.add_argument("-o", "--output", required=True,
                        help="picture.png (.svg, .pdf) or page.html")
    parser.add_argument("--around", metavar="NAME",
                        help="draw only this entity's neighbourhood (name, alias or node id)")
    parser.add_argument("--hops", type=count_at_least(0), default=1,
                        help="neighbourhood radius for --around (default 1)")
    parser.add_argument("--max-nodes", type=count_at_least(1), default=None,
                        help="keep at most N nodes, the most connected first "
                             f"(default {DEFAULT_MAX_NODES['picture']} for pictures, "
                             f"{DEFAULT_MAX_NODES['html']} for HTML)")
    parser.add_argument("--hide", action="append", default=[],
                        choices=["Document", "Event", "Entity"],
                        help="leave out nodes of this kind (repeatable)")
    parser.add_argument("--title", default=None, help="title drawn on the picture")


def count_at_least(minimum: int):
    """argparse type: an integer >= minimum, so 0 or -5 is refused, never ignored."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is less than {minimum}")
        return value
    return parse


def run(args: argparse.Namespace) -> int:
    from kg.readwrite import read_graph

    try:
        output_kind = output_kind_of(args.output)
        check_writable(args.output)
        G = read_graph(args.graph)
        view = select_view(G, around=args.around, hops=args.hops,
                           max_nodes=args.max_nodes or DEFAULT_MAX_NODES[output_kind],
                           hide_kinds=args.hide)
        title = args.title or default_title(G, args.around, view)
        if output_kind == "html":
            write_html(view, args.output, title=title)
        else:
            draw_picture(view, args.output, title=title)
    except (OSError, ValueError) as exc:
        print(f"kg viz: error: {exc}", file=sys.stderr)
        return 2
    print(f"kg viz: wrote {args.output} ({view.number_of_nodes()} nodes, "
          f"{view.number_of_edges()} edges)", file=sys.stderr)
    return 0


def output_kind_of(path: str) -> str:
    extension = os.path.splitext(path)[1].lower()
    if extension in PICTURE_FORMATS:
        return "picture"
    if extension in HTML_FORMATS:
        return "html"
    raise ValueError(f"{path}: unknown picture format {extension or '(none)'!r}; "
                     f"use one of {', '.join(PICTURE_FORMATS + HTML_FORMATS)}")


def check_writable(path: str) -> None:
    """Refuse, before any drawing, an output that is a folder or cannot be created.

    The parent folder is probed with a real temporary file (permissions alone do
    not tell, e.g. under /proc or on a read-only mount).
    """
    if os.path.isdir(path):
        raise ValueError(f"{path}: is a folder; name the output file, "
                         f"e.g. {os.path.join(path, 'graph.png')}")
    directory = os.path.dirname(os.path.abspath(path))
    existing = directory
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ValueError(f"{path}: {existing} is not a folder")
    if existing != directory:  # atomic_write creates the missing folders
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ValueError(f"{path}: cannot create folders in {existing}")
        return
    try:
        handle, probe = tempfile.mkstemp(prefix=".kg-viz-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write in {directory} ({exc.strerror})") from None
    os.close(handle)
    os.unlink(probe)


def default_title(G, around, view) -> str:
    if around:
        return f"{around} — {view.number_of_nodes()} nodes"
    return f"knowledge graph — {view.number_of_nodes()} of {G.number_of_nodes()} nodes"


# --- choosing what to draw -----------------------------------------------

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


def select_view(G, around=None, hops=1, max_nodes=120, hide_kinds=()):
    """The subgraph to draw: kinds hidden, neighbourhood cut, size capped.

    Raises ValueError when `around` names no node.
    """
    import networkx as nx

    hidden = set(hide_kinds)
    keep = [n for n, d in G.nodes(data=True) if d.get("kind") not in hidden]
    H = G.subgraph(keep)
    if around:
        centres = [n for n in find_nodes(G, around) if n in H]
        if not centres:
            raise ValueError(f"no node named {around!r} in the graph")
        undirected = H.to_undirected(as_view=True)
        distance: dict = {}
        for centre in centres:
            lengths = nx.single_source_shortest_path_length(undirected, centre, cutoff=hops)
            for node, length in lengths.items():
                distance[node] = min(length, distance.get(node, length))
        ranked = sorted(distance, key=lambda n: (distance[n], -node_score(G, n), str(n)))
    else:
        ranked = sorted(H, key=lambda n: (-node_score(G, n), str(n)))
    chosen = ranked[: max(1, max_nodes)]
    view = G.subgraph(chosen).copy()
    if not around and view.number_of_edges():
        view.remove_nodes_from([n for n in list(view) if view.degree(n) == 0])
    view.graph["centres"] = [n for n in (centres if around else []) if n in view]
    return view


# --- styling shared by PNG and HTML ----------------------------------------

def short_label(text: str, limit: int = 12) -> str:
    text = re.sub(r"\s+", "", str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mentions_of(data) -> float:
    try:
        return max(1.0, float(data.get("mentions") or 1))
    except (TypeError, ValueError):
        return 1.0


def edge_caption(data) -> str:
    if data.get("type") == "HOLDS_POSITION" and data.get("position"):
        return str(data["position"])
    return str(data.get("type") or "")


# --- PNG / SVG / PDF --------------------------------------------------------

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


def layout(view, seed: int = 7):
    import networkx as nx

    simple = nx.Graph(view.to_undirected(as_view=True))
    n = max(1, simple.number_of_nodes())
    return nx.spring_layout(simple, k=1.8 / math.sqrt(n), iterations=200, seed=seed)


def draw_picture(view, path: str, title: str | None = None, ax=None):
    """Draw `view` with matplotlib; write it to `path` unless `path` is None.

    Returns the matplotlib Figure (handy in notebooks).
    """
    import matplotlib

    if ax is None and path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib import patheffects
    from matplotlib.lines import Line2D

    from kg.readwrite.common import atomic_write, category, color_of, display_name

    use_chinese_font()
    # Names and titles are plain text: “$x^$” is a name, not mathtext (nor TeX).
    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        n = view.number_of_nodes()
        if ax is None:
            side = min(24.0, max(9.0, 1.1 * math.sqrt(max(n, 1)) + 6))
            fig, ax = plt.subplots(figsize=(side * 1.2, side))
        else:
            fig = ax.figure
        ax.set_axis_off()
        if title:
            ax.set_title(title, fontsize=16)
        pos = layout(view) if n else {}

        simple = nx.DiGraph()
        simple.add_nodes_from(view)
        for u, v, data in view.edges(data=True):
            weight = float(data.get("count") or 1)
            if simple.has_edge(u, v):
                simple[u][v]["weight"] += weight
                simple[u][v]["captions"].append(edge_caption(data))
            else:
                simple.add_edge(u, v, weight=weight, captions=[edge_caption(data)])
        widths = [0.6 + 0.5 * math.log1p(d["weight"]) for *_, d in simple.edges(data=True)]
        nx.draw_networkx_edges(simple, pos, ax=ax, width=widths, edge_color="#b0b0b0",
                               alpha=0.8, arrows=True, arrowsize=8, node_size=300)
        if 0 < simple.number_of_edges() <= 60:
            captions = {(u, v): "/".join(dict.fromkeys(d["captions"]))
                        for u, v, d in simple.edges(data=True)}
            nx.draw_networkx_edge_labels(simple, pos, edge_labels=captions, ax=ax,
                                         font_size=7, font_color="#707070",
                                         bbox=dict(alpha=0), rotate=False)

        shapes = {"Document": "s", "Event": "D"}
        counts: dict[str, int] = {}
        centres = set(view.graph.get("centres", []))
        for kind in KIND_ORDER + ("Entity", "Unknown"):
            nodes = [v for v, d in view.nodes(data=True) if category(d) == kind]
            if not nodes:
                continue
            counts[kind] = len(nodes)
            data = [view.nodes[v] for v in nodes]
            sizes = [node_area(d) for d in data]
            nx.draw_networkx_nodes(
                view, pos, nodelist=nodes, ax=ax, node_color=[color_of(d) for d in data],
                node_size=sizes, node_shape=shapes.get(view.nodes[nodes[0]].get("kind"), "o"),
                edgecolors=["black" if v in centres else "white" for v in nodes],
                linewidths=[2.5 if v in centres else 0.8 for v in nodes], alpha=0.95)
        labels = {v: short_label(display_name(v, d)) for v, d in view.nodes(data=True)}
        texts = nx.draw_networkx_labels(view, pos, labels=labels, ax=ax, font_size=9)
        for text in texts.values():
            text.set_path_effects([patheffects.withStroke(linewidth=3, foreground="white")])

        handles = [Line2D([], [], marker=shapes.get(k, "o"), linestyle="", markersize=10,
                          markerfacecolor=color_of(kind_data(k)), markeredgecolor="white",
                          label=f"{k} {CATEGORY_NAMES_ZH.get(k, '')} ({counts[k]})")
                   for k in counts]
        if handles:  # below the drawing, so it never hides a node
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                      ncol=min(4, len(handles)), fontsize=11, frameon=False,
                      title="colour = label, size = mentions", title_fontsize=11)
        fig.tight_layout()
        if path is not None:
            extension = os.path.splitext(path)[1].lstrip(".").lower()
            try:
                with atomic_write(path, "wb") as handle:
                    fig.savefig(handle, format=extension, dpi=110, facecolor="white")
            finally:
                plt.close(fig)
        return fig


def kind_data(kind: str) -> dict:
    if kind in ("Document", "Event"):
        return {"kind": kind}
    return {"kind": "Entity", "label": kind}


def node_area(data) -> float:
    """matplotlib marker area (points²)."""
    kind = data.get("kind")
    if kind == "Document":
        return 900.0
    if kind == "Event":
        return 160.0
    return 120.0 + 260.0 * math.sqrt(mentions_of(data))


# --- HTML -----------------------------------------------------------------

def tooltip(node, data) -> str:
    """Plain-text hover text (vis-network shows it as text, not HTML)."""
    lines = [f"{data.get('kind', '')} {data.get('label', '') if data.get('kind') == 'Entity' else ''}".strip()]
    for key in ("name", "title", "type", "trigger", "date", "quantity", "admin_level",
                "admin_code", "object_text", "sentence", "mentions"):
        value = data.get(key)
        if value not in (None, "", []):
            lines.append(f"{key}: {value}")
    for key in ("aliases", "positions"):
        if data.get(key):
            lines.append(f"{key}: {'、'.join(map(str, data[key]))}")
    lines.append(f"id: {node}")
    # pyvis switches to innerHTML tooltips when it sees "href": never give it one.
    return "\n".join(lines).replace("href", "hre f")


def legend_html(view) -> str:
    from kg.readwrite.common import category, color_of

    counts: dict[str, int] = {}
    for _, data in view.nodes(data=True):
        counts[category(data)] = counts.get(category(data), 0) + 1
    items = "".join(
        f'<span style="margin-right:14px"><span style="display:inline-block;width:12px;'
        f'height:12px;border-radius:6px;background:{color_of(kind_data(k))};'
        f'vertical-align:middle"></span> {html.escape(k)} '
        f'{html.escape(CATEGORY_NAMES_ZH.get(k, ""))} ({counts[k]})</span>'
        for k in KIND_ORDER if k in counts)
    return (f'<div style="font-family:sans-serif;font-size:14px;padding:6px">'
            f'{items}<span style="color:#777">size = mentions; drag, zoom, hover for details'
            f'</span></div>')


def html_page(view, title: str | None = None) -> str:
    """A self-contained HTML page (vis-network inlined, no network access)."""
    from pyvis.network import Network

    from kg.readwrite.common import color_of, display_name

    net = Network(height="850px", width="100%", directed=True, cdn_resources="in_line",
                  bgcolor="#ffffff", heading="")
    shapes = {"Document": "box", "Event": "diamond"}
    centres = set(view.graph.get("centres", []))
    for node, data in view.nodes(data=True):
        kind = data.get("kind")
        size = 10 if kind == "Event" else 12 + 6 * math.sqrt(mentions_of(data))
        net.add_node(str(node), label=short_label(display_name(node, data), 16),
                     title=tooltip(node, data), color=color_of(data),
                     shape=shapes.get(kind, "dot"), size=size,
                     font={"size": 16, "color": "white" if kind == "Document" else "#222222"},
                     borderWidth=4 if node in centres else 1)
    for source, target, data in view.edges(data=True):
        net.add_edge(str(source), str(target), label=edge_caption(data),
                     title=str(data.get("sentence") or edge_caption(data)),
                     width=1 + math.log1p(float(data.get("count") or 1)), color="#b0b0b0",
                     font={"size": 9, "color": "#777777"}, arrows="to")
    net.barnes_hut(gravity=-6000, spring_length=140)
    page = net.generate_html()
    # pyvis links Bootstrap from a CDN even with in-line resources; the page
    # does not need it, and an offline page must not fetch anything.
    page = re.sub(r"<link[^>]*bootstrap[^>]*>\s*", "", page)
    page = re.sub(r"<script[^>]*bootstrap[^>]*>\s*</script>\s*", "", page)
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>\s*", "", page)
    header = (f"<title>{html.escape(title or 'kg graph')}</title>"
              f'<h2 style="font-family:sans-serif;margin:6px">{html.escape(title or "")}</h2>'
              + legend_html(view))
    page = page.replace("<body>", "<body>\n" + header, 1)
    return page


def write_html(view, path: str, title: str | None = None) -> str:
    from kg.readwrite.common import atomic_write

    page = html_page(view, title)
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(page)
    return path


def graph_summary(view) -> str:
    """One JSON line (nodes/edges per kind) — used by tests and the notebook."""
    from kg.readwrite.common import category

    counts: dict[str, int] = {}
    for _, data in view.nodes(data=True):
        counts[category(data)] = counts.get(category(data), 0) + 1
    return json.dumps({"nodes": view.number_of_nodes(), "edges": view.number_of_edges(),
                       "per_category": counts}, ensure_ascii=False)
