"""notebooks/explore.ipynb runs clean from top to bottom (real kernel, real build)
and is committed without outputs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

kg_build = pytest.importorskip("kg.build", reason="kg build not written yet")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore.ipynb"


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def run_notebook(env_overrides: dict[str, str | None]):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    saved = {k: os.environ.get(k) for k in env_overrides}
    try:
        for key, value in env_overrides.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        client = nbclient.NotebookClient(
            nb, timeout=900, kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
        client.execute()  # raises CellExecutionError on the first failing cell
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return nb


def outputs_text(cell) -> str:
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
            parts.append(output.data.get("text/html", ""))
    return "\n".join(parts)


def test_notebook_runs_clean_on_the_sample():
    """Builds seeds/ with `kg build` inside the notebook and draws everything."""
    nb = run_notebook({"KG_NOTEBOOK_GRAPH": None, "NEO4J_URI": None,
                       "OMP_NUM_THREADS": "1", "MPLBACKEND": None})
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    warnings = [o.text for o in outputs
                if o.output_type == "stream" and o.name == "stderr" and "Glyph" in o.text]
    assert not warnings, "missing Chinese glyphs in a picture"
    images = [o for o in outputs if "data" in o and "image/png" in o.data]
    assert len(images) >= 2, "network and neighbourhood pictures expected"
    text = "\n".join(outputs_text(cell) for cell in nb.cells if cell.cell_type == "code")
    assert 'class="entity"' in text, "displaCy highlighted no entity in any article"
    assert "NEO4J_URI is not set" in text


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def neo4j_uri(tmp_path_factory):
    """A real Neo4j (the project's own `kg neo4j serve`) in a temporary home."""
    import subprocess
    import sys

    home = tmp_path_factory.mktemp("neo4j-home")
    bolt = free_port()
    env = {**os.environ, "NEO4J_PASSWORD": "notebook-test-pw"}
    command = [sys.executable, "-m", "kg.cli", "neo4j"]
    started = subprocess.run(
        command + ["serve", "--home", str(home), "--bolt-port", str(bolt), "--http-port", "0",
                   "--heap", "512m", "--pagecache", "64m"],
        env=env, capture_output=True, text=True, timeout=900)
    assert started.returncode == 0, started.stderr[-2000:]
    try:
        yield f"bolt://127.0.0.1:{bolt}"
    finally:
        subprocess.run(command + ["stop", "--home", str(home)], env=env,
                       capture_output=True, timeout=120)


def test_notebook_asks_the_same_questions_in_cypher(neo4j_uri):
    nb = run_notebook({"KG_NOTEBOOK_GRAPH": None, "NEO4J_URI": neo4j_uri,
                       "NEO4J_PASSWORD": "notebook-test-pw", "NEO4J_USER": "neo4j",
                       "NEO4J_DATABASE": "neo4j", "OMP_NUM_THREADS": "1", "MPLBACKEND": None})
    cypher_cell = next(cell for cell in nb.cells
                       if cell.cell_type == "code" and "CYPHER = {" in cell.source)
    text = outputs_text(cypher_cell)
    assert "NEO4J_URI is not set" not in text
    tables = [o for o in cypher_cell.outputs if "data" in o and "text/html" in o.data]
    assert len(tables) == 4, text[-2000:]
    # the Cypher answers agree with the tables built from the files
    entities_cell = next(cell for cell in nb.cells
                         if cell.cell_type == "code" and "entities.csv" in cell.source)
    label_counts = r"\b(PERSON|PLACE|AGENCY|ORG|PROGRAM)\s+(\d+)\b"
    from_csv = dict(re.findall(label_counts, outputs_text(entities_cell)))
    from_cypher = dict(re.findall(label_counts, tables[0].data["text/plain"]))
    assert from_csv and from_cypher == from_csv
