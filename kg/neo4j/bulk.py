"""`kg load --bulk OUTDIR`: a whole built graph into a new Neo4j database, fast.

Why: the Cypher loader merges batch by batch through transactions, right for adding a
day's news to a database that exists, but an archive's graph loads an order of magnitude
faster with `neo4j-admin database import full`, which writes the store files directly.
That tool only fills a database that does not exist yet, and Neo4j Community has one
user database per server, so the import goes into the `neo4j` database of a NEW server
home (default `.work/neo4j-bulk`, next to the project's usual `.work/neo4j`): a home that
already holds a database is refused, never overwritten, unless --replace says so. The
tool is the one in the Maven Central jars the project's server is built from
(`org.neo4j.cli.AdminTool`, i.e. `neo4j-admin`, from neo4j-import-tool and
neo4j-command-line). After the import the project's server starts on the new home (now,
or with --no-serve at the user's first `kg neo4j serve --home HOME`), and that first
start sets the loader's uniqueness constraints and the few values CSV cannot carry
(empty arrays) with Cypher, so the result equals what `kg load` stores. Later days go
in with plain `kg load`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.neo4j import server
from kg.neo4j.loader import (CONSTRAINTS, NODE_KINDS, RELATIONSHIP_TYPES, LoadError,
                             open_driver)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kg.readwrite.neo4j_import import ImportFiles

IMPORT_TOOL_CLASS = "org.neo4j.cli.AdminTool"  # what the distribution's neo4j-admin runs
DEFAULT_BULK_HOME = server.PROJECT_ROOT / ".work" / "neo4j-bulk"
DATABASE = "neo4j"  # Community: the one user database
DUPLICATE_ID_MESSAGE = "is defined more than once in group"  # the tool's DuplicateInputIdException


class BulkError(Exception):
    """A failure the user can act on; printed as `kg load: error: ...`."""


class DuplicateIdError(BulkError):
    """The import tool met one id twice in an ID space."""


@dataclass
class BulkResult:
    """What one bulk load did, and how long each step took."""

    files: ImportFiles
    home: Path
    report: Path
    seconds: dict[str, float] = field(default_factory=dict)
    state: dict = field(default_factory=dict)  # the server's, when left running

    @property
    def elements(self) -> int:
        return self.files.elements


# --------------------------------------------------------------------------- steps


def check_home(paths: server.ServerPaths, replace: bool) -> bool:
    """The home must hold no database (or --replace), and no server may run on it.

    Returns whether a database is there to be replaced (deleted only once the import
    files are written, so a refused graph costs no data)."""
    pid = server.running_pid(paths)
    if pid is not None:
        raise BulkError(f"a Neo4j server (pid {pid}) runs on {paths.home}; stop it first: "
                        f"kg neo4j stop --home {paths.home}")
    data = paths.home / "data"
    held = [data / "databases" / DATABASE, data / "transactions" / DATABASE]
    if any(path.exists() for path in held):
        if not replace:
            raise BulkError(f"{paths.home} already holds a database; --bulk never overwrites "
                            f"one: choose another --home, or add --replace to delete it")
        return True
    return False


def import_classpath() -> str:
    """The server's classpath: its jars include neo4j-admin and the import tool."""
    try:
        return server.build_classpath()
    except server.ServerError as exc:
        raise BulkError(str(exc)) from None


