"""kg_char_features: bigram / word-position / word features reach the NER's input."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.ml.featureextractor import FeatureExtractor

import kg.nlp.features  # noqa: F401
from kg.nlp.features import END_MARK, word_position_tag

TEXT = "余杭区人民政府发布通知"
WORDS = [(0, 3), (3, 5), (5, 7), (7, 9), (9, 11)]  # 余杭区 人民 政府 发布 通知


def char_nlp():
    nlp = spacy.blank("zh")
    nlp.add_pipe("kg_char_features")
    return nlp


def doc_with_words(nlp, text=TEXT, words=WORDS):
    doc = nlp.make_doc(text)
    doc.spans["words"] = [doc[s:e] for s, e in words]
    return nlp.get_pipe("kg_char_features")(doc)


def test_norm_is_bigram_with_next_char():
    nlp = char_nlp()
    doc = nlp(TEXT)
    assert [t.text for t in doc] == list(TEXT)
    assert [t.norm_ for t in doc] == [TEXT[i:i + 2] for i in range(len(TEXT) - 1)] + [TEXT[-1] + END_MARK]
    assert all(t.tag_ == "" and t.lemma_ == "" for t in doc)  # no words: no word features


def test_word_position_and_word_features():
    doc = doc_with_words(char_nlp())
    assert [t.tag_ for t in doc] == ["B3", "M3", "E3", "B2", "E2", "B2", "E2", "B2", "E2", "B2", "E2"]
    assert [t.lemma_ for t in doc[:5]] == ["余杭区"] * 3 + ["人民"] * 2


@pytest.mark.parametrize("web_probability, suffix", [(0.9, "w"), (0.5, "w"), (0.2, ""), (None, "")])
def test_text_style_marks_every_word_position(web_probability, suffix):
    """A text_style classifier's "web" decision reaches every character through TAG."""
    nlp = char_nlp()
    doc = nlp.make_doc(TEXT)
    if web_probability is not None:
        doc.cats = {"press": 1 - web_probability, "web": web_probability}
    doc.spans["words"] = [doc[s:e] for s, e in WORDS]
    doc = nlp.get_pipe("kg_char_features")(doc)
    plain = ["B3", "M3", "E3", "B2", "E2", "B2", "E2", "B2", "E2", "B2", "E2"]
    assert [t.tag_ for t in doc] == [tag + suffix for tag in plain]


def test_word_position_tag_buckets():
    assert word_position_tag(0, 1) == "S1"
    assert word_position_tag(0, 6) == "B4"
    assert word_position_tag(3, 6) == "M4"
    assert word_position_tag(5, 6) == "E4"


def test_long_words_get_no_lemma():
    nlp = char_nlp()
    doc = doc_with_words(nlp, "中华人民共和国", [(0, 7)])
    assert [t.tag_ for t in doc] == ["B4"] + ["M4"] * 5 + ["E4"]
    assert all(t.lemma_ == "" for t in doc)


def test_features_change_the_model_input():
    """The hashes MultiHashEmbed reads (FeatureExtractor) differ with/without the component."""
    attrs = ["ORTH", "NORM", "TAG", "LEMMA"]
    extractor = FeatureExtractor(attrs)
    extractor.initialize()
    plain = spacy.blank("zh")
    nlp = char_nlp()
    without = extractor.predict([plain(TEXT)])[0]
    with_features = extractor.predict([doc_with_words(nlp)])[0]
    assert numpy.array_equal(without[:, 0], with_features[:, 0])  # ORTH unchanged
    strings = nlp.vocab.strings
    assert with_features[0, 1] == strings["余杭"]
    assert with_features[0, 2] == strings["B3"]
    assert with_features[0, 3] == strings["余杭区"]
    assert not numpy.array_equal(without[:, 1:], with_features[:, 1:])


def test_with_the_real_segmenter_and_round_trip(tmp_path):
    segmenter = pytest.importorskip("kg.nlp.segmenter")
    if not (segmenter.DEFAULT_MODEL_DIR / "weights.npz").exists():
        pytest.skip("no packaged pkuseg model")
    nlp = spacy.blank("zh")
    nlp.add_pipe("kg_words").initialize()
    nlp.add_pipe("kg_char_features")
    doc = nlp(TEXT)
    assert all(t.tag_ for t in doc)
    assert [t.tag_[0] for t in doc] == [t._.word_pos for t in doc]
    # the fast path (kg_words' per-doc B/M/E/S string) equals the spans path
    slow = nlp.make_doc(TEXT + " 2024年 ABC")
    fast = nlp.make_doc(TEXT + " 2024年 ABC")
    for d in (slow, fast):
        nlp.get_pipe("kg_words")(d)
    del slow.user_data[kg.nlp.features.WORD_POS_KEY]
    for d in (slow, fast):
        nlp.get_pipe("kg_char_features")(d)
    assert [(t.norm_, t.tag_, t.lemma_) for t in slow] == [(t.norm_, t.tag_, t.lemma_) for t in fast]
    assert any(t.tag_ for t in slow)
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p")(TEXT)
    assert [t.tag_ for t in again] == [t.tag_ for t in doc]
    assert [t.norm_ for t in again] == [t.norm_ for t in doc]


def test_empty_doc():
    assert len(char_nlp()("")) == 0


def test_word_feature_dropout_only_in_training():
    import spacy
    from spacy.attrs import LEMMA

    from kg.nlp.features import lemma_dropout_in_training

    nlp = spacy.blank("zh")
    nlp.add_pipe("kg_words").initialize()
    features = nlp.add_pipe("kg_char_features", config={"lemma_dropout": 1.0})
    text = "市生态环境局联合市公安局开展专项执法行动"
    assert nlp(text).to_array(LEMMA).any()  # a loaded or assembled model never drops
    lemma_dropout_in_training()(nlp, {"step": 0, "epoch": 0})
    assert features.dropping and not nlp(text).to_array(LEMMA).any()
