"""Long texts through the pipeline in chunks (kg/nlp/chunking.py), joined into one Doc."""

from __future__ import annotations

import time

import pytest
import spacy
from spacy.language import Language

from kg.nlp.chunking import chunk_bounds, pipe_chunks, pipe_docs

PARAGRAPHS = [
    "青禾镇人民政府召开防汛工作会议，镇长林晓峰出席并讲话。会议部署了汛期值守、隐患排查等工作。\n",
    "柳溪镇开展人居环境整治行动，镇党委书记周红岚带队检查了南塘村的道路和河道。\n",
    "云岭乡卫生院举办义诊活动，为群众免费测量血压。乡长白松坡表示，将持续推进健康乡村建设。\n",
]


def covers(text, bounds, max_chars):
    return "".join(text[s:e] for s, e in bounds) == text and all(0 < e - s <= max_chars for s, e in bounds) \
        and all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))


def test_chunks_cover_the_text_and_cut_at_the_largest_unit_that_fits():
    text = "".join(PARAGRAPHS)
    assert chunk_bounds(text, len(text)) == [(0, len(text))]
    assert chunk_bounds("", 10) == [(0, 0)]
    by_paragraph = chunk_bounds(text, max(map(len, PARAGRAPHS)))
    assert covers(text, by_paragraph, max(map(len, PARAGRAPHS)))
    assert all(text[e - 1] == "\n" for _, e in by_paragraph)  # no paragraph was cut
    by_sentence = chunk_bounds(PARAGRAPHS[0], 30)
    assert covers(PARAGRAPHS[0], by_sentence, 30)
    assert PARAGRAPHS[0][by_sentence[0][1] - 1] == "。"  # the first sentence is whole
    by_clause = chunk_bounds(PARAGRAPHS[1], 20)
    assert covers(PARAGRAPHS[1], by_clause, 20) and PARAGRAPHS[1][by_clause[0][1] - 1] == "，"
    with pytest.raises(ValueError):
        chunk_bounds(text, 0)


def test_chunking_a_megabyte_without_any_boundary_is_linear():
    started = time.perf_counter()
    for text in ("青" * 1_000_000, "x" * 1_000_000, "。" * 1_000_000, "\n" * 1_000_000):
        bounds = chunk_bounds(text, 5000)
        assert covers(text, bounds, 5000) and len(bounds) == 200
    assert time.perf_counter() - started < 10


@Language.factory("test_batch_recorder")
def make_batch_recorder(nlp, name):
    return BatchRecorder()


class BatchRecorder:
    """A real component that remembers how many characters each batch held."""

    def __init__(self):
        self.batches: list[int] = []

    def __call__(self, doc):
        self.batches.append(len(doc.text))
        return doc

    def pipe(self, docs, batch_size=128):
        docs = list(docs)
        self.batches.append(sum(len(doc.text) for doc in docs))
        yield from docs


def test_batches_hold_a_bounded_number_of_characters_and_order_is_kept():
    nlp = spacy.blank("zh")
    recorder = nlp.add_pipe("test_batch_recorder")
    texts = ["短句。", "长" * 2500, "", "第四行。" * 100]
    seen = list(pipe_chunks(nlp, ((t, i) for i, t in enumerate(texts)), max_chars=300, batch_size=50,
                            max_batch_chars=1000))
    assert max(recorder.batches) <= 1000
    assert [context for context, *_ in seen if _[-1]] == [0, 1, 2, 3]  # one last chunk per text, in order
    for i, text in enumerate(texts):
        parts = [(offset, doc.text) for context, offset, doc, _ in seen if context == i]
        assert "".join(part for _, part in parts) == text
        assert all(text[offset:offset + len(part)] == part for offset, part in parts)


def test_joined_doc_keeps_every_chunks_annotations_at_whole_text_offsets(nlp):
    text = "".join(PARAGRAPHS) * 3
    max_chars = 120
    bounds = chunk_bounds(text, max_chars)
    assert len(bounds) > 3
    ((doc, context),) = list(pipe_docs(nlp, [(text, "page")], max_chars=max_chars))
    assert context == "page" and doc.text == text
    expected_ents, expected_words, expected_divisions = [], [], []
    for start, end in bounds:
        alone = nlp(text[start:end])
        expected_ents += [(e.start_char + start, e.end_char + start, e.label_) for e in alone.ents]
        expected_words += [(w.start_char + start, w.end_char + start) for w in alone.spans["words"]]
        expected_divisions += [e._.kg_division for e in alone.ents]
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == expected_ents
    assert [(w.start_char, w.end_char) for w in doc.spans["words"]] == expected_words
    assert [e._.kg_division for e in doc.ents] == expected_divisions
    assert {("林晓峰", "PERSON"), ("柳溪镇", "PLACE")} <= {(e.text, e.label_) for e in doc.ents}
    assert sum(e.text == "林晓峰" for e in doc.ents) == 3


