"""kg/nlp/crf_features.py gives exactly pkuseg's features and words, only faster."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from spacy_pkuseg.config import config

from kg.nlp.crf_features import TextFeatures, fast_cut
from kg.nlp.segmenter import DEFAULT_MODEL_DIR, load_pkuseg, read_model_files

REPO = Path(__file__).resolve().parent.parent
EDGE_CASES = ["", "好", "中国", "2024年3月5日", "ＧＤＰ增长5.2％", "a-b.c_d,e|f/g*h:i",
              "**Num**Letter**noWord", "１２３４５６７８９０亿元", "《条例》“十四五”规划"]


@pytest.fixture(scope="module")
def pkuseg():
    return load_pkuseg(read_model_files(DEFAULT_MODEL_DIR))


@pytest.fixture(scope="module")
def features(pkuseg):
    return TextFeatures(pkuseg.feature_extractor, config.wordMin, config.wordMax)


def real_texts() -> list[str]:
    """Runs of non-space text from the sample page and the test articles."""
    files = sorted((REPO / "seeds").glob("*.txt")) + sorted((REPO / "tests/data/news").glob("*"))
    text = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in files)
    return re.findall(r"\S+", text)


def test_features_equal_pkuseg_features(pkuseg, features):
    extractor = pkuseg.feature_extractor
    for text in EDGE_CASES + real_texts()[:200]:
        nodes = list(extractor.normalize_text(text))
        expected = [extractor.get_node_features_idx(i, nodes) for i in range(len(nodes))]
        assert features(text) == expected, text


def test_words_equal_pkuseg_words(pkuseg, features):
    texts = EDGE_CASES + real_texts()
    assert len(texts) > 300
    for text in texts:
        assert fast_cut(pkuseg, features, text) == pkuseg.cut(text), text
