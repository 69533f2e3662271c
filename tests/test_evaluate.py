"""kg evaluate: gold readers (BIO, CLUENER), label mapping, exact-span scoring, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from kg.evaluate import (
    GoldFormatError,
    detect_format,
    evaluate_spans,
    read_bio,
    read_cluener,
    read_gold,
    score,
)

REPO = Path(__file__).resolve().parents[1]

BIO = """张\tB-PER
伟\tI-PER
在\tO
杭\tB-LOC
州\tI-LOC
。\tO

教\tB-ORG
育\tI-ORG
部\tI-ORG
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def cluener_line(text, entities):
    entity_list = []
    for entity, label in entities:
        begin = text.index(entity)
        entity_list.append({"entity_type": label, "entity": entity,
                            "entity_index": {"begin": begin, "end": begin + len(entity)}})
    return json.dumps({"text": text, "entity_list": entity_list}, ensure_ascii=False)


def test_read_bio(tmp_path):
    sentences = read_bio(write(tmp_path / "g.bio", BIO))
    assert [s.text for s in sentences] == ["张伟在杭州。", "教育部"]
    assert sentences[0].spans == [(0, 2, "PER"), (3, 5, "LOC")]
    assert sentences[1].spans == [(0, 3, "ORG")]


def test_read_bioes_and_stray_inside_tag(tmp_path):
    text = "刘\tS-PER\n成\tB-LOC\n都\tE-LOC\n市\tI-LOC\n"
    (sentence,) = read_bio(write(tmp_path / "g.bio", text))
    assert sentence.spans == [(0, 1, "PER"), (1, 3, "LOC"), (3, 4, "LOC")]


def test_bad_bio_line_names_file_and_line(tmp_path):
    path = write(tmp_path / "bad.bio", "张\tB-PER\n伟\tX-PER\n")
    with pytest.raises(GoldFormatError, match=r"bad\.bio:2"):
        read_bio(path)


def test_read_cluener_both_forms(tmp_path):
    line1 = cluener_line("财政部部长刘洋说", [("财政部", "government"), ("刘洋", "name")])
    line2 = json.dumps({"text": "成都人民路", "label": {"address": {"成都人民路": [[0, 4]]}}},
                       ensure_ascii=False)
    path = write(tmp_path / "g.json", line1 + "\n" + line2 + "\n")
    assert detect_format(path) == "cluener"
    sentences = read_cluener(path)
    assert sentences[0].spans == [(0, 3, "government"), (5, 7, "name")]
    assert sentences[1].spans == [(0, 5, "address")]


def test_bad_cluener_names_file_and_line(tmp_path):
    good = cluener_line("刘洋说", [("刘洋", "name")])
    path = write(tmp_path / "bad.jsonl", good + "\n{not json\n")
    with pytest.raises(GoldFormatError, match=r"bad\.jsonl:2"):
        read_cluener(path)
    outside = json.dumps({"text": "ab", "entity_list": [
        {"entity_type": "name", "entity_index": {"begin": 1, "end": 5}}]})
    with pytest.raises(GoldFormatError, match="outside the text"):
        read_cluener(write(tmp_path / "out.jsonl", outside + "\n"))


def test_missing_and_empty_file(tmp_path):
    with pytest.raises(GoldFormatError, match="no such file"):
        read_gold(tmp_path / "nope.bio")
    with pytest.raises(GoldFormatError, match="empty"):
        read_gold(write(tmp_path / "empty.bio", "\n\n"))


def test_score_counts_exact_spans_only():
    gold = [{(0, 2, "PERSON"), (3, 5, "PLACE")}]
    predicted = [{(0, 2, "PERSON"), (3, 6, "PLACE"), (7, 9, "ORG")}]
    result = score(gold, predicted)
    assert result["labels"]["PERSON"]["f"] == 1.0
    assert result["labels"]["PLACE"]["tp"] == 0
    assert result["labels"]["ORG"]["fp"] == 1
    overall = result["overall"]
    assert (overall["tp"], overall["fp"], overall["fn"]) == (1, 2, 1)
    assert overall["p"] == pytest.approx(1 / 3) and overall["r"] == pytest.approx(1 / 2)


def test_label_mapping_and_agency_merge(tmp_path):
    msra = read_bio(write(tmp_path / "g.bio", BIO))
    predicted = [[(0, 2, "PERSON"), (3, 5, "ADDRESS")], [(0, 3, "AGENCY")]]
    result = evaluate_spans(msra, predicted)
    assert result["merge_agency"] is True  # MSRA has no AGENCY: predicted AGENCY counts as ORG
    assert result["overall"]["f"] == 1.0
    cluener = read_cluener(write(tmp_path / "g.jsonl", cluener_line(
        "财政部部长刘洋说", [("财政部", "government"), ("部长", "position"), ("刘洋", "name")]) + "\n"))
    result = evaluate_spans(cluener, [[(0, 3, "ORG"), (3, 5, "POSITION"), (5, 7, "PERSON")]])
    assert result["merge_agency"] is False
    assert result["labels"]["AGENCY"]["fn"] == 1 and result["labels"]["ORG"]["fp"] == 1
    assert "POSITION" not in result["labels"]  # not a public label: not scored