def long_line(copies: int) -> str:
    """Invented paragraphs run together on one line, each copy with its own numbers."""
    return "".join(f"{i % 12 + 1}月{i % 28 + 1}日，" + "".join(PARAGRAPHS).replace("\n", "") for i in range(copies))


def test_kg_ner_tags_lines_longer_than_the_pipeline_accepts(nlp):
    from kg.nlp.ner_command import tag_lines

    lines = ["市长李华出席。", long_line(12), "county office river flood meeting " * 200, ""]
    saved = nlp.max_length
    nlp.max_length = 1000  # spaCy refuses (E088) a text longer than this: the chunks must fit
    try:
        records = list(tag_lines(nlp, lines))
    finally:
        nlp.max_length = saved
    assert [r["text"] for r in records] == lines
    for record in records:
        assert all(record["text"][e["start"]:e["end"]] == e["text"] for e in record["entities"])
    assert sum(e["text"] == "林晓峰" for e in records[1]["entities"]) == 12
    assert records[0]["entities"] == [{"start": 2, "end": 4, "label": "PERSON", "text": "李华"}]


def test_build_of_a_text_longer_than_the_pipeline_accepts_keeps_the_other_files(tmp_path):
    from kg.build import build
    from kg.events import MAX_SENTENCE
    from kg.readwrite.json_graph import read_json

    (tmp_path / "good.txt").write_text("本报讯（记者张建国）8月5日，苏州市人民政府召开新闻发布会。\n", encoding="utf-8")
    from kg.nlp.pipeline import load_pipeline

    (tmp_path / "long.txt").write_text(long_line(12) + "。" + "青禾镇" * 700 + "\n", encoding="utf-8")
    pipeline = load_pipeline(None)  # the (cached) pipeline object kg build runs
    saved = pipeline.max_length
    pipeline.max_length = 1000
    try:
        report = build([str(tmp_path / "good.txt"), str(tmp_path / "long.txt")], tmp_path / "out")
    finally:
        pipeline.max_length = saved
    assert report["documents"] == 2 and not report["skipped"]
    graph = read_json(tmp_path / "out" / "graph.json")
    documents = {d["source"].rsplit("/", 1)[-1]: n for n, d in graph.nodes(data=True) if d["kind"] == "Document"}
    assert set(documents) == {"good.txt", "long.txt"}
    person = next(n for n, d in graph.nodes(data=True) if d.get("name") == "林晓峰")
    assert [d["count"] for _, target, d in graph.out_edges(documents["long.txt"], data=True)
            if target == person and d["type"] == "MENTIONS"] == [12]
    events = [d for _, d in graph.nodes(data=True) if d["kind"] == "Event"]
    # the 12 copies repeat the same facts: one event each (dedupe works across chunks)
    assert {"召开", "开展", "举办"} <= {e["trigger"] for e in events if e["doc"] == documents["long.txt"]}
    assert all(len(e["sentence"]) <= MAX_SENTENCE + 1 for e in events)


def test_joined_doc_keeps_every_chunks_events_and_roles_at_whole_text_offsets(nlp):
    """Results that live on the Doc (events, roles, linked posts) are joined with their offsets moved."""
    text = "".join(PARAGRAPHS) * 3
    bounds = chunk_bounds(text, 120)
    ((doc, _),) = list(pipe_docs(nlp, [(text, "page")], max_chars=120))
    expected_events, expected_roles = [], []
    for start, end in bounds:
        alone = nlp(text[start:end])
        expected_events += [(e.trigger, e.offset + start) for e in alone._.events]
        expected_roles += [(p.start_char + start, title) for p, title, _ in alone._.roles]
    assert [(e.trigger, e.offset) for e in doc._.events] == expected_events
    assert all(text[e.offset:e.offset + len(e.trigger)] == e.trigger for e in doc._.events)
    assert [(p.start_char, title) for p, title, _ in doc._.roles] == expected_roles
    assert len(expected_roles) >= 3 and len(expected_events) >= 3
    assert [start for *_, start in doc._.kg_positions] == [start for start, _ in expected_roles]
