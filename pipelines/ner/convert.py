"""Convert MSRA (BIO) and CLUENER (JSON Lines) into spaCy DocBin train/dev sets.

Inputs : CORPORA/msra/train.bio, CORPORA/cluener/train.jsonl
Outputs: OUT/train.spacy, OUT/dev.spacy (mixed dev used during training),
         OUT/dev_msra.spacy, OUT/dev_cluener.spacy, OUT/dev_msra.bio,
         OUT/dev_cluener.jsonl (the held-out text, for `kg evaluate` and the
         benchmark), OUT/speed_text.txt (about 1 MB of distinct sentences, dev
         first, for speed measurements: no repeated text that a cache could serve),
         OUT/stats.json

Labels (internal model labels; see README.md for why):
  MSRA    PER -> PERSON, LOC -> PLACE, ORG -> AGENCY or ORG (`split_msra_org`)
  CLUENER name -> PERSON, address -> ADDRESS, government -> AGENCY,
          organization/company -> ORG, position -> POSITION,
          scene/book/game/movie -> outside any entity (O)

Text style (doc.cats, for the `text_style` classifier; see README.md): every MSRA
sentence is "press" (newspaper of record: every place is labelled), every CLUENER
sentence is "web" (news-portal text: places inside addresses, most countries and
provinces left unlabelled).

The split is deterministic: a sentence goes to dev when the MD5 of its text falls in
the dev bucket (5 % of MSRA, 10 % of CLUENER), so identical sentences never sit on
both sides. Then every dev sentence that shares a 12-character run with any training
sentence (of either corpus) is dropped: from dev, and not moved to training, so the
training part stays exactly what the MD5 bucket gives (the shipped model's) and the
honest dev is a subset of the old one (README, "Split"). A dev sentence shorter than
12 characters is dropped when it occurs whole inside a training sentence.
With --msra-block-size N, MSRA dev is drawn by blocks of N consecutive sentences
(whole articles: names a dev sentence shares with its own article's training
sentences are the leak a sentence split cannot see), then filtered the same way;
training then differs from the shipped model's, which cannot be scored on it.

With --augment R, about R copies of each training sentence that names a person,
place, agency or organisation are added to train.spacy, those names replaced by
others of the same class (augment.py: names from the training split, the gazetteer
and synthetic persons, never from dev; no copy shares a 12-character run with dev).
Dev is the same with or without it. --augment-share P replaces each name of a copy
with probability P only.

Usage: python pipelines/ner/convert.py [--corpora DIR] [--out DIR] [--msra-block-size N]
           [--augment R] [--augment-seed N] [--augment-share P] [--augment-corpora C ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import numpy  # noqa: E402
import spacy  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

from kg.nlp.lexicon import is_organ_name  # noqa: E402
from spacy.util import filter_spans  # noqa: E402

from kg.evaluate import Sentence, read_bio, read_cluener  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import augment as augmentation  # noqa: E402  (pipelines/ner/augment.py)

DEFAULT_CORPORA = Path("/work/shared/corpora")
DEFAULT_OUT = Path(__file__).resolve().parent / "corpus"

CLUENER_LABELS = {
    "name": "PERSON",
    "address": "ADDRESS",
    "government": "AGENCY",
    "organization": "ORG",
    "company": "ORG",
    "position": "POSITION",
}
# CLUENER's other classes are its convention's "not a name we want": scenic spots are no
# addresses, a name in a film title is no person. With the text style in the features
# the model can learn that for web text alone (README: worth about +0.02 on CLUENER).
CLUENER_OUTSIDE = {"scene", "book", "game", "movie"}
MSRA_LABELS = {"PER": "PERSON", "LOC": "PLACE"}
TEXT_STYLES = ("press", "web")
CORPUS_STYLE = {"msra": "press", "cluener": "web"}

# --- MSRA ORG -> AGENCY / ORG, by the head (last) word of the name -------------
# The head words live in kg/nlp/lexicon.py (ORGAN_NAME_HEADS, NON_ORGAN_NAME_HEADS):
# the pipeline's merger labels the model's output by the same split it was taught.


def split_msra_org(name: str) -> str:
    """AGENCY for Party and state organs (by the head word of the name), else ORG.

    MSRA's ORG mixes 国务院, 外交部, 县委 with 新华社, 北京大学, 中国队; the project
    separates government bodies (AGENCY) from everything else (ORG: companies,
    schools, hospitals, media, NGOs, associations, teams, international bodies).
    """
    return "AGENCY" if is_organ_name(name) else "ORG"


def msra_label(raw: str, name: str) -> str:
    return split_msra_org(name) if raw == "ORG" else MSRA_LABELS[raw]


def internal_label(corpus: str, raw: str, name: str) -> str | None:
    """The model's label for a gold span of `corpus` (None: outside any entity)."""
    if corpus == "msra":
        return msra_label(raw, name) if raw in ("PER", "LOC", "ORG") else None
    return CLUENER_LABELS.get(raw)