def run_import(files: ImportFiles, paths: server.ServerPaths, classpath: str, heap: str,
               max_memory: str, folder: Path) -> Path:
    """`neo4j-admin database import full` into HOME's `neo4j`; its report and log go to
    `folder`; returns the report path."""
    try:
        java = server._java_executable()
    except server.ServerError as exc:
        raise BulkError(str(exc)) from None
    report = folder / "import.report"
    log = folder / "import.log"
    if not paths.conf_file.exists():  # `kg neo4j serve` rewrites it at every start
        paths.conf_file.parent.mkdir(parents=True, exist_ok=True)
        paths.conf_file.write_text("db.tx_log.preallocate=false\n", encoding="utf-8")
    command = [java, f"-Xmx{heap}", *server.JVM_FLAGS, "-cp", classpath, IMPORT_TOOL_CLASS,
               "database", "import", "full", *files.arguments(),
               f"--report-file={report}", f"--max-off-heap-memory={max_memory}",
               "--verbose", DATABASE]  # --verbose: the cause of a failure is in the log
    env = {**os.environ, "NEO4J_HOME": str(paths.home), "NEO4J_CONF": str(paths.conf_file.parent)}
    with open(log, "wb") as output:
        finished = subprocess.run(command, cwd=paths.home, env=env, stdin=subprocess.DEVNULL,
                                  stdout=output, stderr=subprocess.STDOUT)
    if finished.returncode != 0:
        written = "" if report.exists() else " (not written)"
        duplicate = DUPLICATE_ID_MESSAGE in log.read_text(encoding="utf-8", errors="replace")
        raise (DuplicateIdError if duplicate else BulkError)(
            f"the import tool failed (exit {finished.returncode}); its report: "
            f"{report}{written}, its output: {log}:\n{_meaningful_tail(log)}\n"
            f"(the store in {paths.home / 'data'} is unusable: --replace, or "
            f"delete it, before importing again)")
    return report


def _meaningful_tail(log: Path, lines: int = 12) -> str:
    """The tool's last lines without its progress dots and Java stack frames."""
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    kept = [line for line in text if line.strip() and not line.lstrip().startswith(
        ("at ", ".", "-.", "..."))]
    return "\n".join(kept[-lines:])


def _write_files(graph_or_outdir: Path, folder: Path, id_type: str, graph: dict | None = None) -> ImportFiles:
    """Import files written here (a build older than kg build's own, or ids as text),
    from the build's shards (streamed) or its graph, into `folder` (emptied first)."""
    from kg.readwrite.neo4j_import import ImportFileError, read_graph_for_import, write_import_files
    from kg.shards import SHARDS_FOLDER, import_files_from_shards

    outdir = Path(graph_or_outdir).resolve()
    shards = outdir / SHARDS_FOLDER
    try:
        _empty(folder)
        if graph is None and (shards / "entities.parquet").is_file():
            files = import_files_from_shards(shards, folder, id_type)
            if files is not None:
                return files
            _empty(folder)  # a repeated document id: only the whole graph says it right
        return write_import_files(graph if graph is not None else read_graph_for_import(outdir), folder,
                                  id_type)
    except ImportFileError as exc:
        raise BulkError(f"{graph_or_outdir}: {exc}") from None
    except OSError as exc:
        raise _unwritable(exc, folder) from None


def _empty(folder: Path) -> None:
    """HOME/import, emptied: the import files written here, the tool's report and log."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def _unwritable(exc: OSError, folder: Path) -> BulkError:
    return BulkError(f"{exc.filename or folder}: cannot write the import files ({exc.strerror})")


FINISH_FILE = Path("import") / "finish.json"  # in the server home
FIXUP_BATCH = 5_000  # rows per UNWIND


def write_finish(paths: server.ServerPaths, files: ImportFiles) -> Path:
    """What the first start must do before the database is the Cypher loader's equal:
    its uniqueness constraints, and the values CSV could not carry (`kg neo4j serve`
    applies the file once Bolt answers, then removes it)."""
    pending = paths.home / FINISH_FILE
    pending.write_text(json.dumps({"constraints": CONSTRAINTS, "fixups": files.fixups},
                                  ensure_ascii=False), encoding="utf-8")
    return pending


def apply_finish(paths: server.ServerPaths, uri: str, password: str) -> bool:
    """Run HOME's pending finish (if any) against its server; True if there was one."""
    pending = paths.home / FINISH_FILE
    if not pending.exists():
        return False
    work = json.loads(pending.read_text(encoding="utf-8"))
    try:
        driver = open_driver(uri, "neo4j", password)
    except LoadError as exc:
        raise server.ServerError(f"could not finish the bulk import: {exc}") from None
    with driver:
        for constraint in work["constraints"]:
            driver.execute_query(constraint, database_=DATABASE)
        # empty arrays and arrays holding "" (a person with no known post), in batches
        groups: dict[tuple, list[dict]] = {}
        for fix in work["fixups"]:
            group = (fix["kind"],) if "kind" in fix else (fix["type"], fix["source_kind"], fix["target_kind"])
            groups.setdefault(group, []).append(fix)
        for group, rows in groups.items():
            if len(group) == 1:
                query = (f"UNWIND $rows AS row MATCH (n:{_allowed(group[0], NODE_KINDS)} {{id: row.id}}) "
                         f"SET n += row.props")
            else:
                kind = _allowed(group[0], RELATIONSHIP_TYPES)
                start, end = (_allowed(name, NODE_KINDS) for name in group[1:])
                query = (f"UNWIND $rows AS row MATCH (a:{start} {{id: row.source}})-[r:{kind} {{key: row.key}}]->"
                         f"(b:{end} {{id: row.target}}) SET r += row.props")
            for first in range(0, len(rows), FIXUP_BATCH):
                driver.execute_query(query, rows=rows[first:first + FIXUP_BATCH], database_=DATABASE)
    pending.unlink()
    return True


