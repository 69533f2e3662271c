"""The folded embedding (kg/nlp/folded_embed.py): the same vectors and entities as the
trained model's own layers, and a saved pipeline unchanged."""

import numpy
import pytest
import spacy

from kg.nlp.folded_embed import fold_tok2vec
from kg.nlp.pipeline import NER_DIR, load_ner

TEXTS = [
    "市生态环境局联合市公安局开展专项执法行动，查处违法企业12家。",
    "副市长王志远出席会议并讲话，要求各县区抓好秋粮收购。",
    "",
    "Ａ股市场今天小幅上涨，深圳证券交易所发布公告。",
    "他说：“我们要把乡村振兴的各项任务落到实处。”",
]


@pytest.fixture(scope="module")
def models():
    return load_ner(NER_DIR), spacy.load(NER_DIR)


def test_folded_vectors_equal_the_layers_they_fold(models):
    folded, plain = models
    for nlp in (folded, plain):
        if "kg_words" not in nlp.pipe_names:
            nlp.add_pipe("kg_words", first=True).initialize(nlp=nlp)
    upstream = [n for n in plain.pipe_names if n not in ("tok2vec", "kg_char_ner")]
    docs = list(plain.pipe(TEXTS, disable=[n for n in plain.pipe_names if n not in upstream]))
    got = folded.get_pipe("tok2vec").predict(docs)
    expected = plain.get_pipe("tok2vec").predict(docs)
    assert [len(v) for v in got] == [len(doc) for doc in docs]
    for a, b in zip(got, expected):
        assert numpy.allclose(a, b, atol=1e-4)
    assert [[(e.text, e.label_) for e in doc.ents] for doc in folded.pipe(TEXTS)] == \
        [[(e.text, e.label_) for e in doc.ents] for doc in plain.pipe(TEXTS)]


def test_a_model_of_another_shape_is_left_as_it_is():
    nlp = spacy.blank("zh")
    pipe = nlp.add_pipe("tok2vec")  # spaCy's default: no static vectors
    nlp.initialize()
    predict = pipe.predict
    assert fold_tok2vec(pipe) is False
    assert pipe.predict == predict


def test_a_folded_pipeline_saves_and_loads_its_trained_layers(models, tmp_path):
    folded, plain = models
    folded.to_disk(tmp_path / "ner")
    again = spacy.load(tmp_path / "ner")
    assert [[(e.text, e.label_) for e in doc.ents] for doc in again.pipe(TEXTS)] == \
        [[(e.text, e.label_) for e in doc.ents] for doc in plain.pipe(TEXTS)]