def in_dev(text: str, dev_percent: int) -> bool:
    """Deterministic split bucket from the text itself."""
    return int(hashlib.md5(text.encode("utf-8")).hexdigest()[:8], 16) % 100 < dev_percent


OVERLAP_CHARS = 12  # the run length ../shared/corpora was filtered by against the official tests


class TrainingRuns:
    """Hashes of every `n`-character run of the training sentences, to test dev sentences.

    One sorted array of 64-bit hashes (about 2.5 M runs, 20 MB; a Python set of the
    strings would take ten times that): building is linear plus a sort, a lookup is a
    binary search. A hash collision can only drop a clean dev sentence, never keep a
    leaking one. Dev sentences shorter than `n` are tested whole against the joined
    training text (few, so a substring search each is cheap).
    """

    def __init__(self, texts: list[str], n: int = OVERLAP_CHARS):
        self.n = n
        self.hashes = numpy.unique(numpy.fromiter(
            (hash(text[i:i + n]) for text in texts for i in range(len(text) - n + 1)),
            dtype=numpy.int64))
        self.joined = "\n".join(texts)

    def shares_run(self, text: str) -> bool:
        """True when `text` has an n-character run (or, if shorter, its whole text) in training."""
        if len(text) < self.n:
            return text in self.joined
        if not len(self.hashes):
            return False
        runs = numpy.fromiter((hash(text[i:i + self.n]) for i in range(len(text) - self.n + 1)),
                              dtype=numpy.int64)
        found = numpy.searchsorted(self.hashes, runs)
        found[found == len(self.hashes)] = 0
        return bool((self.hashes[found] == runs).any())


def make_doc(nlp, sentence: Sentence, corpus: str, stats: Counter):
    """A Doc with the sentence's entities and its corpus's text style; CLUENER's other
    classes are outside any entity."""
    doc = nlp.make_doc(sentence.text)
    entities = []
    for start, end, raw in sentence.spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            stats[f"{corpus}:unaligned"] += 1
            continue
        if corpus == "msra":
            label = msra_label(raw, sentence.text[start:end])
        elif raw in CLUENER_OUTSIDE:
            stats[f"{corpus}:outside:{raw}"] += 1
            continue
        else:
            label = CLUENER_LABELS[raw]
        entities.append(doc.char_span(span.start_char, span.end_char, label=label))
        stats[f"{corpus}:{label}"] += 1
    kept = filter_spans(entities)
    stats[f"{corpus}:overlap_dropped"] += len(entities) - len(kept)
    doc.set_ents(kept, default="outside")
    doc.cats = {style: float(style == CORPUS_STYLE[corpus]) for style in TEXT_STYLES}
    return doc


def write_bio(path: Path, sentences: list[Sentence]) -> None:
    """Write MSRA-style BIO with the original labels (held-out text for kg evaluate)."""
    with open(path, "w", encoding="utf-8") as out:
        for sentence in sentences:
            tags = ["O"] * len(sentence.text)
            for start, end, label in sentence.spans:
                tags[start] = f"B-{label}"
                for i in range(start + 1, end):
                    tags[i] = f"I-{label}"
            out.writelines(f"{ch}\t{tag}\n" for ch, tag in zip(sentence.text, tags))
            out.write("\n")


def write_speed_text(path: Path, held_out: dict, msra: list, cluener: list,
                     size: int = 1_000_000) -> None:
    """One distinct sentence per line, dev sentences first, until `size` UTF-8 bytes."""
    seen, lines, total = set(), [], 0
    for sentence in held_out["msra"] + held_out["cluener"] + msra + cluener:
        text = sentence.text.strip()
        if not text or text in seen:
            continue
        seen.add(text)
        lines.append(text)
        total += len(text.encode("utf-8")) + 1
        if total >= size:
            break
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_cluener(path: Path, sentences: list[Sentence]) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for sentence in sentences:
            entities = [
                {"entity_type": label, "entity": sentence.text[s:e],
                 "entity_index": {"begin": s, "end": e}}
                for s, e, label in sentence.spans
            ]
            out.write(json.dumps({"text": sentence.text, "entity_list": entities},
                                 ensure_ascii=False) + "\n")


def split_key(corpus: str, index: int, text: str, msra_block_size: int) -> str:
    """What the dev bucket is drawn from: the sentence's text, or with `msra_block_size`
    the number of its block of consecutive MSRA sentences (the file keeps People's
    Daily's article order, so a block holds whole articles but for its two ends)."""
    if corpus == "msra" and msra_block_size > 0:
        return f"block:{index // msra_block_size}"
    return text


