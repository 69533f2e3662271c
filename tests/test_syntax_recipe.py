"""The syntax recipe end to end on tiny written data: corpus -> train -> evaluate -> package.

Real scripts, the real configs, real (short) spaCy training runs; the sentences are
written here in the two corpus formats (People's Daily word/tag, CSDP CoNLL).
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import spacy

REPO = Path(__file__).resolve().parents[1]
RECIPE = REPO / "pipelines" / "syntax"

AGENCIES = ["江州市/ns 水利局/n", "青禾县/ns 教育局/n", "南湖区/ns 民政局/n"]
ACTS = [("召开/v", "会议/n"), ("开展/v", "检查/vn"), ("发布/v", "通知/n")]


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"syntax_recipe_{name}", RECIPE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def write_peoples_daily(path: Path) -> None:
    lines = []
    for i in range(40):
        agency = AGENCIES[i % 3]
        verb, noun = ACTS[(i // 3) % 3]
        lines.append(f"１２月/t  {i % 28 + 1}日/t  ，/w  {agency}  {verb}  {noun}  。/w  "
                     f"[{agency}]nt  {verb}  工作/vn  {noun}  。/w")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_csdp(folder: Path) -> None:
    """Agent - verb - patient sentences, with a second head on one word (a CSDP graph)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, count in (("news.valid", 20), ("news.test", 8), ("text.valid", 12), ("text.test", 12)):
        sentences = []
        for i in range(count):
            agency = AGENCIES[i % 3].replace("/ns", "").replace("/n", "").split()
            verb, noun = (w.split("/")[0] for w in ACTS[i % 3])
            rows = [(agency[0], "NR", 2, "Poss"), (agency[1], "NN", 3, "Agt"),
                    (verb, "VV", 0, "Root"), ("工作", "NN", 5, "Desc"), (noun, "NN", 3, "Pat"),
                    ("。", "PU", 3, "mPunc")]
            lines = [f"{k}\t{w}\t{w}\t{t}\t{t}\t_\t{h}\t{lab}\t_\t_" for k, (w, t, h, lab) in enumerate(rows, 1)]
            lines.insert(2, f"2\t{agency[1]}\t{agency[1]}\tNN\tNN\t_\t5\tAgt\t_\t_")  # second head
            sentences.append("\n".join(lines))
        (folder / f"{name}.conll").write_text("\n\n".join(sentences) + "\n\n", encoding="utf-8")


def test_csdp_keeps_the_first_head(tmp_path):
    corpus = load("corpus")
    write_csdp(tmp_path / "csdp")
    sentence = corpus.read_csdp(tmp_path / "csdp" / "news.test.conll")[0]
    assert [(w, h, lab) for w, _, h, lab in sentence][:3] == [("江州市", 1, "Poss"), ("水利局", 2, "Agt"),
                                                            ("召开", -1, "Root")]


def test_a_broken_corpus_line_names_the_file(tmp_path):
    corpus = load("corpus")
    bad = tmp_path / "bad.conll"
    bad.write_text("1\t水利局\tNN\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.conll:1"):
        corpus.read_csdp(bad)


def test_recipe_corpus_train_evaluate_package(tmp_path):
    assets, corpora, data, out = tmp_path / "assets", tmp_path / "corpora", tmp_path / "corpus", tmp_path / "training"
    write_peoples_daily(assets / "199801.txt")
    write_csdp(corpora / "csdp")
    corpus, train, evaluate, package = (load(n) for n in ("corpus", "train", "evaluate", "package"))
    assert corpus.main(["--task", "tagger", "--assets", str(assets), "--out", str(data)]) == 0
    assert corpus.main(["--task", "parser", "--corpora", str(corpora), "--out", str(data)]) == 0
    for task in ("tagger", "parser"):
        assert train.main(["--config", str(RECIPE / "configs" / f"{task}.cfg"), "--data", str(data / task),
                           "--out", str(out / task), "--max-steps", "60", "--eval-frequency", "30"]) == 0
        assert (out / task / "model-best" / "config.cfg").is_file()
        curve = [json.loads(line) for line in (out / task / "dev_curve.jsonl").read_text().splitlines()]
        assert curve[-1]["step"] >= 30
    # half the training sentences are in half-width ASCII, as kg.ingest writes them
    train_docs = list(spacy.tokens.DocBin().from_disk(data / "tagger" / "train.spacy")
                      .get_docs(spacy.blank("zh").vocab))
    assert any("12月" in d.text for d in train_docs) and any("１２月" in d.text for d in train_docs)

    metrics_file = tmp_path / "tagger_metrics.json"
    assert evaluate.main(["--task", "tagger", "--model", str(out / "tagger" / "model-best"),
                          "--data", str(data / "tagger"), "--out", str(metrics_file), "--pipeline"]) == 0
    metrics = json.loads(metrics_file.read_text())
    assert metrics["gold_words"]["tag_acc"] > 0.5  # the 9-tag toy language is learnable in 60 steps
    assert 0 < metrics["pipeline_words"]["words"]["f"] <= 1
    parser_file = tmp_path / "parser_metrics.json"
    assert evaluate.main(["--task", "parser", "--model", str(out / "parser" / "model-best"),
                          "--data", str(data / "parser"), "--out", str(parser_file)]) == 0
    assert 0 <= json.loads(parser_file.read_text())["gold_words"]["uas"] <= 1

    # the packaged parser reads the tagger's frozen tok2vec (one encoder at run time)
    assert train.main(["--config", str(RECIPE / "configs" / "parser_shared.cfg"), "--data", str(data / "parser"),
                       "--out", str(out / "shared"), "--tagger", str(out / "tagger" / "model-best"),
                       "--max-steps", "30", "--eval-frequency", "30"]) == 0
    shared = tmp_path / "models" / "shared"
    assert package.main(["--model", str(out / "shared" / "model-best"), "--dest", str(shared)]) == 0
    assert spacy.load(shared).pipe_names == ["parser"] and spacy.load(shared).meta["kg_encoder"] == "tagger"
    shared_file = tmp_path / "shared_metrics.json"
    assert evaluate.main(["--task", "parser", "--model", str(shared), "--tagger", str(out / "tagger" / "model-best"),
                          "--data", str(data / "parser"), "--out", str(shared_file)]) == 0
    assert 0 <= json.loads(shared_file.read_text())["gold_words"]["uas"] <= 1

    dest = tmp_path / "models" / "parser"
    assert package.main(["--model", str(out / "parser" / "model-best"), "--dest", str(dest)]) == 0
    parser = spacy.load(dest)
    labels = set(json.loads((dest / "vocab" / "strings.json").read_text()))
    assert {"Agt", "Pat"} <= labels | {"dep"} and "ROOT" in labels
    doc = parser(spacy.tokens.Doc(parser.vocab, words=["江州市", "水利局", "召开", "工作", "会议", "。"]))
    assert sum(t.head.i == t.i for t in doc) >= 1
