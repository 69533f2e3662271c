"""kg/nlp/crf_features.py gives exactly pkuseg's scores and words, only faster."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy
import pytest
from spacy_pkuseg import inference
from spacy_pkuseg.config import config

from kg.nlp import crf_features
from kg.nlp.crf_features import TextScores, cut_texts, transition_scores
from kg.nlp.segmenter import (DEFAULT_MODEL_DIR, TABLES_FILE, build_scores, load_pkuseg,
                               read_model_files, write_crf_tables)

REPO = Path(__file__).resolve().parent.parent
EDGE_CASES = ["", "好", "中国", "2024年3月5日", "ＧＤＰ增长5.2％", "a-b.c_d,e|f/g*h:i",
              "**Num**Letter**noWord", "..a.b..", "１２３４５６７８９０亿元",
              "《条例》“十四五”规划"]


@pytest.fixture(scope="module")
def pkuseg():
    return load_pkuseg(read_model_files(DEFAULT_MODEL_DIR))


@pytest.fixture(scope="module")
def scores(pkuseg):
    return TextScores(pkuseg.feature_extractor, pkuseg.model, config.wordMin, config.wordMax,
                      pkuseg.idx_to_tag)


@pytest.fixture(scope="module")
def packaged_scores():
    """The scorer as `kg ner` builds it: from the tables packaged beside the model."""
    files = read_model_files(DEFAULT_MODEL_DIR)
    assert TABLES_FILE in files, "kg/models/pkuseg lacks its precomputed tables"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tables of another model would warn and be rebuilt
        return build_scores(files)


def real_texts() -> list[str]:
    """Runs of non-space text from the sample page and the test articles."""
    files = sorted((REPO / "seeds").glob("*.txt")) + sorted((REPO / "tests/data/news").glob("*"))
    text = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in files)
    return re.findall(r"\S+", text)


@pytest.mark.parametrize("built", ["from_pkuseg", "from_tables"])
def test_scores_equal_pkuseg_scores(pkuseg, scores, packaged_scores, built):
    scorer = scores if built == "from_pkuseg" else packaged_scores
    extractor, model = pkuseg.feature_extractor, pkuseg.model
    for text in [t for t in EDGE_CASES if t] + real_texts()[:200]:
        nodes = list(extractor.normalize_text(text))
        features = [extractor.get_node_features_idx(i, nodes) for i in range(len(nodes))]
        expected, transitions = inference.getLogYY(features, model.n_tag,
                                                   model.n_feature * model.n_tag, model.w, 1.0)
        assert numpy.allclose(scorer(text), expected, rtol=0, atol=1e-9), text
        assert numpy.array_equal(transition_scores(model), transitions)
        assert numpy.array_equal(scorer.transitions, transitions)


@pytest.mark.parametrize("built", ["from_pkuseg", "from_tables"])
def test_words_equal_pkuseg_words(pkuseg, scores, packaged_scores, built):
    scorer = scores if built == "from_pkuseg" else packaged_scores
    texts = EDGE_CASES + real_texts()
    assert len(texts) > 300
    assert cut_texts(scorer, texts) == [pkuseg.cut(text) for text in texts]


def test_tables_are_rebuilt_the_same_and_belong_to_their_model(tmp_path, pkuseg, scores):
    """write_crf_tables reproduces the packaged file's tables; tables made from another
    model are not used (a warning, and the scorer is built from pkuseg instead)."""
    for name in ("features.msgpack", "weights.npz"):
        (tmp_path / name).write_bytes((DEFAULT_MODEL_DIR / name).read_bytes())
    write_crf_tables(tmp_path)
    with numpy.load(tmp_path / TABLES_FILE) as fresh, \
            numpy.load(DEFAULT_MODEL_DIR / TABLES_FILE) as packaged:
        assert sorted(fresh.files) == sorted(packaged.files)
        for name in fresh.files:
            assert numpy.array_equal(fresh[name], packaged[name]), name
    files = read_model_files(tmp_path)
    with numpy.load(tmp_path / "weights.npz") as npz:
        weights = {name: npz[name] for name in npz.files}
    weights["w"] = weights["w"].copy()
    weights["w"][:pkuseg.model.n_tag] += 1.0  # another model: the start feature weighs more
    (tmp_path / "weights.npz").unlink()
    numpy.savez_compressed(tmp_path / "weights.npz", **weights)
    other = read_model_files(tmp_path)
    assert other[TABLES_FILE] == files[TABLES_FILE]
    with pytest.warns(UserWarning, match=TABLES_FILE):
        rebuilt = build_scores(other)
    text = real_texts()[0]
    assert numpy.allclose(rebuilt(text), scores(text) + 1.0, rtol=0, atol=1e-9)


@pytest.mark.parametrize("chunk_chars", [50, 20_000])
def test_texts_scored_together_are_cut_as_alone(pkuseg, scores, chunk_chars, monkeypatch):
    monkeypatch.setattr(crf_features, "CHUNK_CHARS", chunk_chars)
    texts = real_texts()[:100] + ["", "好"]
    together = cut_texts(scores, texts)
    assert together == [cut_texts(scores, [text])[0] for text in texts]
    assert [''.join(words) for words in together] == texts
