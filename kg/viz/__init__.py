"""`kg viz`: draw a built graph, or one entity's neighbourhood, as PNG/SVG/PDF or HTML.

Colour by entity label (documents and events have their own colour), size by
mentions. One stage per module, data flowing one way:
select (what to draw) -> layout (where) -> labels (which names fit) ->
picture (matplotlib) or page (vis-network HTML).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from .layout import pack_components
from .page import html_page, write_html
from .picture import draw_picture, use_chinese_font
from .select import describe_selection, find_nodes, node_score, select_view
from .style import CATEGORY_NAMES_ZH, KIND_ORDER, graph_summary, short_label
from ..cli import count_at_least

__all__ = ["CATEGORY_NAMES_ZH", "KIND_ORDER", "configure_parser", "describe_selection",
           "draw_picture", "find_nodes", "graph_summary", "html_page", "node_score",
           "pack_components", "run", "select_view", "short_label", "use_chinese_font",
           "write_html"]

PICTURE_FORMATS = (".png", ".svg", ".pdf")
HTML_FORMATS = (".html", ".htm")
# In all, shared among the connected parts (see select.py).
DEFAULT_MAX_NODES = {"picture": 120, "html": 400}


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
                        help="draw at most N nodes, shared fairly among the connected parts "
                             "(a small part keeps all its nodes), the most mentioned and linked "
                             "first; with --around, the nearest first "
                             f"(default {DEFAULT_MAX_NODES['picture']} for pictures, "
                             f"{DEFAULT_MAX_NODES['html']} for HTML)")
    parser.add_argument("--events", action="store_true",
                        help="draw events too (hidden by default: their labels crowd the entities)")
    parser.add_argument("--hide", action="append", default=[],
                        choices=["Document", "Event", "Entity"],
                        help="leave out nodes of this kind (repeatable)")
    parser.add_argument("--title", default=None, help="title of the picture or page")


def run(args: argparse.Namespace) -> int:
    from kg.readwrite import read_graph

    try:
        output_kind = output_kind_of(args.output)
        check_writable(args.output)
        G = read_graph(args.graph)
        hidden = set(args.hide) | (set() if args.events else {"Event"})
        view = select_view(G, around=args.around, hops=args.hops,
                           max_nodes=args.max_nodes or DEFAULT_MAX_NODES[output_kind],
                           hide_kinds=hidden)
        title = args.title or default_title(args.graph, args.around)
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


def default_title(graph_path: str, around: str | None) -> str:
    if around:
        return f"{around}: neighbourhood in {graph_path}"
    return f"knowledge graph of {graph_path}"