def _allowed(name: str, allowed) -> str:
    """Labels and types from the file go into Cypher text only from the allow-lists."""
    if name not in allowed:
        raise server.ServerError(f"{FINISH_FILE}: {name!r} is not in the schema")
    return name


def bulk_load(graph_or_outdir: Path, home: Path, *, replace: bool = False, serve: bool = True,
              bolt_port: int = server.DEFAULT_BOLT_PORT,
              http_port: int = server.DEFAULT_HTTP_PORT, heap: str = "1g",
              pagecache: str = "512m", import_heap: str = "1g", import_memory: str = "2g",
              keep_files: bool = False, timeout: float = 180,
              stop_with: int | None = None) -> BulkResult:
    """Write the import files, import, and (with `serve`) start the server on the new home.

    The server's first start creates the constraints and sets what CSV could not carry
    (HOME/import/finish.json); without `serve` that waits for `kg neo4j serve --home`.
    """
    from kg.readwrite.neo4j_import import IMPORT_FOLDER, read_graph_for_import, read_import_files
    from kg.shards import SHARDS_FOLDER

    paths = server.ServerPaths(Path(home).resolve())
    seconds: dict[str, float] = {}
    started = time.monotonic()
    # a build writes its import files as it goes; an older build's are written here, from
    # its shards (streamed) or its graph.json
    outdir = Path(graph_or_outdir).resolve()  # the import tool runs in the home
    files = read_import_files(outdir / IMPORT_FOLDER)
    from_shards = files is None and (outdir / SHARDS_FOLDER / "entities.parquet").is_file()
    graph = None if files is not None or from_shards else read_graph_for_import(outdir)  # LoadError
    seconds["read"] = time.monotonic() - started
    replacing = check_home(paths, replace)
    if serve:
        for port in (bolt_port, http_port):
            if port > 0 and server._port_in_use(port):
                raise BulkError(f"port {port} on 127.0.0.1 is in use (another Neo4j?): give "
                                f"--bolt-port/--http-port, or --no-serve")
    classpath = import_classpath()

    step = time.monotonic()
    folder = paths.home / "import"
    try:
        _empty(folder)
    except OSError as exc:
        raise _unwritable(exc, folder) from None
    if files is None:
        files = _write_files(graph_or_outdir, folder, "integer", graph)
        del graph
        seconds["write files"] = time.monotonic() - step
    if replacing:
        shutil.rmtree(paths.home / "data")

    step = time.monotonic()
    try:
        report = run_import(files, paths, classpath, import_heap, import_memory, folder)
    except DuplicateIdError:
        if files.id_type != "integer":
            raise
        # two ids with one hash (about one chance in 10^5 for a million nodes): the ids
        # themselves this time, as text
        shutil.rmtree(paths.home / "data")
        files = _write_files(graph_or_outdir, folder, "string")
        report = run_import(files, paths, classpath, import_heap, import_memory, folder)
    seconds["import"] = time.monotonic() - step
    if not keep_files and files.folder == folder:  # never the build's own files
        for path in [*files.nodes, *files.relationships]:
            path.unlink(missing_ok=True)

    write_finish(paths, files)
    state: dict = {}
    if serve:  # the first start also creates the constraints (apply_finish)
        step = time.monotonic()
        try:
            state = server.serve(paths, bolt_port, http_port, heap, pagecache, timeout,
                                 stop_with=stop_with)
        except server.ServerError as exc:
            raise BulkError(f"the import is done but the server did not start on "
                            f"{paths.home}: {exc}\n{server.log_tail(paths)}") from None
        seconds["start server, constraints"] = time.monotonic() - step
    seconds["total"] = time.monotonic() - started
    return BulkResult(files, paths.home, report, seconds, state)


