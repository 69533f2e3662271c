"""Input files for `neo4j-admin database import full`, from a built graph.

Why: the Cypher loader (kg.neo4j.loader) merges row by row, which is right for adding a
day's news but slow for a whole archive; the import tool writes the store files directly.
The files describe exactly what the Cypher loader would store -- the same labels, the
same properties with the same types (the loader's `clean_properties`), the same
relationship types and the same 64-bit relationship `key` (the loader's `keyed`) -- so a
database imported in bulk answers Cypher queries like one loaded by `kg load`.

Layout: one node file per label set (`:ID(<kind>)`, the `id` property, typed properties,
`:LABEL`) and one relationship file per (type, start kind, end kind) (`:START_ID(<kind>)`,
`:END_ID(<kind>)`, `key:long`, typed properties, `:TYPE`); the three node kinds are three
ID spaces, as the loader merges on (kind, id). The ID columns hold integers, 56 bits of a
hash of the id (`import_id`): the tool imports integer ID spaces faster than string ones
(no table of strings to sort); ids whose hashes meet make it fail with a duplicate id,
and kg.neo4j.bulk then writes the ids themselves (`id_type="string"`). A CSV column has
one type, so rows whose value types differ from their file's (an `admin_level` that is
text in one node) go to a sibling file with its own header. Every text value is quoted (RFC 4180, quotes doubled), so an empty string
stays an empty string and an absent value stays absent; arrays are joined with U+001F,
a control character that news text does not hold (a value that does is refused). Files
holding a line break in a value are listed for `--multiline-fields`, so the others keep
the fast parser. The import tool cannot express an empty array (or an array holding an
empty string): such values are left out of the files and returned as `fixups`, which
kg.neo4j.bulk sets with Cypher once the server runs.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.neo4j.loader import (EDGE_ENDPOINT_FIELDS, LoadError, clean_properties, keyed, plan_load,
                             read_build)

ARRAY_DELIMITER = "\x1f"  # passed to the tool as --array-delimiter=U+001F
ARRAY_DELIMITER_OPTION = "U+001F"
ID_TYPES = ("integer", "string")  # of the ID columns: hashes of the ids, or the ids
ID_BYTES = 7  # the tool's integer ids are below 2**56


class ImportFileError(Exception):
    """A value the import format cannot carry; str() names the element and the value."""


@dataclass
class ImportFiles:
    """What `write_import_files` wrote, and how to hand it to the import tool."""

    folder: Path
    nodes: list[Path] = field(default_factory=list)
    relationships: list[Path] = field(default_factory=list)
    multiline: list[Path] = field(default_factory=list)
    # {"kind": K, "id": I, "props": {...}} or {"type": T, "source_kind": .., "target_kind":
    # .., "source": .., "target": .., "key": K, "props": {...}}: set with Cypher afterwards
    fixups: list[dict] = field(default_factory=list)
    node_count: int = 0
    relationship_count: int = 0
    skipped: list[str] = field(default_factory=list)
    id_type: str = "integer"

    @property
    def elements(self) -> int:
        return self.node_count + self.relationship_count

    def arguments(self) -> list[str]:
        """The options of `neo4j-admin database import full` for these files."""
        arguments = [f"--array-delimiter={ARRAY_DELIMITER_OPTION}", f"--id-type={self.id_type}"]
        if self.multiline:
            arguments += ["--multiline-fields-format=v2",
                          "--multiline-fields=" + ",".join(map(str, self.multiline))]
        arguments += [f"--nodes={path}" for path in self.nodes]
        arguments += [f"--relationships={path}" for path in self.relationships]
        return arguments


# --------------------------------------------------------------------------- reading


def read_graph_for_import(graph_or_outdir: Path) -> dict:
    """The graph to import, as node-link dicts: what the Cypher loader reads (graph.json,
    or the shards of a build too large for graph files)."""
    return read_build(Path(graph_or_outdir))


# --------------------------------------------------------------------------- types


def value_type(value) -> str | None:
    """The import tool's type of a cleaned property value; None for an empty array."""
    kind = type(value)
    if kind is str:
        return "string"
    if kind is bool:
        return "boolean"
    if kind is int:
        return "long"
    if kind is float:
        return "double"
    if kind is list:
        return value_type(value[0]) + "[]" if value else None
    raise ImportFileError(f"unexpected value type {kind.__name__}")


