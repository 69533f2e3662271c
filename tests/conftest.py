"""Shared fixtures: the packaged pipeline and one build of the sample page per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
NEWS = Path(__file__).resolve().parent / "data" / "news"


@pytest.fixture(scope="session")
def nlp():
    from kg.nlp.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def gazetteer(nlp):
    return nlp.get_pipe("kg_places").gazetteer


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory, nlp):
    """(graph, report, outdir) of `kg build seeds/`."""
    from kg.build import build
    from kg.readwrite.json_graph import read_json

    outdir = tmp_path_factory.mktemp("seed") / "out"
    report = build([str(SEEDS)], outdir)
    return read_json(outdir / "graph.json"), report, outdir


# --------------------------------------------------------------------------- Neo4j
# One real Neo4j per test session. With NEO4J_URI set (and NEO4J_PASSWORD, optionally
# NEO4J_USER / NEO4J_DATABASE) the tests use that server and empty its database -- only
# if it is empty to begin with, or KG_ALLOW_EMPTYING_NEO4J=1 says the data may go.
# Otherwise they start the project's own server with `kg neo4j serve` (built by Maven on
# first use) in a fresh home under .work/, on free ports, and stop it at the end.


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_kg(*args, env: dict | None = None, timeout: float = 900):
    """`python -m kg.cli ARGS` as a user would run it; returns the CompletedProcess."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "kg.cli", *map(str, args)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=timeout)


class Neo4jServer:
    """Where the tests' Neo4j answers; `home` is set when the tests run it themselves."""

    def __init__(self, uri: str, password: str, user: str = "neo4j", database: str = "neo4j",
                 home: Path | None = None, http_port: int = 0):
        self.uri, self.password, self.user, self.database = uri, password, user, database
        self.home, self.http_port = home, http_port

    @property
    def env(self) -> dict:
        return {**os.environ, "NEO4J_PASSWORD": self.password, "OMP_NUM_THREADS": "1"}

    def driver(self):
        from neo4j import GraphDatabase

        return GraphDatabase.driver(self.uri, auth=(self.user, self.password))

    def serve(self) -> None:
        port = self.uri.rsplit(":", 1)[1]
        started = run_kg("neo4j", "serve", "--home", self.home, "--bolt-port", port,
                         "--http-port", self.http_port, "--heap", "1g", "--pagecache", "256m",
                         "--stop-with", os.getpid(), env=self.env)
        if started.returncode != 0:
            pytest.fail(f"kg neo4j serve failed:\n{started.stdout}\n{started.stderr[-3000:]}")

    def stop(self) -> None:
        stopped = run_kg("neo4j", "stop", "--home", self.home, env=self.env, timeout=180)
        assert stopped.returncode == 0, stopped.stderr

    @classmethod
    def start_local(cls, name: str) -> "Neo4jServer":
        import secrets
        import shutil

        home = ROOT / ".work" / "neo4j-tests" / f"{name}-{os.getpid()}"
        shutil.rmtree(home, ignore_errors=True)
        server = cls(f"bolt://127.0.0.1:{free_port()}", f"kg-tests-{secrets.token_hex(4)}",
                     home=home, http_port=free_port())
        server.serve()
        return server

    def remove(self) -> None:
        import shutil

        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


@pytest.fixture(scope="session")
def neo4j_server():
    """The session's Neo4j: $NEO4J_URI, or the project's own server started here."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        server = Neo4jServer(uri, os.environ.get("NEO4J_PASSWORD", ""),
                             os.environ.get("NEO4J_USER", "neo4j"),
                             os.environ.get("NEO4J_DATABASE", "neo4j"))
        with server.driver() as driver:
            records = driver.execute_query("MATCH (n) RETURN count(n) AS nodes",
                                           database_=server.database).records
        if records[0]["nodes"] and os.environ.get("KG_ALLOW_EMPTYING_NEO4J") != "1":
            pytest.fail(f"NEO4J_URI={uri}: database {server.database!r} holds "
                        f"{records[0]['nodes']} nodes and the tests empty it; set "
                        f"KG_ALLOW_EMPTYING_NEO4J=1 if that data may go, or unset NEO4J_URI "
                        f"to let the tests run their own server", pytrace=False)
        yield server
        return
    server = Neo4jServer.start_local("session")
    yield server
    server.remove()


@pytest.fixture(scope="session")
def local_neo4j_server(neo4j_server):
    """A server the tests may stop and restart: the session's own, else a private one."""
    if neo4j_server.home is not None:
        yield neo4j_server
        return
    server = Neo4jServer.start_local("private")
    yield server
    server.remove()


def empty_database(server: Neo4jServer) -> None:
    with server.driver() as driver, driver.session(database=server.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
                    ).consume()


@pytest.fixture
def empty_neo4j(neo4j_server):
    """The session's server with its database emptied before the test."""
    empty_database(neo4j_server)
    return neo4j_server
