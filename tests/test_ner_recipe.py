"""The NER recipe end to end on a few dozen sentences: convert -> train -> evaluate -> package.

Real files in both corpus formats, the real config, a real (short) spaCy training run.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin
from spacy.vocab import Vocab

REPO = Path(__file__).resolve().parents[1]
RECIPE = REPO / "pipelines" / "ner"

PEOPLE = ["张伟", "李娜", "刘洋", "陈静"]
PLACES = ["杭州", "成都", "武汉", "西安"]
AGENCIES = ["财政部", "教育部", "环保局"]
COMPANIES = ["华光公司", "清华大学"]


def load_recipe(name: str):
    spec = importlib.util.spec_from_file_location(f"ner_recipe_{name}", RECIPE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def write_msra(path: Path) -> None:
    """MSRA-style BIO: person visits place, agency/company as ORG."""
    lines = []
    for i in range(30):
        person, place = PEOPLE[i % 4], PLACES[(i // 2) % 4]
        org = (AGENCIES + COMPANIES)[i % 5]
        parts = [(person, "PER"), ("昨天在", None), (place, "LOC"), ("参观了", None),
                 (org, "ORG"), (f"的第{i}个项目。", None)]
        for text, label in parts:
            for k, ch in enumerate(text):
                tag = "O" if label is None else ("B-" if k == 0 else "I-") + label
                lines.append(f"{ch}\t{tag}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_cluener(path: Path) -> None:
    """CLUENER-style JSON Lines, with a dropped class (book) and a position."""
    records = []
    for i in range(30):
        person, agency = PEOPLE[(i + 1) % 4], AGENCIES[i % 3]
        text = f"{agency}局长{person}在《第{i}本书》发布会上说，{PLACES[i % 4]}市人民路{i}号将开放。"
        spans = [(agency, "government"), ("局长", "position"), (person, "name"),
                 (f"《第{i}本书》", "book"), (f"{PLACES[i % 4]}市人民路{i}号", "address")]
        entity_list = []
        for entity, label in spans:
            begin = text.index(entity)
            entity_list.append({"entity_type": label, "entity": entity,
                                "entity_index": {"begin": begin, "end": begin + len(entity)}})
        records.append(json.dumps({"text": text, "entity_list": entity_list}, ensure_ascii=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(records) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpora")
    write_msra(root / "msra" / "train.bio")
    write_cluener(root / "cluener" / "train.jsonl")
    return root


def test_split_msra_org_by_head_word():
    convert = load_recipe("convert")
    for name in ("国务院", "外交部", "县委", "市人民政府", "公安局", "人民法院", "全国政协", "解放军",
                 "中国人民银行", "证监会", "美联储", "海军陆战队", "公安机关"):
        assert convert.split_msra_org(name) == "AGENCY", name
    for name in ("新华社", "北京大学", "中国队", "俱乐部", "人民医院", "科学院", "联合国", "华光公司",
                 "招商银行", "奥运会组委会", "电竞战队"):
        assert convert.split_msra_org(name) == "ORG", name


def test_recipe_convert_train_evaluate_package(corpora, tmp_path):
    convert = load_recipe("convert")
    train = load_recipe("train")
    evaluate = load_recipe("evaluate")
    package = load_recipe("package")
    select_checkpoint = load_recipe("select_checkpoint")

    data = tmp_path / "corpus"
    stats = convert.convert(corpora, data, msra_dev_percent=30, cluener_dev_percent=30)
    for name in ("train.spacy", "dev.spacy", "dev_msra.spacy", "dev_cluener.spacy",
                 "dev_msra.bio", "dev_cluener.jsonl", "stats.json"):
        assert (data / name).is_file(), name
    assert stats["msra:dev_sentences"] > 0 and stats["cluener:dev_sentences"] > 0
    # MSRA ORG split, CLUENER mapping, its other classes outside any entity
    assert stats["msra:AGENCY"] > 0 and stats["msra:ORG"] > 0
    assert stats["cluener:ADDRESS"] == 30 and stats["cluener:POSITION"] == 30
    assert stats["cluener:outside:book"] == 30
    # every sentence carries its corpus's text style, the text_style classifier's gold
    dev_docs = {name: list(DocBin().from_disk(data / f"dev_{name}.spacy").get_docs(Vocab()))
                for name in ("msra", "cluener")}
    assert all(doc.cats == {"press": 1.0, "web": 0.0} for doc in dev_docs["msra"])
    assert all(doc.cats == {"press": 0.0, "web": 1.0} for doc in dev_docs["cluener"])

    training = tmp_path / "training"
    style = train.train(data, training / "text_style", train.STYLE_CONFIG, max_steps=20,
                        eval_frequency=10)
    best = train.train(data, training, train.DEFAULT_CONFIG, max_steps=12, eval_frequency=6,
                       checkpoints=True)
    assert (best / "config.cfg").is_file()
    curve = [json.loads(line) for line in (training / "dev_curve.jsonl").read_text().splitlines()]
    assert [row["step"] for row in curve] == [0, 6, 12]

    # every evaluated model is kept; the one with the best mean of both dev F1 is chosen
    kept = sorted(path.name for path in (training / "checkpoints").iterdir())
    assert kept == ["step-000000", "step-000006", "step-000012"]
    table = select_checkpoint.select(training, data)
    assert [row["checkpoint"] for row in table["checkpoints"]] == kept
    means = {row["checkpoint"]: row["mean_f"] for row in table["checkpoints"]}
    assert means[table["selected"]] == max(means.values())
    assert json.loads((training / "checkpoints.json").read_text()) == table
    assert (training / "model-selected" / "config.cfg").is_file()

    metrics = evaluate.evaluate_model(best, data)
    for name in ("msra", "cluener", "cluener_merged"):
        overall = metrics[name]["overall"]
        for key in ("p", "r", "f"):
            assert 0.0 <= overall[key] <= 1.0 and not math.isnan(overall[key])
    assert metrics["msra"]["chars_per_second"] > 0 and metrics["cluener"]["chars_per_second"] > 0
    assert set(metrics["msra"]["labels"]) <= {"PERSON", "PLACE", "ORG"}  # AGENCY merged

    # swapping in the same classifier: it reads every training sentence alike
    info = package.package(best, tmp_path / "packaged", text_style=style, data=data)
    assert info["text_style_agreement"] == 1.0
    assert "kg_words" not in info["pipeline"]
    assert info["pipeline"][:2] == ["text_style", "kg_char_features"]
    assert (style / "config.cfg").is_file()
    assert {"PERSON", "PLACE", "AGENCY", "ORG", "ADDRESS", "POSITION"} <= set(info["labels"])
    reloaded = evaluate.evaluate_model(tmp_path / "packaged", data)
    assert reloaded["msra"]["overall"] == metrics["msra"]["overall"]

    # a decoding threshold written into the packaged config reaches the component
    package.package(best, tmp_path / "hesitant", min_confidence=0.99)
    reloaded = spacy.load(tmp_path / "hesitant")
    assert reloaded.get_pipe("kg_char_ner").min_confidence == 0.99
    assert reloaded.config["components"]["kg_char_ner"]["min_confidence"] == 0.99
