"""kg/nlp/crf_features.py gives exactly pkuseg's scores and words, only faster."""
from __future__ import annotations

import re
from pathlib import Path

import numpy
import pytest
from spacy_pkuseg import inference
from spacy_pkuseg.config import config

from kg.nlp import crf_features
from kg.nlp.crf_features import TextScores, cut_texts, transition_scores
from kg.nlp.segmenter import DEFAULT_MODEL_DIR, load_pkuseg, read_model_files

REPO = Path(__file__).resolve().parent.parent
EDGE_CASES = ["", "好", "中国", "2024年3月5日", "ＧＤＰ增长5.2％", "a-b.c_d,e|f/g*h:i",
              "**Num**Letter**noWord", "..a.b..", "１２３４５６７８９０亿元",
              "《条例》“十四五”规划"]


@pytest.fixture(scope="module")
def pkuseg():
    return load_pkuseg(read_model_files(DEFAULT_MODEL_DIR))


@pytest.fixture(scope="module")
def scores(pkuseg):
    return TextScores(pkuseg.feature_extractor, pkuseg.model, config.wordMin, config.wordMax)


def real_texts() -> list[str]:
    """Runs of non-space text from the sample page and the test articles."""
    files = sorted((REPO / "seeds").glob("*.txt")) + sorted((REPO / "tests/data/news").glob("*"))
    text = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in files)
    return re.findall(r"\S+", text)


def test_scores_equal_pkuseg_scores(pkuseg, scores):
    extractor, model = pkuseg.feature_extractor, pkuseg.model
    for text in [t for t in EDGE_CASES if t] + real_texts()[:200]:
        nodes = list(extractor.normalize_text(text))
        features = [extractor.get_node_features_idx(i, nodes) for i in range(len(nodes))]
        expected, transitions = inference.getLogYY(features, model.n_tag,
                                                   model.n_feature * model.n_tag, model.w, 1.0)
        assert numpy.allclose(scores(text), expected, rtol=0, atol=1e-9), text
        assert numpy.array_equal(transition_scores(model), transitions)


def test_words_equal_pkuseg_words(pkuseg, scores):
    texts = EDGE_CASES + real_texts()
    assert len(texts) > 300
    assert cut_texts(pkuseg, scores, texts) == [pkuseg.cut(text) for text in texts]


@pytest.mark.parametrize("chunk_chars", [50, 20_000])
def test_texts_scored_together_are_cut_as_alone(pkuseg, scores, chunk_chars, monkeypatch):
    monkeypatch.setattr(crf_features, "CHUNK_CHARS", chunk_chars)
    texts = real_texts()[:100] + ["", "好"]
    together = cut_texts(pkuseg, scores, texts)
    assert together == [cut_texts(pkuseg, scores, [text])[0] for text in texts]
    assert [''.join(words) for words in together] == texts