def test_cli_prints_table_and_json(tmp_path):
    """`kg evaluate` on a real (rule-only) spaCy pipeline saved to disk."""
    nlp = spacy.blank("zh")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": [{"TEXT": "张"}, {"TEXT": "伟"}]},
                        {"label": "AGENCY", "pattern": [{"TEXT": t} for t in "教育部"]}])
    nlp.to_disk(tmp_path / "model")
    gold = write(tmp_path / "g.bio", BIO)
    cmd = [sys.executable, "-m", "kg.cli", "evaluate", str(gold), "--model", str(tmp_path / "model")]
    table = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=True).stdout
    assert "PERSON" in table and "overall" in table and "AGENCY merged" in table
    out = subprocess.run(cmd + ["--json"], capture_output=True, text=True, cwd=REPO, check=True).stdout
    result = json.loads(out)
    assert result["format"] == "bio"
    assert result["labels"]["PERSON"]["f"] == 1.0
    assert result["labels"]["ORG"]["tp"] == 1  # AGENCY prediction scored as ORG
    assert result["labels"]["PLACE"]["fn"] == 1
    assert result["overall"]["r"] == pytest.approx(2 / 3)


def test_cli_bad_file_is_a_clear_error(tmp_path):
    bad = write(tmp_path / "bad.bio", "张\tB-PER\n伟\n")
    done = subprocess.run([sys.executable, "-m", "kg.cli", "evaluate", str(bad), "--model", "x"],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 2
    assert "bad.bio:2" in done.stderr


def ruler_model(folder: Path) -> Path:
    """A real (rule-only) spaCy pipeline on disk: 张伟 PERSON, 教育部 AGENCY."""
    nlp = spacy.blank("zh")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": [{"TEXT": "张"}, {"TEXT": "伟"}]},
                        {"label": "AGENCY", "pattern": [{"TEXT": t} for t in "教育部"]}])
    nlp.to_disk(folder)
    return folder


def evaluate_cli(*args):
    return subprocess.run([sys.executable, "-m", "kg.cli", "evaluate", *map(str, args)],
                          capture_output=True, text=True, cwd=REPO, timeout=300)


def test_bad_cluener_lines_are_reported_and_skipped_and_the_rest_scored(tmp_path):
    good = cluener_line("张伟在教育部工作", [("张伟", "name"), ("教育部", "government")])
    entity = {"entity_type": "name", "entity_index": {"begin": 0, "end": 2}}
    bad = [json.dumps({"text": 123, "entity_list": []}),
           json.dumps({"text": None, "entity_list": []}),
           json.dumps({"text": "张伟说", "entity_list": [{**entity, "entity_type": ["name"]}]}),
           json.dumps({"text": "张伟说", "entity_list": [{**entity, "entity_index": {"begin": True, "end": 2}}]}),
           json.dumps([1, 2]), "{not json"]
    gold = write(tmp_path / "g.jsonl", "\n".join([good, *bad, "", good]) + "\n")
    done = evaluate_cli(gold, "--model", ruler_model(tmp_path / "model"), "--json")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    reported = done.stderr.splitlines()
    assert [line.split(": ", 2)[1] for line in reported] == [f"{gold}:{n}" for n in range(2, 8)]
    assert "'text' must be a string, got int 123" in reported[0] and "got null" in reported[1]
    assert "'entity_type' must be a string, got list" in reported[2] and "whole number" in reported[3]
    result = json.loads(done.stdout)
    assert result["sentences"] == 2 and result["bad_lines"] == 6
    assert result["labels"]["PERSON"]["tp"] == 2 and result["labels"]["AGENCY"]["tp"] == 2


def test_bad_bio_line_skips_its_sentence_only(tmp_path):
    path = write(tmp_path / "g.bio", BIO.replace("伟\tI-PER", "伟\tX-PER") + "\n张\tB-PER\n伟\tI-PER\n")
    problems: list[str] = []
    sentences = read_bio(path, problems)
    assert [s.text for s in sentences] == ["教育部", "张伟"]
    assert problems == [f"{path}:2: bad tag 'X-PER'; its sentence is skipped"]
    assert [s.text for s in read_bio(path, [], limit=1)] == ["教育部"]


def test_bio_without_blank_lines_is_one_long_sentence_scored_in_chunks(tmp_path):
    repeats = 170_000  # 1,020,000 characters: more than spaCy takes in one Doc (E088)
    sentence = "张\tB-PER\n伟\tI-PER\n在\tO\n杭\tB-LOC\n州\tI-LOC\n。\tO\n"
    gold = write(tmp_path / "long.bio", sentence * repeats + "\n教\tB-ORG\n育\tI-ORG\n部\tI-ORG\n")
    done = evaluate_cli(gold, "--model", ruler_model(tmp_path / "model"), "--json")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["sentences"] == 2
    assert result["labels"]["PERSON"]["tp"] == repeats and result["labels"]["PERSON"]["fn"] == 0
    assert result["labels"]["PLACE"]["fn"] == repeats and result["labels"]["ORG"]["tp"] == 1


def test_limit_must_be_positive_and_limits_the_sentences(tmp_path):
    gold = write(tmp_path / "g.bio", BIO)
    done = evaluate_cli(gold, "--limit", "-1")
    assert done.returncode == 2 and "must be at least 1" in done.stderr and "Traceback" not in done.stderr
    done = evaluate_cli(gold, "--model", ruler_model(tmp_path / "model"), "--limit", "1", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sentences"] == 1