PYTHON_TYPES = {"string": str, "long": int, "double": float, "boolean": bool}


def needs_fixup(value) -> bool:
    """Arrays the CSV cannot carry: empty, or holding an empty string."""
    return type(value) is list and (not value or "" in value)


def _format(value) -> str:
    """One CSV field for a value (never None: absent values are handled by the caller)."""
    kind = type(value)
    if kind is str:
        return '"' + value.replace('"', '""') + '"'
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    # a non-empty homogeneous list
    if type(value[0]) is str:
        for item in value:
            if ARRAY_DELIMITER in item:
                raise ImportFileError(f"array item {item!r} holds U+001F, the array delimiter")
        return '"' + ARRAY_DELIMITER.join(value).replace('"', '""') + '"'
    return '"' + ARRAY_DELIMITER.join(_format(item).strip('"') for item in value) + '"'


def import_id(node_id) -> str:
    """The ID column's value of a node in an integer ID space: 56 bits of a hash of its
    id (typed: the loader keeps the text "5" and the number 5 apart)."""
    text = ("s" if type(node_id) is str else "i") + str(node_id)
    return str(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=ID_BYTES).digest(), "big"))


def _id_field(node_id, id_type: str) -> str:
    return import_id(node_id) if id_type == "integer" else '"' + str(node_id).replace('"', '""') + '"'


def _header_name(name: str) -> str:
    if not name or ":" in name or any(ch in name for ch in '",\r\n' + ARRAY_DELIMITER):
        raise ImportFileError(f"property name {name!r} cannot be a CSV header "
                              f"(':' or a separator in it)")
    return name


# --------------------------------------------------------------------------- groups


class _TypedFiles:
    """The files of one group: one per type signature, opened when first needed."""

    def __init__(self, folder: Path, stem: str, leading: list[str], trailing: str,
                 names: list[str], chosen: dict[str, str], files: ImportFiles,
                 bucket: list[Path]):
        self.folder, self.stem, self.leading, self.trailing = folder, stem, leading, trailing
        self.names, self.chosen, self.files, self.bucket = names, chosen, files, bucket
        self.open: dict[tuple, tuple] = {}  # deviation -> (handle, path, [has a newline])
        self.expected = {name: PYTHON_TYPES.get(kind, list) for name, kind in chosen.items()}

    def write(self, leading_fields: list[str], props: dict, trailing_field: str) -> dict | None:
        """Write one row; return the values left out for Cypher (see needs_fixup), if any."""
        row = leading_fields
        expected = self.expected
        fixes = None
        for name in self.names:
            value = props.get(name)
            if value is None:
                row.append("")
                continue
            kind = type(value)
            if kind is list:
                if not value or "" in value:
                    fixes = fixes or {}
                    fixes[name] = value
                    row.append("")
                    continue
                if value_type(value) != self.chosen[name]:
                    return self._write_deviating(leading_fields[:len(self.leading)], props,
                                                 trailing_field)
                row.append(_format(value))
            elif kind is not expected[name]:
                return self._write_deviating(leading_fields[:len(self.leading)], props,
                                             trailing_field)
            elif kind is str:
                row.append('"' + value.replace('"', '""') + '"')
            else:
                row.append(_format(value))
        row.append(trailing_field)
        self._emit(self.open.get(()) or self._open(()), ",".join(row))
        return fixes

    def _write_deviating(self, leading_fields: list[str], props: dict,
                         trailing_field: str) -> dict | None:
        """A row whose value types differ from the columns': its own file and header."""
        fixes = {name: value for name, value in props.items() if needs_fixup(value)} or None
        kept = {name: value for name, value in props.items() if not fixes or name not in fixes}
        deviation = tuple(sorted((name, kind) for name, value in kept.items()
                                 if (kind := value_type(value)) != self.chosen[name]))
        row = [*leading_fields]
        for name in self.names:
            value = kept.get(name)
            row.append("" if value is None else _format(value))
        row.append(trailing_field)
        self._emit(self.open.get(deviation) or self._open(deviation), ",".join(row))
        return fixes

    @staticmethod
    def _emit(entry: tuple, line: str) -> None:
        handle, _, newline = entry
        if not newline[0] and ("\n" in line or "\r" in line):
            newline[0] = True
        handle.write(line + "\n")

    def _open(self, deviation: tuple) -> tuple:
        types = {**self.chosen, **dict(deviation)}
        suffix = f"-{len(self.open)}" if deviation or self.open else ""
        path = self.folder / f"{self.stem}{suffix}.csv"
        handle = open(path, "w", encoding="utf-8", newline="", buffering=1 << 20)
        header = [*self.leading]
        for name in self.names:
            kind = types[name]
            header.append(_header_name(name) + ("" if kind == "string" else f":{kind}"))
        header.append(self.trailing)
        handle.write(",".join(header) + "\n")
        entry = (handle, path, [False])
        self.open[deviation] = entry
        self.bucket.append(path)
        return entry

    def close(self) -> None:
        for handle, path, newline in self.open.values():
            handle.close()
            if newline[0]:
                self.files.multiline.append(path)