# --------------------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """The --bulk options of `kg load` (added to its parser)."""
    group = parser.add_argument_group(
        "bulk import (--bulk)",
        "import a whole graph into a new database of the project's own Neo4j server with "
        "neo4j-admin; --uri/--user/--database/--batch-size do not apply")
    group.add_argument("--bulk", action="store_true",
                       help="import with neo4j-admin into a new server home instead of "
                            "merging with Cypher")
    group.add_argument("--home", type=Path, default=DEFAULT_BULK_HOME,
                       help="server home for the new database (default: %(default)s); "
                            "one that holds a database is refused")
    group.add_argument("--replace", action="store_true",
                       help="delete the database already in --home first")
    group.add_argument("--no-serve", dest="serve", action="store_false",
                       help="import only; the first `kg neo4j serve --home HOME` then "
                            "creates the constraints")
    group.add_argument("--bolt-port", type=int, default=server.DEFAULT_BOLT_PORT)
    group.add_argument("--http-port", type=int, default=server.DEFAULT_HTTP_PORT,
                       help="HTTP + Neo4j Browser port of the server; 0 turns HTTP off")
    group.add_argument("--heap", default="1g", help="server JVM heap (default: 1g)")
    group.add_argument("--pagecache", default="512m", help="server page cache (default: 512m)")
    group.add_argument("--import-memory", default="2g",
                       help="off-heap memory of the import tool (default: 2g)")
    group.add_argument("--keep-files", action="store_true",
                       help="keep the import CSV files in HOME/import")
    group.add_argument("--stop-with", type=int, metavar="PID", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    try:
        result = bulk_load(args.graph, args.home, replace=args.replace, serve=args.serve,
                           bolt_port=args.bolt_port, http_port=args.http_port,
                           heap=args.heap, pagecache=args.pagecache,
                           import_memory=args.import_memory, keep_files=args.keep_files,
                           stop_with=args.stop_with)
    except (BulkError, LoadError) as exc:
        print(f"kg load: error: {exc}", file=sys.stderr)
        return 1
    files = result.files
    for reason in files.skipped[:20]:
        print(f"kg load: skipped {reason}", file=sys.stderr)
    if len(files.skipped) > 20:
        print(f"kg load: ... {len(files.skipped) - 20} more skipped", file=sys.stderr)
    total = result.seconds["total"]
    steps = ", ".join(f"{name} {value:.1f} s" for name, value in result.seconds.items()
                      if name != "total")
    print(f"kg load --bulk: {files.node_count} nodes, {files.relationship_count} "
          f"relationships imported into database {DATABASE!r} of {result.home} in "
          f"{total:.1f} s ({result.elements / total:,.0f} elements/s; {steps})")
    print(f"  import report: {result.report}")
    print(f"  import files: {files.folder}" + ("" if files.folder == result.home / "import"
                                                 else " (written by kg build)"))
    home_option = f" --home {result.home}"
    if result.state:
        print(f"  serving at {result.state['bolt_uri']} (pid {result.state['pid']})"
              + (f", Neo4j Browser {result.state['browser_url']}"
                 if result.state.get("browser_url") else ""))
        print(f"  add later builds: kg load OUTDIR --uri {result.state['bolt_uri']}   "
              f"stop: kg neo4j stop{home_option}")
    else:
        print(f"  serve it: kg neo4j serve{home_option}   (its first start creates the "
              f"constraints; later builds then go in with kg load OUTDIR)")
    if not os.environ.get("NEO4J_PASSWORD"):
        print(f"  user neo4j, password '{server.DEFAULT_PASSWORD}' (NEO4J_PASSWORD not set)")
    return 0


__all__ = ["BulkError", "BulkResult", "bulk_load", "check_home", "run_import",
           "DEFAULT_BULK_HOME"]
