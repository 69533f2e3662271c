"""Helpers shared by the writers and `kg viz`: atomic files, display names,
colours, dates, and the one XML-text sanitiser of the GraphML and GEXF writers.

Kept here so that the GEXF colours, the PNG legend and the HTML view agree.
"""

from __future__ import annotations

import contextlib
import json
import math
import numbers
import os
import re
import tempfile
from collections.abc import Iterator
from typing import IO

import networkx as nx

ENTITY_LABELS = ("PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM")

# One colour per category (entity label, or node kind for the others).
# Chosen to stay distinguishable for the common colour-vision deficiencies.
CATEGORY_COLORS = {
    "PERSON": "#e6550d",
    "PLACE": "#31a354",
    "AGENCY": "#3182bd",
    "ORG": "#756bb1",
    "PROGRAM": "#d6a100",
    "Document": "#636363",
    "Event": "#e377c2",
}

# Neo4j label names (APOC `labels` attribute, e.g. ":Entity:Agency").
NEO4J_ENTITY_LABELS = {
    "PERSON": "Person",
    "PLACE": "Place",
    "AGENCY": "Agency",
    "ORG": "Org",
    "PROGRAM": "Program",
}

def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates 0600 files; outputs get the usual mode (0644 under umask 022).
_FILE_MODE = 0o666 & ~_current_umask()

_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")

# Characters XML 1.0 does not allow (§2.2): C0 controls other than tab, LF and CR, lone
# surrogates (undecodable bytes of a file name, read with surrogateescape), U+FFFE, U+FFFF.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", **open_kwargs) -> Iterator[IO]:
    """Open a temporary file next to `path`; on success it replaces `path`.

    A reader never sees a half-written file, and a failure leaves the old
    file (or no file) in place.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory
    )
    try:
        with os.fdopen(fd, mode, **open_kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_path, _FILE_MODE)
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_path)
        raise


def xml_text(text: str) -> str:
    """`text` with each character XML 1.0 forbids written as a visible escape
    (\\x01, \\udcff, \\ufffe).

    One such character, in a file name or an article, would make the whole GraphML or
    GEXF file unreadable; the escape keeps the rest of the string and shows where the
    character was (as `ls -b` or Python's repr would).
    """
    return _NOT_XML_CHAR.sub(_visible_escape, text)


def _visible_escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _xml_value(value):
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {xml_text(str(key)): _xml_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_xml_value(item) for item in value)
    return value


def xml_safe_graph(H: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of H in which every string an XML writer puts into the file -- node ids,
    edge keys, attribute names and string values, also inside dicts such as `viz` --
    is valid XML 1.0 text (see `xml_text`). Every XML writer passes its graph through here.
    """
    clean = nx.MultiDiGraph()
    clean.graph.update(_xml_value(dict(H.graph)))
    clean.add_nodes_from((xml_text(str(node)), _xml_value(dict(data)))
                         for node, data in H.nodes(data=True))
    clean.add_edges_from((xml_text(str(source)), xml_text(str(target)), xml_text(str(key)),
                          _xml_value(dict(data)))
                         for source, target, key, data in H.edges(keys=True, data=True))
    return clean


def category(data: dict) -> str:
    """Entity label for entities, the node kind for documents and events."""
    if data.get("kind") == "Entity":
        return data.get("label") or "Entity"
    return data.get("kind") or "Unknown"


def color_of(data: dict) -> str:
    return CATEGORY_COLORS.get(category(data), "#999999")


def rgb_of(data: dict) -> tuple[int, int, int]:
    hex_color = color_of(data).lstrip("#")
    return tuple(int(hex_color[i : i + 2], 16) for i in (0, 2, 4))


# Gephi's importer stretches node sizes linearly onto 4..100 (io.processor DefaultScaler:
# the smallest node becomes 4, the largest 100) unless they already span that range.
GEPHI_SIZE_RANGE = (4.0, 100.0)


def size_weight(data: dict) -> float:
    """A node's size before scaling: an entity's grows with sqrt(mentions) (its area with
    its mentions), an event is one occurrence like an entity mentioned once, a document
    is a hub."""
    kind = data.get("kind")
    if kind == "Document":
        return 20.0
    mentions = data.get("mentions") if kind == "Entity" else 1
    try:
        mentions = max(1.0, float(mentions or 1))
    except (TypeError, ValueError):
        mentions = 1.0
    return 8.0 + 6.0 * math.sqrt(mentions)


def gephi_sizes(G: nx.MultiDiGraph) -> dict:
    """Node -> size on Gephi's own 4..100 scale, so that Gephi's importer keeps the sizes
    the file gives (GraphML and GEXF alike) instead of stretching them."""
    weights = {node: size_weight(data) for node, data in G.nodes(data=True)}
    if not weights:
        return {}
    low, high = min(weights.values()), max(weights.values())
    smallest, largest = GEPHI_SIZE_RANGE
    if high == low:  # Gephi draws equal sizes at its minimum as well
        return dict.fromkeys(weights, smallest)
    scale = (largest - smallest) / (high - low)
    return {node: round(smallest + (weight - low) * scale, 2) for node, weight in weights.items()}


def display_name(node: str, data: dict) -> str:
    """What a person wants to read on the node: name, title or trigger."""
    kind = data.get("kind")
    if kind == "Entity":
        return str(data.get("name") or node)
    if kind == "Document":
        if data.get("title"):
            return str(data["title"])
        if data.get("text"):  # untitled (photo captions): the opening words
            return str(data["text"]).strip()[:16]
        return os.path.basename(str(data.get("source") or "")) or str(node)
    if kind == "Event":
        trigger = data.get("trigger")
        etype = data.get("type")
        if trigger and etype:
            return f"{trigger} ({etype})"
        return str(trigger or etype or node)
    return str(node)


def neo4j_labels(data: dict) -> str:
    """APOC-style label string, e.g. ':Entity:Agency' or ':Document'."""
    kind = data.get("kind") or "Node"
    if kind == "Entity" and data.get("label") in NEO4J_ENTITY_LABELS:
        return f":Entity:{NEO4J_ENTITY_LABELS[data['label']]}"
    return f":{kind}"


def normalise_date(value) -> str | None:
    """'2021-07' -> '2021-07-01', '2021' -> '2021-01-01'; None when unusable.

    Gephi's timeline wants full yyyy-mm-dd dates.
    """
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value.strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return f"{year}-{month}-{day}"


def entity_documents(G: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Entity id -> sorted ids of the documents that mention it."""
    documents: dict[str, set[str]] = {}
    for source, target, data in G.edges(data=True):
        if data.get("type") == "MENTIONS":
            documents.setdefault(target, set()).add(source)
    return {node: sorted(docs) for node, docs in documents.items()}


def scalar_or_json(value):
    """A value GraphML/GEXF can hold, or None to drop it.

    Lists, tuples, sets and dicts become JSON text (ensure_ascii=False), so
    they read back with `json.loads` and keep names that contain '|' intact.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=str)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def unify_attribute_types(items: list[dict]) -> None:
    """Give every attribute key one type across `items` (in place).

    Mixed int/float become float, any other mix becomes str: GraphML and GEXF
    declare one type per key, and readers reject values of another type.
    """
    types: dict[str, set[type]] = {}
    for data in items:
        for key, value in data.items():
            types.setdefault(key, set()).add(type(value))
    for key, seen in types.items():
        if len(seen) <= 1:
            continue
        target = float if seen <= {int, float} else str
        for data in items:
            if key in data:
                value = data[key]
                if target is str and isinstance(value, bool):
                    data[key] = str(value).lower()
                else:
                    data[key] = target(value)