def convert(corpora: Path, out: Path, msra_dev_percent: int = 5,
            cluener_dev_percent: int = 10, train_dev_max_msra: int = 2000,
            msra_block_size: int = 0, augment: float = 0.0, augment_seed: int = 0,
            augment_share: float = 1.0, places: tuple[list[str], list[str]] | None = None,
            augment_corpora: tuple[str, ...] = ("msra", "cluener")) -> dict:
    """Read both corpora, split, write DocBins and held-out text; return stats."""
    nlp = spacy.blank("zh")
    stats: Counter = Counter()
    msra = read_bio(corpora / "msra" / "train.bio")
    cluener = read_cluener(corpora / "cluener" / "train.jsonl")
    splits = {"train": DocBin(), "dev": DocBin(), "dev_msra": DocBin(), "dev_cluener": DocBin()}
    held_out = {"msra": [], "cluener": []}
    bucket = {"msra": [], "cluener": []}
    training_texts, training_sentences = [], []
    for corpus, sentences, percent in (("msra", msra, msra_dev_percent),
                                       ("cluener", cluener, cluener_dev_percent)):
        for index, sentence in enumerate(sentences):
            if not sentence.text.strip():
                continue
            if in_dev(split_key(corpus, index, sentence.text, msra_block_size), percent):
                bucket[corpus].append(sentence)
                continue
            splits["train"].add(make_doc(nlp, sentence, corpus, stats))
            training_texts.append(sentence.text)
            training_sentences.append((corpus, sentence))
            stats[f"{corpus}:train_sentences"] += 1
    runs = TrainingRuns(training_texts)
    for corpus in ("msra", "cluener"):
        for sentence in bucket[corpus]:
            if runs.shares_run(sentence.text):
                stats[f"{corpus}:dev_dropped_overlap"] += 1
                continue
            doc = make_doc(nlp, sentence, corpus, stats)
            held_out[corpus].append(sentence)
            splits[f"dev_{corpus}"].add(doc)
            if corpus == "cluener" or len(held_out[corpus]) <= train_dev_max_msra:
                splits["dev"].add(doc)
            stats[f"{corpus}:dev_sentences"] += 1
    if augment > 0:
        dev_texts = [sentence.text for corpus in held_out for sentence in held_out[corpus]]
        for corpus, sentence in augmentation.augment(training_sentences, dev_texts, augment,
                                                      internal_label, places, augment_seed,
                                                      augment_share):
            if corpus not in augment_corpora:
                continue
            splits["train"].add(make_doc(nlp, sentence, corpus, stats))
            stats[f"{corpus}:augmented_sentences"] += 1
    out.mkdir(parents=True, exist_ok=True)
    for name, docbin in splits.items():
        docbin.to_disk(out / f"{name}.spacy")
        stats[f"docs:{name}"] = len(docbin)
    write_speed_text(out / "speed_text.txt", held_out, msra, cluener)
    write_bio(out / "dev_msra.bio", held_out["msra"])
    write_cluener(out / "dev_cluener.jsonl", held_out["cluener"])
    result = dict(sorted(stats.items()))
    (out / "stats.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA,
                        help="folder with msra/train.bio and cluener/train.jsonl")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--msra-dev-percent", type=int, default=5)
    parser.add_argument("--cluener-dev-percent", type=int, default=10)
    parser.add_argument("--train-dev-max-msra", type=int, default=2000,
                        help="MSRA dev sentences in the dev set evaluated during training")
    parser.add_argument("--msra-block-size", type=int, default=0,
                        help="draw MSRA dev by blocks of N consecutive sentences (articles) "
                             "instead of by sentence; 0 = by sentence, the shipped model's split")
    parser.add_argument("--augment", type=float, default=0.0, metavar="R",
                        help="add about R entity-replaced copies per training sentence with "
                             "names (augment.py); 0 = none, the shipped model's corpus")
    parser.add_argument("--augment-seed", type=int, default=0)
    parser.add_argument("--augment-share", type=float, default=1.0, metavar="P",
                        help="replace each name of a copy with probability P (1 = every name)")
    parser.add_argument("--augment-corpora", nargs="+", default=["msra", "cluener"],
                        choices=["msra", "cluener"], help="whose sentences get copies")
    args = parser.parse_args(argv)
    for required in (args.corpora / "msra" / "train.bio", args.corpora / "cluener" / "train.jsonl"):
        if not required.is_file():
            print(f"convert: missing input {required}", file=sys.stderr)
            return 2
    stats = convert(args.corpora, args.out, args.msra_dev_percent,
                    args.cluener_dev_percent, args.train_dev_max_msra, args.msra_block_size,
                    args.augment, args.augment_seed, args.augment_share,
                    augment_corpora=tuple(args.augment_corpora))
    print(json.dumps(stats, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