def _choose_types(rows) -> tuple[list[str], dict[str, str]]:
    """Column names (sorted) and each one's most common type (arrays default to string[])."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for props in rows:
        for name, value in props.items():
            counts[name][value_type(value)] += 1
    chosen = {}
    for name, kinds in counts.items():
        typed = [(count, kind) for kind, count in kinds.items() if kind is not None]
        chosen[name] = max(typed)[1] if typed else "string[]"
    return sorted(counts), chosen


# --------------------------------------------------------------------------- writing


def write_import_files(graph: dict, folder: Path, id_type: str = "integer") -> ImportFiles:
    """Write node and relationship CSV files for `graph` into `folder` (created empty).

    Uses the Cypher loader's own grouping, property cleaning and relationship keys, so
    both paths store the same graph. Raises ImportFileError for a value the format
    cannot carry, naming the node or relationship.
    """
    writer = ImportFileWriter(folder, id_type)
    writer.add(graph)
    return writer.files


class ImportFileWriter:
    """Import files written piece by piece: `kg build` writes one set per shard of
    documents (their events and edges; the entities they point to are written once, at
    the end), so that `kg load --bulk` of an archive needs no pass over the graph.

    Each piece has its own files and headers (a column's type is chosen per piece); the
    import tool reads them all. Node ids must not repeat across pieces (the caller's
    duty: kg.shards.ResultSink checks its document ids)."""

    def __init__(self, folder: Path, id_type: str = "integer"):
        if id_type not in ID_TYPES:
            raise ValueError(f"id_type must be one of {ID_TYPES}, not {id_type!r}")
        self.files = ImportFiles(Path(folder), id_type=id_type)
        self.files.folder.mkdir(parents=True, exist_ok=True)

    def add(self, graph: dict, piece: str = "", endpoints_only: str | None = None) -> None:
        """Write a node-link graph. With `endpoints_only` (a node kind), nodes that carry
        nothing but an id are edge endpoints of that kind written in another piece."""
        if endpoints_only:
            for node in graph["nodes"]:
                if len(node) == 1:
                    node["kind"] = endpoints_only
        plan = plan_load(graph)
        self.files.skipped += plan.stats.skipped
        suffix = f".{piece}" if piece else ""
        groups = _deduplicated_nodes(plan.node_groups)
        for (kind, entity_label), nodes in sorted(groups.items(), key=lambda item: str(item[0])):
            if kind != endpoints_only:
                _write_node_group(self.files, kind, entity_label, nodes, suffix)
        for (edge_type, source_kind, target_kind), edges in sorted(plan.edge_groups.items()):
            _write_relationship_group(self.files, edge_type, source_kind, target_kind, edges, suffix)

    def finish(self) -> ImportFiles:
        """Write MANIFEST (what `read_import_files` reads back) and return the files."""
        files, folder = self.files, self.files.folder
        manifest = {"format": MANIFEST_FORMAT, "node_count": files.node_count,
                    "relationship_count": files.relationship_count,
                    **{name: [path.name for path in getattr(files, name)]
                       for name in ("nodes", "relationships", "multiline")},
                    "fixups": files.fixups, "skipped": files.skipped, "id_type": files.id_type}
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        return files


IMPORT_FOLDER = "neo4j-import"  # in a build's OUTDIR
MANIFEST = "manifest.json"
MANIFEST_FORMAT = "kg-neo4j-import/1"


def read_import_files(folder: Path) -> ImportFiles | None:
    """The import files a build wrote into `folder` (None when there are none, or they
    are incomplete: a build that was not sure of them wrote no manifest)."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    files = ImportFiles(folder, fixups=manifest["fixups"], node_count=manifest["node_count"],
                        relationship_count=manifest["relationship_count"], skipped=manifest["skipped"],
                        id_type=manifest.get("id_type", "string"))  # string: written before integers
    for name in ("nodes", "relationships", "multiline"):
        setattr(files, name, [folder / file_name for file_name in manifest[name]])
    if not all(path.is_file() for path in [*files.nodes, *files.relationships]):
        return None
    return files


