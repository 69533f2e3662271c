"""kg_syntax: word tokens with PKU tags, UPOS, dependencies and sentences, on the real pipeline.

Texts are written for these tests (invented city and people, press-release style).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from kg.nlp.pipeline import entities_only, load_pipeline, save_pipeline
from kg.nlp.syntax import PKU_TO_UPOS, word_pieces

MODELS = Path(__file__).resolve().parents[1] / "kg" / "models"
HAS_PARSER = (MODELS / "parser" / "config.cfg").is_file()

MEETING = ("3月5日，江州市生态环境局召开全市大气污染防治工作会议。局长王海峰主持会议并讲话。\n"
           "会议要求，各县区要加大执法检查力度，确保完成年度目标任务。")
CONVENE = "江州市水利局召开防汛工作会议。"


def test_word_pieces_cut_words_at_span_edges_and_keep_whitespace_apart():
    text = "江州市长 王海峰\n\n讲话"
    words = [(0, 3), (3, 4), (5, 6), (6, 8), (10, 12)]
    # an entity 江州 (0, 2) cuts the word 江州市; whitespace runs are tokens of their own
    pieces = word_pieces(text, words, cuts={0, 2, 5, 8})
    assert [text[s:e] for s, e in pieces] == ["江州", "市", "长", " ", "王", "海峰", "\n\n", "讲话"]
    assert "".join(text[s:e] for s, e in pieces) == text


@pytest.fixture(scope="module")
def meeting(nlp):
    return nlp(MEETING)


def test_tokens_are_words_and_the_text_is_unchanged(nlp, meeting):
    assert meeting.text == MEETING
    assert any(len(token) > 1 for token in meeting)
    assert len(meeting) < len(MEETING) * 0.8
    # every pkuseg word is covered by whole tokens
    for word in meeting.spans["words"]:
        assert word.text and word.start_char == meeting[word.start].idx


def test_entities_and_span_groups_keep_their_character_offsets(nlp, meeting):
    with entities_only(nlp):
        chars = nlp(MEETING)
    assert len(chars) == len(MEETING.replace("\n", "")) + 1  # one token per character
    as_chars = [(e.start_char, e.end_char, e.label_) for e in chars.ents]
    assert as_chars and [(e.start_char, e.end_char, e.label_) for e in meeting.ents] == as_chars
    for key, group in chars.spans.items():
        assert [(s.start_char, s.end_char, s.label_) for s in meeting.spans[key]] == \
            [(s.start_char, s.end_char, s.label_) for s in group], key
    # extension values (kept in user_data by character offsets) come along
    assert [e._.kg_title for e in meeting.ents] == [e._.kg_title for e in chars.ents]
    assert meeting._.kg_text_style == chars._.kg_text_style


def test_an_entity_is_whole_tokens(meeting):
    person = next(e for e in meeting.ents if e.label_ == "PERSON")
    assert person.text == "王海峰"
    assert person[0].idx == person.start_char and person[-1].idx + len(person[-1]) == person.end_char


def test_pku_tags_and_universal_pos(meeting):
    tags = {token.text: token.tag_ for token in meeting}
    assert tags["召开"] == "v" and tags["会议"] == "n" and tags["。"] == "w" and tags["，"] == "w"
    for token in meeting:
        if token.is_space:
            assert (token.tag_, token.pos_) == ("_SP", "SPACE")
        else:
            assert token.tag_ in PKU_TO_UPOS and token.pos_ == PKU_TO_UPOS[token.tag_]
    assert next(t for t in meeting if t.text == "召开").pos_ == "VERB"


def test_verb_and_verbal_noun(nlp):
    doc = nlp("江州市加强安全生产检查。安全生产检查的开展取得明显成效。")
    checks = [t for t in doc if t.text == "检查"]
    assert len(checks) == 2
    assert [t for t in doc if t.text == "加强"][0].tag_ == "v"
    assert [t for t in doc if t.text == "开展"][0].tag_ in ("vn", "v")


@pytest.mark.skipif(not HAS_PARSER, reason="no packaged parser yet")
def test_dependencies_and_sentences(meeting):
    sentences = list(meeting.sents)
    texts = [s.text.strip() for s in sentences if s.text.strip()]
    assert texts[0].endswith("会议。") and texts[1] == "局长王海峰主持会议并讲话。"
    assert texts[-1].startswith("会议要求")
    for sentence in sentences:
        roots = [t for t in sentence if t.head.i == t.i]
        assert len(roots) == 1
        assert all(sentence.start <= t.head.i < sentence.end for t in sentence)
    assert all(t.dep_ for t in meeting if not t.is_space)
    convene = next(t for t in meeting if t.text == "召开")
    meeting_noun = [t for t in meeting if t.text == "会议"][0]
    # the meeting (会议) hangs from the verb that convened it, directly or through its modifiers
    assert convene in meeting_noun.ancestors or meeting_noun.head == convene


def test_parse_view_reads_an_entity_as_one_token_and_projects_back():
    """The separate-encoder path: the parser reads 江州市生态环境局 as one token."""
    from spacy.tokens import Doc, Span

    from kg.nlp.syntax import parse_view, project_parse

    vocab = spacy.blank("zh").vocab
    doc = Doc(vocab, words=["江州市", "生态", "环境局", "召开", "会议", "。"], spaces=[False] * 6)
    doc.ents = [Span(doc, 0, 3, label="AGENCY")]
    view, pieces = parse_view(doc)
    assert [t.text for t in view] == ["江州市生态环境局", "召开", "会议", "。"]
    assert pieces == [(0, 3), (3, 4), (4, 5), (5, 6)]
    parsed = Doc(vocab, words=[t.text for t in view], heads=[1, 1, 1, 1],
                 deps=["Agt", "ROOT", "Cont", "mPunc"])
    project_parse(doc, parsed, pieces)
    assert [(t.head.i, t.dep_) for t in doc] == [(2, "Nmod"), (2, "Nmod"), (3, "Agt"), (3, "ROOT"),
                                                 (3, "Cont"), (3, "mPunc")]


@pytest.mark.skipif(not HAS_PARSER, reason="no packaged parser yet")
def test_agency_and_meeting_hang_from_the_verb(nlp):
    doc = nlp(CONVENE)
    convene = next(t for t in doc if t.text == "召开")
    agency = next(e for e in doc.ents if e.label_ == "AGENCY")
    assert convene.head == convene  # the root
    assert agency[-1].head == convene
    meeting = next(t for t in doc if t.text == "会议")
    assert meeting.head == convene and meeting.dep_ in ("Cont", "Pat", "Prod")  # CSDP object relations


def test_saved_pipeline_loads_with_spacy_load(nlp, meeting, tmp_path):
    save_pipeline(nlp, tmp_path / "kg")
    assert (tmp_path / "kg" / "kg_syntax" / "tagger" / "config.cfg").is_file()
    loaded = spacy.load(tmp_path / "kg")
    doc = loaded(MEETING)
    assert [(t.text, t.tag_, t.pos_, t.dep_, t.head.i) for t in doc] == \
        [(t.text, t.tag_, t.pos_, t.dep_, t.head.i) for t in meeting]
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == \
        [(e.start_char, e.end_char, e.label_) for e in meeting.ents]


def test_an_entities_only_pipeline_loads_no_syntax_and_finds_the_same_entities(nlp, meeting, tmp_path):
    save_pipeline(nlp, tmp_path / "kg")
    for path in (None, tmp_path / "kg"):  # the packaged parts, a saved pipeline
        short = load_pipeline(path, entities_only=True)
        assert "kg_syntax" not in short.pipe_names and "kg_events" not in short.pipe_names
        doc = short(MEETING)
        assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == \
            [(e.start_char, e.end_char, e.label_) for e in meeting.ents]
        assert doc.text == MEETING


def test_empty_and_whitespace_texts(nlp):
    assert len(nlp("")) == 0
    doc = nlp("  \n ")
    assert doc.text == "  \n " and all(t.is_space for t in doc)
