"""Property-based hardening (Hypothesis): arbitrary text, bytes and file names through
ingest, the pipeline and every writer.

What must hold for any input: no crash; one report line per bad file; every output
parses with the readers other programs use (json, networkx GraphML and GEXF, csv);
no CSV cell starts with a formula character.
"""

from __future__ import annotations

import csv
import json
import os
import string
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build import build
from kg.ingest import InputError, read_text_file, split_articles

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Pieces of the genre, so that some examples get far into the pipeline (entities, events,
# programmes whose names carry hostile characters), mixed with anything at all.
GENRE = [
    "本报讯（记者 王某某）", "8月3日，", "某某市人民政府办公室印发《", "管理办法》。", "市生态环境局", "开展",
    "“", "”专项行动", "召开", "推进会", "，", "。", "\n", "\n\n", "记者 李某 摄", "县委书记张某某", "出席会议",
    "=HYPERLINK(\"http://x.example\",\"点\")", "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)", "$x^$",
    "\ufffe", "\uffff", "\x01", "\x0b", "\u2028", "\x85", "\r", "<b>&amp;</b>", "]]>",
]
texts = st.lists(st.one_of(st.sampled_from(GENRE), st.text(max_size=20)), max_size=40).map("".join)
raw_bytes = st.one_of(
    texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    texts.map(lambda t: t.encode("gb18030", "replace")),
    st.binary(max_size=300),
)
NAME_CHARS = string.ascii_letters + string.digits + "新闻稿市局 _-$=+@"
file_names = st.one_of(
    st.text(NAME_CHARS, min_size=1, max_size=12).map(lambda n: os.fsencode(n + ".txt")),
    st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_") + b".txt"),
    st.text(min_size=1, max_size=8).map(lambda n: os.fsencode(n.replace("/", "_").replace("\x00", "_")) + b".txt"),
)
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=raw_bytes)
def test_ingest_never_crashes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("ingest") / "page.txt"
    path.write_bytes(data)
    try:
        articles = split_articles(read_text_file(path), str(path))
    except InputError as exc:
        assert str(path) in str(exc) and exc.reason
        return
    for article in articles:
        assert article.text and article.source == str(path)


def _assert_outputs_parse(outdir: Path, report: dict) -> None:
    graph = json.loads((outdir / "graph.json").read_text(encoding="utf-8"))
    assert {"nodes", "edges"} <= set(graph)
    for name in ("graph.graphml", "graph.gexf"):
        ET.parse(outdir / name)
    graphml = nx.read_graphml(outdir / "graph.graphml")
    gexf = nx.read_gexf(outdir / "graph.gexf")
    assert graphml.number_of_nodes() == gexf.number_of_nodes() == len(graph["nodes"])
    for name in ("entities.csv", "events.csv"):
        with open(outdir / name, encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(FORMULA_START), (name, cell)
    assert json.loads((outdir / "report.json").read_text(encoding="utf-8"))["documents"] == report["documents"]


@pytest.mark.usefixtures("nlp")  # the packaged pipeline, loaded once for all examples
@SETTINGS
@given(files=st.lists(st.tuples(file_names, raw_bytes), min_size=1, max_size=4, unique_by=lambda f: f[0]))
def test_build_of_arbitrary_files(tmp_path_factory, files):
    base = tmp_path_factory.mktemp("build")
    folder = base / "news"
    folder.mkdir()
    good = (Path(__file__).parent / "data" / "news" / "suzhou.txt").read_bytes()
    (folder / "good.txt").write_bytes(good)
    for name, data in files:
        if name != b"good.txt":
            with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
                handle.write(data)
    outdir = base / "out"
    report = build([str(folder)], outdir, progress=False)
    assert report["documents"] >= 1  # the good file always gets through
    sources = [item["source"] for item in report["skipped"]]
    assert len(sources) == len(set(sources))  # one line per bad file
    for item in report["skipped"]:
        assert item["reason"] and "\n" not in item["reason"]
    _assert_outputs_parse(outdir, report)