def _deduplicated_nodes(node_groups: dict) -> dict:
    """One node per (kind, id): the last in the loader's order wins, as MERGE + SET does."""
    total = sum(map(len, node_groups.values()))
    latest: dict[tuple, tuple] = {}
    for labels, nodes in sorted(node_groups.items(), key=lambda item: str(item[0])):
        for node in nodes:
            latest[(labels[0], node["id"])] = (labels, node)
    if len(latest) == total:
        return node_groups
    groups: dict = defaultdict(list)
    for labels, node in latest.values():
        groups[labels].append(node)
    return dict(groups)


def _write_node_group(files: ImportFiles, kind: str, entity_label: str | None,
                      nodes: list[dict], suffix: str = "") -> None:
    cleaned = [clean_properties(node) for node in nodes]
    names, chosen = _choose_types(cleaned)
    # the id is a property of its own (typed: a text or a number), beside the ID column
    names = ["id", *(name for name in names if name != "id")]
    labels = kind + (ARRAY_DELIMITER + entity_label if entity_label else "")
    stem = f"nodes-{kind}" + (f"-{entity_label}" if entity_label else "") + suffix
    writer = _TypedFiles(files.folder, stem, [f":ID({kind})"], ":LABEL", names, chosen, files,
                         files.nodes)
    label_field = '"' + labels + '"'
    try:
        for node, props in zip(nodes, cleaned):
            node_id = node["id"]
            try:
                fixes = writer.write([_id_field(node_id, files.id_type)], props, label_field)
            except ImportFileError as exc:
                raise ImportFileError(f"node {node_id!r}: {exc}") from None
            if fixes:
                files.fixups.append({"kind": kind, "id": node_id, "props": fixes})
            files.node_count += 1
    finally:
        writer.close()


def _write_relationship_group(files: ImportFiles, edge_type: str, source_kind: str,
                              target_kind: str, edges: list[dict], suffix: str = "") -> None:
    cleaned = [clean_properties(edge, EDGE_ENDPOINT_FIELDS) for edge in edges]
    names, chosen = _choose_types(cleaned)
    leading = [f":START_ID({source_kind})", f":END_ID({target_kind})", "key:long"]
    stem = f"relationships-{edge_type}-{source_kind}-{target_kind}{suffix}"
    writer = _TypedFiles(files.folder, stem, leading, ":TYPE", names, chosen, files,
                         files.relationships)
    type_field = '"' + edge_type + '"'
    try:
        for edge, props, key in zip(edges, cleaned, keyed(edges, edge_type)):
            source, target = edge["source"], edge["target"]
            try:
                fixes = writer.write([_id_field(source, files.id_type), _id_field(target, files.id_type),
                                      str(key)], props, type_field)
            except ImportFileError as exc:
                raise ImportFileError(f"{edge_type} relationship {source!r}->{target!r}: "
                                      f"{exc}") from None
            if fixes:
                files.fixups.append({"type": edge_type, "source_kind": source_kind,
                                     "target_kind": target_kind, "source": source,
                                     "target": target, "key": key, "props": fixes})
            files.relationship_count += 1
    finally:
        writer.close()


__all__ = ["ARRAY_DELIMITER", "ID_TYPES", "ImportFileError", "ImportFileWriter", "IMPORT_FOLDER", "ImportFiles", "LoadError",
           "import_id", "read_graph_for_import", "read_import_files", "write_import_files", "value_type"]

