"""Load throughput of `kg load` against a naive one-query-per-row loader, same run.

    .venv/bin/python benchmarks/neo4j_load.py            # starts its own Neo4j
    NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=... .venv/bin/python benchmarks/neo4j_load.py

The graph is synthetic but has the `kg build` schema (kg.neo4j.synthetic): 6,000
documents give 102,000 nodes and about 312,000 relationships. Each loader starts from an
empty database with the uniqueness constraints in place. The naive loader (one MERGE per
node or relationship, each its own auto-commit transaction) is far too slow for the
whole graph, so it loads a smaller graph of the same shape and its rate is extrapolated;
`kg load` is also timed on that same small graph for a like-for-like figure. The
database is emptied: a NEO4J_URI database that holds data is refused unless
KG_ALLOW_EMPTYING_NEO4J=1.

    .venv/bin/python benchmarks/neo4j_load.py --bulk [--documents 10000]

Bulk mode compares the two ways into a database, each as a user runs it (the `kg`
command, reading graph.json): `kg load` (Cypher, into a running server after a small
warm-up load) and `kg load --bulk --no-serve` (import files written, neo4j-admin import
into a new home) followed by the home's first `kg neo4j serve` (which also creates the
constraints). Both databases are checked to hold every element. `--outdir OUTDIR` loads a real build
instead (a build writes its import files as it goes; --bulk then only imports). Servers are the
project's own, in homes under .work/ that are removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.neo4j import loader  # noqa: E402
from kg.neo4j.synthetic import graph_json, synthetic_graph  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kg(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def empty_database(driver, database: str) -> None:
    with driver.session(database=database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
                    ).consume()


def count_elements(driver, database: str) -> int:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS c", database_=database)
    relationships = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c",
                                         database_=database)
    return nodes.records[0]["c"] + relationships.records[0]["c"]


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (0 when unknown)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def naive_load(driver, graph: dict, database: str) -> float:
    """One statement and one auto-commit transaction per node and per relationship."""
    plan = loader.plan_load(graph)
    started = time.monotonic()
    with driver.session(database=database) as session:
        for (kind, entity_label), nodes in plan.node_groups.items():
            query = (f"MERGE (n:{kind} {{id: $id}}) SET n = $props"
                     + (f" SET n:{entity_label}" if entity_label else ""))
            for node in nodes:
                props = loader.clean_properties(node)
                session.run(query, id=node["id"], props=props).consume()
        for (edge_type, source_kind, target_kind), edges in plan.edge_groups.items():
            query = (f"MATCH (a:{source_kind} {{id: $source}}) "
                     f"MATCH (b:{target_kind} {{id: $target}}) "
                     f"MERGE (a)-[r:{edge_type} {{key: $key}}]->(b) SET r += $props")
            for edge, key in zip(edges, loader.keyed(edges, edge_type)):
                session.run(query, source=edge["source"], target=edge["target"], key=key,
                            props=loader.clean_properties(edge, loader.EDGE_ENDPOINT_FIELDS)
                            ).consume()
    return time.monotonic() - started


def timed_kg_load(driver, graph: dict, database: str, batch_size: int) -> float:
    stats = loader.load_graph(driver, graph, database, batch_size=batch_size, progress=False)
    return stats.seconds


def bulk_main(args) -> int:
    """`kg load` vs `kg load --bulk` on the same graph.json, both through the CLI."""
    import re

    work = ROOT / ".work" / "neo4j-bench-bulk"
    shutil.rmtree(work, ignore_errors=True)
    small_outdir = work / "small"
    outdir = args.outdir or work / "out"
    folders = [(small_outdir, 100, 2)] + ([] if args.outdir else [(outdir, args.documents, 1)])
    for folder, documents, seed in folders:
        print(f"generating {documents} synthetic documents ...", flush=True)
        folder.mkdir(parents=True)
        graph = graph_json(synthetic_graph(documents, seed=seed))
        (folder / "graph.json").write_text(json.dumps(graph, ensure_ascii=False),
                                           encoding="utf-8")
        del graph
    elements = count_build_elements(outdir)
    print(f"  {elements:,} elements in {outdir}", flush=True)
    password = f"kg-bench-{secrets.token_hex(4)}"
    env = {**os.environ, "NEO4J_PASSWORD": password, "OMP_NUM_THREADS": "1"}
    rows = []

    def row(name, seconds, note=""):
        rows.append({"loader": name, "elements": elements, "seconds": round(seconds, 2),
                     "elements_per_s": round(elements / seconds),
                     "load_average": round(os.getloadavg()[0], 1), "note": note})
        print(f"  {name}: {seconds:.1f} s", flush=True)

    def serve(home, port):
        started = time.monotonic()
        served = kg("neo4j", "serve", "--home", home, "--bolt-port", port, "--http-port", 0,
                    "--heap", args.heap, "--pagecache", "1g", env=env)
        if served.returncode != 0:
            raise SystemExit(served.stdout + served.stderr)
        return time.monotonic() - started

    def stored(port):
        driver = loader.open_driver(f"bolt://127.0.0.1:{port}", "neo4j", password)
        with driver:
            return count_elements(driver, "neo4j")

    try:
        cypher_home, port = work / "cypher-home", free_port()
        serve(cypher_home, port)
        uri = f"bolt://127.0.0.1:{port}"
        warm = kg("load", small_outdir, "--uri", uri, "--quiet", env=env)
        assert warm.returncode == 0, warm.stderr
        driver = loader.open_driver(uri, "neo4j", password)
        empty_database(driver, "neo4j")
        driver.close()
        started = time.monotonic()
        loaded = kg("load", outdir, "--uri", uri, "--quiet", env=env)
        seconds = time.monotonic() - started
        assert loaded.returncode == 0, loaded.stderr
        assert stored(port) == elements
        row("kg load (Cypher)", seconds, "CLI incl. reading graph.json; server warmed by a "
                                         "small load")
        kg("neo4j", "stop", "--home", cypher_home, env=env)

        bulk_home, port = work / "bulk-home", free_port()
        started = time.monotonic()
        bulk = kg("load", "--bulk", outdir, "--home", bulk_home, "--no-serve", env=env)
        bulk_seconds = time.monotonic() - started
        assert bulk.returncode == 0, bulk.stdout + bulk.stderr
        steps = {"write files": 0.0, **{name: float(value) for name, value in
                 re.findall(r"(read|write files|import) ([0-9.]+) s", bulk.stdout)}}
        by_build = "(written by kg build)" in bulk.stdout
        serve_seconds = serve(bulk_home, port)
        assert stored(port) == elements
        kg("neo4j", "stop", "--home", bulk_home, env=env)
        row("kg load --bulk --no-serve", bulk_seconds,
            f"CLI: read {steps['read']:.1f} s, "
            + ("the build's import files" if by_build else f"write files {steps['write files']:.1f} s")
            + f", import {steps['import']:.1f} s")
        row("  of which the import tool", steps["import"],
            "neo4j-admin on the written files (what shards written by the build would cost)")
        row("  first kg neo4j serve", serve_seconds, "start + the 3 uniqueness constraints")
        row("kg load --bulk, until serving", bulk_seconds + serve_seconds, "the two above")
    finally:
        for home in ("cypher-home", "bulk-home"):
            kg("neo4j", "stop", "--home", work / home, env=env)
        shutil.rmtree(work, ignore_errors=True)

    cypher_rate = rows[0]["elements_per_s"]
    print(f"\nkg load vs kg load --bulk, {elements:,} elements ({os.cpu_count()} CPUs; load avg "
          f"= the machine's load average after the step)")
    print(f"| {'way in':32} | {'seconds':>8} | {'elements/s':>10} | {'x Cypher':>8} "
          f"| {'load avg':>8} | note")
    print(f"|{'-' * 34}|{'-' * 9}:|{'-' * 11}:|{'-' * 9}:|{'-' * 9}:|------")
    for entry in rows:
        print(f"| {entry['loader']:32} | {entry['seconds']:>8.1f} | "
              f"{entry['elements_per_s']:>10,} | {entry['elements_per_s'] / cypher_rate:>8.1f} | "
              f"{entry['load_average']:>8} | {entry['note']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


def count_build_elements(outdir: Path) -> int:
    """Nodes + edges of a build, as the loaders will count them (its import files'
    manifest when it has one, else its graph: graph.json or the shards)."""
    from kg.readwrite.neo4j_import import IMPORT_FOLDER, read_import_files

    files = read_import_files(outdir / IMPORT_FOLDER)
    if files is not None:
        return files.elements
    graph = loader.read_build(outdir)
    return len(graph["nodes"]) + len(graph["edges"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulk", action="store_true",
                        help="compare kg load with kg load --bulk (see the docstring)")
    parser.add_argument("--outdir", type=Path,
                        help="bulk mode: a kg build to load instead of a synthetic graph")
    parser.add_argument("--documents", type=int, default=6000,
                        help="synthetic documents (6000 -> 102k nodes, 312k relationships)")
    parser.add_argument("--naive-documents", type=int, default=100,
                        help="documents in the graph the naive loader gets (default 100)")
    parser.add_argument("--batch-size", type=int, default=loader.DEFAULT_BATCH_SIZE)
    parser.add_argument("--heap", default="1g", help="heap of the server started here")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.bulk:
        return bulk_main(args)

    print(f"generating {args.documents} synthetic documents ...", flush=True)
    started = time.monotonic()
    big = graph_json(synthetic_graph(args.documents, seed=1))
    small = graph_json(synthetic_graph(args.naive_documents, seed=2))
    print(f"  {len(big['nodes']):,} nodes, {len(big['edges']):,} relationships "
          f"({time.monotonic() - started:.0f} s)", flush=True)

    server_home = None
    server_pid = None
    uri = os.environ.get("NEO4J_URI")
    if uri:
        password = os.environ.get("NEO4J_PASSWORD", "")
    else:
        server_home = ROOT / ".work" / "neo4j-bench"
        shutil.rmtree(server_home, ignore_errors=True)
        password = f"kg-bench-{secrets.token_hex(4)}"
        port = free_port()
        uri = f"bolt://127.0.0.1:{port}"
        env = {**os.environ, "NEO4J_PASSWORD": password}
        served = kg("neo4j", "serve", "--home", server_home, "--bolt-port", port,
                    "--http-port", "0", "--heap", args.heap, "--pagecache", "1g", env=env)
        if served.returncode != 0:
            print(served.stderr, file=sys.stderr)
            return 1
        print(served.stdout.splitlines()[0], flush=True)
        server_pid = int((server_home / "run" / "kg-neo4j.pid").read_text())
    user = os.environ.get("NEO4J_USER", "neo4j")
    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    rows = []
    try:
        driver = loader.open_driver(uri, user, password)
        if server_home is None and count_elements(driver, database) \
                and os.environ.get("KG_ALLOW_EMPTYING_NEO4J") != "1":
            print(f"{uri}: database {database!r} is not empty and this benchmark empties it; "
                  f"set KG_ALLOW_EMPTYING_NEO4J=1 if that data may go", file=sys.stderr)
            return 1
        for constraint in loader.CONSTRAINTS:
            driver.execute_query(constraint, database_=database)

        def measure(name, graph, run, note=""):
            empty_database(driver, database)
            elements = len(graph["nodes"]) + len(graph["edges"])
            load_average = os.getloadavg()[0]
            server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
            seconds = run(graph)
            server_cpu = cpu_seconds(server_pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
            stored = count_elements(driver, database)
            assert stored == elements, f"{name}: {stored} stored, {elements} expected"
            rows.append({"loader": name, "elements": elements, "seconds": round(seconds, 2),
                         "elements_per_s": round(elements / seconds),
                         "server_cpu_s": round(server_cpu, 1), "client_cpu_s": round(client_cpu, 1),
                         "load_average": round(load_average, 1), "note": note})
            print(f"  {name}: {elements:,} elements in {seconds:.1f} s", flush=True)

        print("loading ...", flush=True)
        if server_home is not None:  # a server started here has compiled nothing yet
            measure("kg load, cold server", big,
                    lambda g: timed_kg_load(driver, g, database, args.batch_size),
                    "first load after the server started: JIT compiling")
        # warm the server's JIT and query caches the same way for both loaders
        timed_kg_load(driver, small, database, args.batch_size)
        measure("naive, one query per row", small, lambda g: naive_load(driver, g, database),
                f"{args.naive_documents} documents; rate extrapolated to the big graph")
        measure("kg load", small, lambda g: timed_kg_load(driver, g, database, args.batch_size),
                f"same {args.naive_documents} documents")
        measure("kg load", big, lambda g: timed_kg_load(driver, g, database, args.batch_size),
                f"{args.documents} documents, batch {args.batch_size}; after a small load")
        measure("kg load, warm server", big,
                lambda g: timed_kg_load(driver, g, database, args.batch_size),
                "the same, emptied and loaded again")
        started = time.monotonic()
        server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
        again = loader.load_graph(driver, big, database, batch_size=args.batch_size,
                                  progress=False)
        assert again.nodes_created == again.relationships_created == 0
        seconds = time.monotonic() - started
        rows.append({"loader": "kg load, again (no change)", "elements": again.elements,
                     "seconds": round(seconds, 2),
                     "elements_per_s": round(again.elements / seconds),
                     "server_cpu_s": round(cpu_seconds(server_pid) - server_cpu, 1),
                     "client_cpu_s": round(time.process_time() - client_cpu, 1),
                     "load_average": round(os.getloadavg()[0], 1),
                     "note": "idempotent reload: 0 created"})
        driver.close()
    finally:
        if server_home is not None:
            kg("neo4j", "stop", "--home", server_home, env={**os.environ})
            shutil.rmtree(server_home, ignore_errors=True)

    naive_rate = next(row for row in rows if row["loader"].startswith("naive"))["elements_per_s"]
    warm = next(row for row in rows if row["loader"] == "kg load, warm server")
    big_elements = len(big["nodes"]) + len(big["edges"])
    print()
    print(f"Neo4j load throughput ({os.cpu_count()} CPUs; load avg = the machine's load "
          f"average when the step started; CPU s = CPU time used by the Neo4j server / by "
          f"this Python process)")
    print(f"| {'loader':28} | {'elements':>9} | {'seconds':>8} | {'elements/s':>10} "
          f"| {'server CPU s':>12} | {'client CPU s':>12} | {'load avg':>8} | note")
    print(f"|{'-' * 30}|{'-' * 10}:|{'-' * 9}:|{'-' * 11}:|{'-' * 13}:|{'-' * 13}:"
          f"|{'-' * 9}:|------")
    for row in rows:
        print(f"| {row['loader']:28} | {row['elements']:>9,} | {row['seconds']:>8.1f} | "
              f"{row['elements_per_s']:>10,} | {row['server_cpu_s']:>12} | "
              f"{row['client_cpu_s']:>12} | {row['load_average']:>8} | {row['note']}")
    print(f"\nnaive loader on the big graph, extrapolated: {big_elements / naive_rate / 60:.0f} min "
          f"({naive_rate:,} elements/s); warm, kg load is "
          f"{warm['elements_per_s'] / naive_rate:.0f}x faster")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
