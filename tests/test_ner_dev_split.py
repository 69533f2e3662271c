"""The NER recipe's dev split shares no 12-character run with its training sentences.

convert.py carves dev by the MD5 of each sentence, then drops every dev sentence that
shares a 12-character run with a training sentence (issue 17). The corpora here are
press-release and portal sentences written for the test, with boilerplate that
repeats across sentences the way official phrasing does, so the MD5 bucket alone
(the old split) leaks; the check below is a brute-force set of strings, independent of
convert.py's hashed index.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from spacy.tokens import DocBin
from spacy.vocab import Vocab

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.evaluate import read_bio, read_cluener  # noqa: E402

RUN = 12
PEOPLE = ["周明远", "吴晓岚", "郑海峰", "孙丽华", "钱志强", "何雨桐"]
PLACES = ["临江市", "青川县", "南河区", "北岭镇", "东湖乡"]
AGENCIES = ["生态环境局", "财政局", "人民政府", "教育局"]
TOPICS = ["防汛", "秸秆禁烧", "老旧小区改造", "乡村振兴", "营商环境"]


def load_convert():
    spec = importlib.util.spec_from_file_location("ner_recipe_convert_split",
                                                  REPO / "pipelines" / "ner" / "convert.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def msra_sentences() -> list[list[tuple[str, str | None]]]:
    """(text, MSRA label) pieces: half repeat a 15-character slogan, half are one-off."""
    sentences = []
    for i in range(60):
        person, place = PEOPLE[i % 6], PLACES[i % 5]
        if i % 2:
            sentences.append([(person, "PER"), ("在", None), (place, "LOC"),
                              ("调研时强调，要坚持以人民为中心的发展思想，抓好", None),
                              (TOPICS[i % 5] + "工作。", None)])
        else:
            sentences.append([(place, "LOC"), (f"第{i}号{TOPICS[i % 5]}项目{i + 1}日开工，",
                                               None), (person, "PER"), (f"出席第{i}次会议。", None)])
    return sentences


def write_msra(path: Path) -> None:
    lines = []
    for pieces in msra_sentences():
        for text, label in pieces:
            for k, ch in enumerate(text):
                lines.append(f"{ch}\t{'O' if label is None else ('B-' if k == 0 else 'I-') + label}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_cluener(path: Path) -> None:
    """Portal-style lines; a third repeat a policy phrase also found in the MSRA slogans."""
    records = []
    for i in range(45):
        person, place, agency = PEOPLE[(i + 2) % 6], PLACES[(i + 1) % 5], AGENCIES[i % 4]
        if i % 3 == 0:
            text = f"{place}{agency}负责人{person}说，要坚持以人民为中心的发展思想。"
        else:
            text = f"{place}{agency}第{i}期{TOPICS[i % 5]}简报称，{i}日{person}带队检查。"
        spans = [(place + agency, "government"), (person, "name")]
        entity_list = []
        for entity, label in spans:
            begin = text.index(entity)
            entity_list.append({"entity_type": label, "entity": entity,
                                "entity_index": {"begin": begin, "end": begin + len(entity)}})
        records.append(json.dumps({"text": text, "entity_list": entity_list}, ensure_ascii=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(records) + "\n", encoding="utf-8")


def shared_runs(dev_texts, train_texts, n: int = RUN) -> set[str]:
    """Every n-character run found in both; plain strings, no hashing."""
    train_runs = {text[i:i + n] for text in train_texts for i in range(len(text) - n + 1)}
    return {text[i:i + n] for text in dev_texts for i in range(len(text) - n + 1)} & train_runs


def test_dev_split_shares_no_12_character_run_with_training(tmp_path):
    convert = load_convert()
    corpora = tmp_path / "corpora"
    write_msra(corpora / "msra" / "train.bio")
    write_cluener(corpora / "cluener" / "train.jsonl")
    out = tmp_path / "corpus"
    stats = convert.convert(corpora, out, msra_dev_percent=30, cluener_dev_percent=30)

    train_texts = [doc.text for doc in DocBin().from_disk(out / "train.spacy").get_docs(Vocab())]
    dev = {"msra": [s.text for s in read_bio(out / "dev_msra.bio")],
           "cluener": [s.text for s in read_cluener(out / "dev_cluener.jsonl")]}
    for name in ("dev", "dev_msra", "dev_cluener"):
        docs = [doc.text for doc in DocBin().from_disk(out / f"{name}.spacy").get_docs(Vocab())]
        assert not shared_runs(docs, train_texts), name
    for corpus, texts in dev.items():
        assert texts, f"{corpus}: the honest dev must keep the one-off sentences"
        assert not shared_runs(texts, train_texts), corpus

    # The old split (the MD5 bucket alone) leaks on this data, within a corpus and
    # across them: the check above would fail on it.
    all_msra = read_bio(corpora / "msra" / "train.bio")
    all_cluener = read_cluener(corpora / "cluener" / "train.jsonl")
    bucket = {"msra": [s.text for s in all_msra if convert.in_dev(s.text, 30)],
              "cluener": [s.text for s in all_cluener if convert.in_dev(s.text, 30)]}
    msra_train = [s.text for s in all_msra if not convert.in_dev(s.text, 30)]
    assert shared_runs(bucket["msra"], train_texts)
    assert shared_runs(bucket["cluener"], msra_train)  # CLUENER dev against MSRA training

    # Dropped sentences leave dev and do not join training: training is the MD5
    # split's, the honest dev a subset of its bucket.
    expected_train = ([s.text for s in all_msra if not convert.in_dev(s.text, 30)]
                      + [s.text for s in all_cluener if not convert.in_dev(s.text, 30)])
    assert sorted(train_texts) == sorted(expected_train)
    for corpus in ("msra", "cluener"):
        assert set(dev[corpus]) <= set(bucket[corpus])
        assert len(dev[corpus]) + stats[f"{corpus}:dev_dropped_overlap"] == len(bucket[corpus])
        assert stats[f"{corpus}:dev_sentences"] == len(dev[corpus])


def test_training_runs_index():
    convert = load_convert()
    training = ["临江市财政局今天发布第一季度预算执行情况。", "青川县召开防汛工作会议"]
    runs = convert.TrainingRuns(training)
    # a run at the start, at the very end, and a whole 12-character training sentence
    assert runs.shares_run("临江市财政局今天发布第一季度报告")
    assert runs.shares_run("据悉，今天发布第一季度预算执行情况。")
    assert runs.shares_run("青川县召开防汛工作会议")
    # 11 shared characters are not a run of 12
    assert not runs.shares_run("北岭镇财政局今天发布第一季度X预算执行")
    assert not runs.shares_run("南河区召开秸秆禁烧工作会议并部署")
    # shorter than 12: dropped only when it sits whole inside a training sentence
    assert runs.shares_run("防汛工作会议")
    assert not runs.shares_run("防汛会议")
    assert not convert.TrainingRuns([]).shares_run("临江市财政局今天发布第一季度报告")


def test_block_split_keeps_articles_on_one_side(tmp_path):
    """With --msra-block-size, MSRA dev comes in whole blocks of consecutive sentences,
    still sharing no 12-character run with training."""
    convert = load_convert()
    corpora = tmp_path / "corpora"
    write_msra(corpora / "msra" / "train.bio")
    write_cluener(corpora / "cluener" / "train.jsonl")
    out = tmp_path / "corpus"
    convert.convert(corpora, out, msra_dev_percent=30, cluener_dev_percent=30, msra_block_size=6)

    all_msra = [s.text for s in read_bio(corpora / "msra" / "train.bio")]
    dev_msra = {s.text for s in read_bio(out / "dev_msra.bio")}
    train_texts = [doc.text for doc in DocBin().from_disk(out / "train.spacy").get_docs(Vocab())]
    assert dev_msra and not shared_runs(dev_msra, train_texts)
    blocks = [all_msra[start:start + 6] for start in range(0, len(all_msra), 6)]
    dev_blocks = [block for number, block in enumerate(blocks)
                  if convert.in_dev(f"block:{number}", 30)]
    assert dev_blocks and len(dev_blocks) < len(blocks)
    for number, block in enumerate(blocks):
        in_dev_block = convert.in_dev(f"block:{number}", 30)
        for text in block:
            if in_dev_block:  # in dev, or dropped for a run shared with training
                assert text in dev_msra or shared_runs([text], train_texts)
            else:
                assert text in train_texts
    assert dev_msra <= {text for block in dev_blocks for text in block}
    # the sentence split of the same data puts other sentences in dev
    by_sentence = {text for text in all_msra if convert.in_dev(text, 30)}
    assert by_sentence != {text for block in dev_blocks for text in block}


def test_recall_of_seen_and_unseen_entities(tmp_path):
    """evaluate.py splits recall by whether the gold entity's text is a training entity."""
    spec = importlib.util.spec_from_file_location("ner_recipe_evaluate_split",
                                                  REPO / "pipelines" / "ner" / "evaluate.py")
    evaluate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(evaluate)
    from kg.evaluate import Sentence

    sentences = [Sentence("周明远在临江市调研。", [(0, 3, "PER"), (4, 7, "LOC")]),
                 Sentence("吴晓岚到青川县检查。", [(0, 3, "PER"), (4, 7, "LOC")])]
    predicted = [[(0, 3, "PERSON"), (4, 7, "PLACE")], [(0, 3, "PERSON"), (4, 6, "PLACE")]]
    by_seen = evaluate.recall_by_seen(sentences, predicted, {"周明远", "青川县"}, True)
    assert by_seen["seen"] == {"r": 0.5, "found": 1, "gold": 2}      # 青川县 cut short
    assert by_seen["unseen"] == {"r": 1.0, "found": 2, "gold": 2}
    assert evaluate.training_entities(tmp_path) is None               # no train.spacy
