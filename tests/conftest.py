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
