"""`kg build --engine ray` on a real local Ray of 2 CPUs: the same graph and the same
reports of bad input as the local engine; an interrupted build leaves OUTDIR as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kg.build import EngineError, build
from news_corpus import write_many_rows, write_mixed

ray = pytest.importorskip("ray")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ray_session():
    """One local Ray for the module (the engine joins it rather than starting its own)."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def both(tmp_path_factory, ray_session, nlp):
    """The mixed input built by each engine: (local outdir, local report, ray outdir, ray report)."""
    from kg.engines.ray import RayEngine

    base = tmp_path_factory.mktemp("engines")
    inputs = write_mixed(base / "in")
    local = build(inputs, base / "local", progress=False)
    remote = build(inputs, base / "ray", engine=RayEngine(workers=2, pages_per_batch=2))
    return base / "local", local, base / "ray", remote


def test_ray_and_local_give_the_same_graph(both):
    local_dir, local, ray_dir, remote = both
    assert local["documents"] == remote["documents"] == 4
    for name in ("graph.json", "graph.graphml", "graph.gexf", "entities.csv", "events.csv"):
        assert (ray_dir / name).read_bytes() == (local_dir / name).read_bytes(), name
    for shard in sorted((local_dir / "shards").iterdir()):
        assert pq.read_table(ray_dir / "shards" / shard.name).equals(pq.read_table(shard)), shard.name
    import_files = sorted(path.name for path in (local_dir / "neo4j-import").iterdir())
    assert "manifest.json" in import_files
    assert import_files == sorted(path.name for path in (ray_dir / "neo4j-import").iterdir())
    for name in import_files:
        assert (ray_dir / "neo4j-import" / name).read_bytes() == (local_dir / "neo4j-import" / name).read_bytes(), name
    assert remote["counts"] == local["counts"]


def test_ray_reports_bad_input_as_local(both):
    _, local, _, remote = both
    assert remote["skipped"] == local["skipped"]
    reasons = " ".join(item["source"] + " " + item["reason"] for item in remote["skipped"])
    assert "c_rows.jsonl:2" in reasons and "c_rows.jsonl:3" in reasons
    assert "d_broken.csv" in reasons and "missing.txt" in reasons
    assert remote["files_read"] == local["files_read"] == 3


def test_failing_workers_leave_the_previous_output(both, tmp_path):
    """Actors that cannot load their pipeline: an EngineError, and OUTDIR keeps the last build."""
    from kg.engines.ray import RayEngine

    local_dir, _, _, _ = both
    inputs = write_mixed(tmp_path / "in")
    outdir = tmp_path / "out"
    build(inputs, outdir, progress=False)
    before = {p.name: p.read_bytes() for p in outdir.iterdir() if p.is_file()}
    with pytest.raises((EngineError, OSError)):
        build(inputs, outdir, model=str(tmp_path / "no-such-model"), engine=RayEngine(workers=1))
    assert {p.name: p.read_bytes() for p in outdir.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]  # no staging folder, no lock


def test_sigterm_mid_build_leaves_the_previous_output(both, tmp_path):
    """`kg build --engine ray` killed (SIGTERM) while results come in: OUTDIR as it was."""
    local_dir, _, _, _ = both
    inputs = write_mixed(tmp_path / "in")
    outdir = tmp_path / "out"
    build(inputs, outdir, progress=False)
    before = {p.name: p.read_bytes() for p in outdir.iterdir() if p.is_file()}
    many = write_many_rows(tmp_path / "many.jsonl", 400)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(many), "-o", str(outdir),
                                "--engine", "ray", "--workers", "1"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list(tmp_path.glob(".out.building-*")):  # results have started to come in
        assert process.poll() is None, process.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "no result within 300 s"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode != 0, stderr[-2000:]
    assert {p.name: p.read_bytes() for p in outdir.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "many.jsonl", "out"]


def test_one_archive_is_read_in_blocks_the_actors_share(tmp_path):
    # One large archive must not become one block (one actor would tag it all): the read
    # task yields blocks of `pages_per_block` pages, in order, then the closing row.
    import pickle

    import pyarrow as pa

    from kg.engines.ray import read_file

    archive = write_many_rows(tmp_path / "rows.jsonl", 25)
    batch = pa.table({"index": [7], "path": [str(archive)]})
    blocks = list(read_file(batch, None, None, pages_per_block=10))
    assert [block.num_rows for block in blocks] == [10, 10, 6]
    pages = [pickle.loads(page) for block in blocks for page in block.column("page").to_pylist() if page]
    assert [article.external_id for page in pages for article in page] == [f"n-{i}" for i in range(25)]
    assert {file for block in blocks for file in block.column("file").to_pylist()} == {7}


def test_a_build_joins_a_running_cluster_by_address(tmp_path, nlp):
    # A real cluster of one machine, started the way a user starts one (`ray start
    # --head`, its own processes); `kg build --address HOST:PORT` joins it as a driver.
    # --block keeps the head in the foreground, so ending it stops only this cluster.
    from conftest import free_port

    port = free_port()
    head = subprocess.Popen([str(Path(sys.executable).parent / "ray"), "start", "--head", "--block",
                             f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
                             "--disable-usage-stats"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        inputs = write_mixed(tmp_path / "in")
        build(inputs, tmp_path / "local", progress=False)
        # Ray >= 2.59 starts clusters with token authentication: a driver joining by
        # address says so (the token is in ~/.ray/auth_token on the head's machine)
        env = {**os.environ, "RAY_AUTH_MODE": "token"}
        for _ in range(10):  # the head answers within seconds
            joined = subprocess.run([sys.executable, "-m", "kg.cli", "build", *inputs, "-o", str(tmp_path / "ray"),
                                     "--engine", "ray", "--address", f"127.0.0.1:{port}"],
                                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
            if joined.returncode == 0 or "cannot start or join Ray" not in joined.stderr:
                break
            time.sleep(3)
        assert joined.returncode == 0, joined.stderr[-2000:]
        # the user sees kg's report, not Ray Data's warnings about its own settings
        noise = [line for line in joined.stderr.splitlines() if "WARNING" in line or "Warning" in line]
        assert not noise, noise
        for name in ("graph.json", "entities.csv", "events.csv"):
            assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    finally:
        head.terminate()
        head.wait(timeout=60)
        current = Path("/tmp/ray/ray_current_cluster")  # what `ray stop` would remove
        if current.exists() and current.read_text().strip().endswith(f":{port}"):
            current.unlink()
