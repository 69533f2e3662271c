"""kg_char_ner: BILUO tagging, constrained decoding, missing gold, save/load."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.tokens import Span
from spacy.training import Example

import kg.nlp.char_ner  # noqa: F401
import kg.nlp.features  # noqa: F401
from kg.nlp.char_ner import log_softmax, tags_to_spans, whole_latin_words

TRAIN = [
    ("刘洋在杭州工作。", [(0, 2, "PERSON"), (3, 5, "PLACE")]),
    ("陈静去成都开会。", [(0, 2, "PERSON"), (3, 5, "PLACE")]),
    ("财政部在武汉发布。", [(0, 3, "AGENCY"), (4, 6, "PLACE")]),
]


def make_nlp():
    nlp = spacy.blank("zh")
    nlp.add_pipe("kg_char_features")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("kg_char_ner", config={"model": {"tok2vec": {
        "@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}}})
    return nlp


def examples(nlp):
    result = []
    for text, spans in TRAIN:
        reference = nlp.make_doc(text)
        reference.ents = [reference.char_span(s, e, label=label) for s, e, label in spans]
        result.append(Example(nlp.make_doc(text), reference))
    return result


def test_tags_to_spans_tolerates_invalid_sequences():
    nlp = spacy.blank("zh")
    doc = nlp.make_doc("甲乙丙丁戊己")
    tags = ["B-PERSON", "L-PERSON", "I-PLACE", "O", "U-ORG", "B-ORG"]
    spans = [(s.start, s.end, s.label_) for s in tags_to_spans(doc, tags)]
    assert spans == [(0, 2, "PERSON"), (2, 3, "PLACE"), (4, 5, "ORG"), (5, 6, "ORG")]


def test_spans_cover_whole_latin_words():
    doc = spacy.blank("zh")("我和haroldwilliams在cctv5见面")
    spans = [Span(doc, 2, 5, "PERSON"), Span(doc, 17, 19, "ORG")]  # har|…, cc|tv5
    assert [(s.text, s.label_) for s in whole_latin_words(doc, spans)] == [
        ("haroldwilliams", "PERSON"), ("cctv5", "ORG")]
    chinese = [Span(doc, 0, 1, "PERSON")]
    assert whole_latin_words(doc, chinese) is chinese


def test_log_softmax_of_logits_and_probabilities():
    logits = numpy.array([[2.0, 0.0, -1.0]], dtype="float32")
    expected = logits - numpy.log(numpy.exp(logits).sum())
    assert numpy.allclose(log_softmax(logits), expected, atol=1e-5)
    probs = numpy.exp(expected)
    assert numpy.allclose(log_softmax(probs), expected, atol=1e-4)


def test_learns_and_decodes_valid_spans(tmp_path):
    nlp = make_nlp()
    egs = examples(nlp)
    optimizer = nlp.initialize(lambda: egs)
    ner = nlp.get_pipe("kg_char_ner")
    assert {"PERSON", "PLACE", "AGENCY"} == set(ner.entity_labels)
    for _ in range(40):
        nlp.update(egs, sgd=optimizer, drop=0.0)
    for text, spans in TRAIN:
        doc = nlp(text)
        assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == spans
    # Viterbi never produces an I-/L- without its B-: every argmax row decodes whole spans
    scores = ner.predict([nlp.make_doc("刘洋在杭州")])
    path = ner._viterbi(scores[0])
    labels = [ner.labels[i] for i in path]
    for prev, tag in zip(["O"] + labels, labels):
        if tag[0] in "IL":
            assert prev[0] in "BI" and prev[2:] == tag[2:]
    nlp.to_disk(tmp_path / "m")
    again = spacy.load(tmp_path / "m")
    assert [(e.text, e.label_) for e in again(TRAIN[0][0]).ents] == [("刘洋", "PERSON"), ("杭州", "PLACE")]


def test_min_confidence_drops_hesitant_spans():
    nlp = make_nlp()
    nlp.initialize(lambda: examples(nlp))
    ner = nlp.get_pipe("kg_char_ner")
    labels = list(ner.labels)

    def log_probs(rows):
        """Rows of {tag: probability}, the rest spread evenly, as log-probabilities."""
        table = numpy.zeros((len(rows), len(labels)), dtype="float32")
        for i, row in enumerate(rows):
            rest = (1.0 - sum(row.values())) / (len(labels) - len(row))
            table[i] = [row.get(tag, rest) for tag in labels]
        return numpy.log(table)

    scores = log_probs([{"B-PERSON": 0.9}, {"L-PERSON": 0.9}, {"O": 0.9},
                        {"B-PLACE": 0.55}, {"L-PLACE": 0.55}])
    empty = numpy.zeros((0, len(labels)), dtype="float32")
    for threshold, expected in ((0.0, ["刘洋", "杭州"]), (0.5, ["刘洋", "杭州"]),
                                (0.6, ["刘洋"]), (0.95, [])):
        ner.min_confidence = threshold
        docs = [nlp.make_doc("刘洋在杭州"), nlp.make_doc("")]
        ner.set_annotations(docs, [scores, empty])
        assert [e.text for e in docs[0].ents] == expected, threshold
    # the setting comes from the config
    configured = spacy.blank("zh")
    configured.add_pipe("kg_char_ner", config={"min_confidence": 0.6})
    assert configured.get_pipe("kg_char_ner").min_confidence == 0.6


def test_missing_gold_gives_no_loss():
    nlp = make_nlp()
    egs = examples(nlp)
    nlp.initialize(lambda: egs)
    ner = nlp.get_pipe("kg_char_ner")
    reference = nlp.make_doc("刘洋读《某书》。")
    reference.set_ents([Span(reference, 0, 2, "PERSON")], missing=[reference[3:5]], default="outside")
    example = Example(nlp.make_doc(reference.text), reference)
    assert ner._gold_tags(example)[3:5] == [None, None]
    doc = nlp.get_pipe("tok2vec")(nlp.get_pipe("kg_char_features")(example.predicted))
    scores = ner.model.predict([doc])
    _, gradient = ner.get_loss([example], scores)
    assert numpy.allclose(gradient[0][3:5], 0.0)
    assert not numpy.allclose(gradient[0][0:2], 0.0)


def test_keeps_entities_set_before_it():
    nlp = make_nlp()
    egs = examples(nlp)
    nlp.initialize(lambda: egs)
    doc = nlp.make_doc("刘洋在杭州工作。")
    doc.ents = [Span(doc, 0, 2, "ORG")]
    for _, component in nlp.pipeline:
        doc = component(doc)
    assert (doc.ents[0].start, doc.ents[0].end, doc.ents[0].label_) == (0, 2, "ORG")


def reference_viterbi(log_probs, trans, start, end):
    """Plain per-document Viterbi, to check the batched one against."""
    best = log_probs[0] + start
    back = []
    for t in range(1, len(log_probs)):
        candidates = best[:, None] + trans
        back.append(candidates.argmax(axis=0))
        best = candidates.max(axis=0) + log_probs[t]
    path = [int((best + end).argmax())]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    return path[::-1]


def test_batched_viterbi_equals_per_document_viterbi():
    nlp = make_nlp()
    egs = examples(nlp)
    nlp.initialize(lambda: egs)
    ner = nlp.get_pipe("kg_char_ner")
    trans, start, end = ner._allowed()
    rng = numpy.random.default_rng(0)
    batch = [rng.normal(size=(n, len(ner.labels))).astype("float32") * 3 for n in (1, 7, 3, 12, 2)]
    paths = ner._viterbi_batch(batch)
    for scores, path in zip(batch, paths):
        assert list(path) == reference_viterbi(log_softmax(scores), trans, start, end)


def test_valid_argmax_paths_skip_the_viterbi_with_the_same_result():
    nlp = make_nlp()
    egs = examples(nlp)
    nlp.initialize(lambda: egs)
    ner = nlp.get_pipe("kg_char_ner")
    labels = list(ner.labels)
    valid = [labels.index(t) for t in ["B-PERSON", "L-PERSON", "O", "U-PLACE"]]
    invalid = [labels.index(t) for t in ["I-PERSON", "L-PERSON", "O", "L-PLACE"]]
    assert ner._valid(numpy.array(valid)) and not ner._valid(numpy.array(invalid))
    rng = numpy.random.default_rng(1)
    for _ in range(20):
        scores = rng.normal(size=(6, len(labels))).astype("float32")
        docs = [nlp.make_doc("甲乙丙丁戊己")]
        ner.set_annotations(docs, [scores])
        expected = tags_to_spans(docs[0], [labels[i] for i in ner._viterbi(scores)])
        assert [(e.start, e.end, e.label_) for e in docs[0].ents] == [
            (e.start, e.end, e.label_) for e in expected]


def test_sentence_context_adds_the_text_mean_and_backpropagates_exactly():
    """kg.SentenceContext.v1: the analytic gradient matches finite differences, texts
    do not see each other, and an empty text passes through."""
    from thinc.api import Model, fix_random_seed

    from kg.nlp.char_ner import sentence_context

    nlp = spacy.blank("zh")
    docs = [nlp.make_doc("中国队赢了"), nlp.make_doc(""), nlp.make_doc("巴西")]
    rng = numpy.random.default_rng(0)
    vectors = [rng.normal(size=(len(doc), 6)).astype("float32") for doc in docs]
    captured = {}

    def given_vectors(model, docs, is_train):
        return [v.copy() for v in vectors], lambda d_vectors: captured.setdefault("d", d_vectors)

    layer = sentence_context(Model("given", given_vectors), width=6)
    fix_random_seed(0)  # a fixed mix: finite differences must not cross a maxout kink
    layer.initialize(X=docs)
    mix = layer.layers[1]
    outputs, backprop = layer(docs, is_train=True)
    assert [o.shape for o in outputs] == [(5, 6), (0, 6), (2, 6)]
    weights = [rng.normal(size=o.shape).astype("float32") for o in outputs]
    backprop(weights)

    def objective(vs):
        flat = numpy.vstack(vs)
        means = numpy.vstack([numpy.broadcast_to(v.mean(0, keepdims=True), v.shape) for v in vs if len(v)])
        mixed = mix.predict(numpy.hstack([flat, means]).astype("float32"))
        return float(((flat + mixed) * numpy.vstack(weights)).sum())

    eps = 1e-3
    for doc_i, row, col in [(0, 1, 3), (0, 4, 0), (2, 0, 5)]:
        plus = [v.astype("float64") for v in vectors]
        minus = [v.astype("float64") for v in vectors]
        plus[doc_i][row, col] += eps
        minus[doc_i][row, col] -= eps
        numeric = (objective(plus) - objective(minus)) / (2 * eps)
        assert abs(numeric - captured["d"][doc_i][row, col]) < 1e-2 * max(1.0, abs(numeric))
    # inference takes a shortcut to the same numbers
    assert all(numpy.allclose(p, o, atol=1e-5) for p, o in zip(layer.predict(docs), outputs))
    # the third text's output depends on its own characters only
    changed = [v.copy() for v in vectors]
    changed[0] += 1.0
    vectors_before = vectors
    vectors = changed
    assert numpy.allclose(layer.predict(docs)[2], outputs[2], atol=1e-6)
    vectors = vectors_before


def test_dilated_window_reads_neighbours_at_the_distance_and_backpropagates_exactly():
    from kg.nlp.char_ner import dilated_window

    window = dilated_window(2)
    X = numpy.arange(12, dtype="float32").reshape(6, 2)
    Y, backprop = window(X, is_train=True)
    # row 3: the row two before, itself, the row two after
    assert Y[3].tolist() == X[1].tolist() + X[3].tolist() + X[5].tolist()
    # the ends read zeros past the array
    assert Y[0, :2].tolist() == [0.0, 0.0] and Y[5, 4:].tolist() == [0.0, 0.0]
    # ...also when the text is shorter than the distance
    assert window.predict(X[:1]).tolist() == [[0.0, 0.0, 0.0, 1.0, 0.0, 0.0]]
    # the layer is linear, so the gradient of <Y, G> with respect to X is exact
    G = numpy.random.default_rng(0).normal(size=Y.shape).astype("float32")
    dX = backprop(G)
    numeric = numpy.zeros_like(X)
    for i, j in numpy.ndindex(*X.shape):
        bumped = X.copy()
        bumped[i, j] += 1.0
        numeric[i, j] = (window.predict(bumped) * G).sum() - (Y * G).sum()
    assert numpy.allclose(numeric, dX, atol=1e-4)


def test_dilated_encoder_keeps_texts_apart():
    """Dilations 1, 2, 4 reach seven characters either side; the padding between texts
    is as wide, so changing one text changes no other, however short."""
    from kg.nlp.char_ner import dilated_maxout_encoder

    encoder = dilated_maxout_encoder(width=8, dilations=[1, 2, 4])
    rng = numpy.random.default_rng(0)
    texts = [rng.normal(size=(n, 8)).astype("float32") for n in (9, 1, 12)]
    encoder.initialize(X=texts)
    outputs = encoder.predict(texts)
    assert [o.shape for o in outputs] == [(9, 8), (1, 8), (12, 8)]
    changed = encoder.predict([texts[0], texts[1] + 1.0, texts[2]])
    assert numpy.allclose(changed[0], outputs[0]) and numpy.allclose(changed[2], outputs[2])
    assert not numpy.allclose(changed[1], outputs[1])
    # within a text, a character seven away is read, eight away is not
    far = [texts[0], texts[1], texts[2].copy()]
    far[2][8] += 1.0
    moved = encoder.predict(far)[2]
    assert not numpy.allclose(moved[1], outputs[2][1])
    assert numpy.allclose(moved[0], outputs[2][0])
    with pytest.raises(ValueError, match="dilations"):
        dilated_maxout_encoder(width=8, dilations=[1, 0])


def test_latin_words_end_at_whitespace_and_widening_is_linear():
    import time

    doc = spacy.blank("zh")("记者 harold williams 和 ab")
    spans = [Span(doc, 5, 7, "PERSON")]  # ro|… inside harold
    assert [s.text for s in whole_latin_words(doc, spans)] == ["harold"]
    long_doc = spacy.blank("zh")("county office river " * 500)
    many = [Span(long_doc, i, i + 2, "ORG") for i in range(0, len(long_doc) - 2, 7)]
    started = time.perf_counter()
    words = whole_latin_words(long_doc, many)
    assert time.perf_counter() - started < 2  # a walk along the whole run per span: 20 s
    assert {word for s in words for word in s.text.split()} == {"county", "office", "river"}
    assert all(len(s.text.split()) <= 2 for s in words)
