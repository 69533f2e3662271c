"""Training data for the POS tagger and the dependency parser, as spaCy DocBins.

Tagger (`--task tagger`), from assets/199801.txt (People's Daily 1998-01, `word/tag`):
  the segmenter recipe's sentence split (pipelines/segmenter/corpus.py: sentence i is
  test when i % 10 == 9), so "pipeline words" on the test split come from a segmenter
  that never saw them; dev = sentences with i % 20 == 8 (out of train).
  Out: OUT/tagger/{train,dev,test}.spacy, OUT/tagger/test.txt (word/tag lines).
Parser (`--task parser`), from CORPORA/csdp/*.conll (SemEval-2016 semantic dependencies):
  a word may have several heads (its line repeats); a tree parser keeps the first one
  (checked: no cycle, one root per sentence). train = text.valid + text.test +
  news.valid (but every 5th news.valid sentence, the dev set); test = news.test, never
  trained on. Out: OUT/parser/{train,dev,test}.spacy.

Why the augmentations:
- both corpora write digits and Latin letters full width, while `kg.ingest` gives
  half-width ASCII: half the training sentences are converted to half width;
- the pipeline parses whole articles, so the parser must learn where sentences end:
  training docs join 1-4 consecutive sentences (deterministic).

    python pipelines/syntax/corpus.py --task tagger|parser [--assets DIR]
        [--corpora DIR] [--out DIR] [--limit N]
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FULLWIDTH_TO_ASCII = {code + 0xFEE0: code for code in range(0x21, 0x7F)}
TEST_EVERY = 10
DEV_EVERY = 20
NEWS_DEV_EVERY = 5
CSDP_TRAIN = ("text.valid", "text.test", "news.valid")
CSDP_TEST = "news.test"


def _segmenter_corpus():
    """The segmenter recipe's reader (same sentence split)."""
    spec = importlib.util.spec_from_file_location("segmenter_corpus", REPO / "pipelines" / "segmenter" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tagged_words(line: str) -> list[tuple[str, str]]:
    """(word, tag) pairs of one People's Daily line; brackets and document ids dropped."""
    seg = _SEG
    pairs = []
    for token in line.split():
        if token.startswith("[") and len(token) > 1:
            token = token[1:]
        word, sep, tag = token.rpartition("/")
        if not sep or not word or not tag:
            raise ValueError(f"token without /tag: {token!r}")
        if seg.DOC_ID.match(word):
            continue
        tag = tag.split("]")[0]
        pairs.append((word, tag))
    return pairs


def read_tagged(path: Path, limit: int | None = None) -> list[list[tuple[str, str]]]:
    """Sentences of (word, tag), cut as the segmenter recipe cuts them."""
    sentences = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            try:
                pairs = tagged_words(line)
            except ValueError as err:
                raise ValueError(f"{path}:{line_no}: {err}") from None
            current = []
            for word, tag in pairs:
                current.append((word, tag))
                if word in _SEG.SENTENCE_END:
                    sentences.append(current)
                    current = []
            if current:
                sentences.append(current)
            if limit is not None and len(sentences) >= limit:
                return sentences[:limit]
    return sentences


def halfwidth(word: str) -> str:
    return word.translate(FULLWIDTH_TO_ASCII)


def read_csdp(path: Path) -> list[list[tuple[str, str, int, str]]]:
    """Sentences of (word, CTB tag, head index 0-based or -1 for root, label); first head kept."""
    sentences, rows = [], {}

    def flush():
        if rows:
            ids = sorted(rows)
            if ids != list(range(1, len(ids) + 1)):
                raise ValueError(f"{path}: word ids not 1..n in a sentence near {rows[ids[0]][0]!r}")
            sentences.append([(w, t, h - 1, lab) for _, (w, t, h, lab) in sorted(rows.items())])
            rows.clear()

    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            line = line.rstrip("\n")
            if not line.strip():
                flush()
                continue
            cols = line.split("\t")
            if len(cols) < 8:
                raise ValueError(f"{path}:{line_no}: expected 10 tab-separated columns")
            index = int(cols[0])
            if index not in rows:  # a second head of the same word: the first one is kept
                rows[index] = (cols[1], cols[3], int(cols[6]), cols[7])
    flush()
    return sentences


def make_doc(vocab, words: list[str], tags=None, heads=None, deps=None, sent_starts=None):
    from spacy.tokens import Doc

    # words joined by a space: the training configs read text with kg.words_tokenizer.v1,
    # which gives the gold words back (the zh character tokenizer would not)
    return Doc(vocab, words=words, spaces=[True] * (len(words) - 1) + [False], tags=tags, heads=heads,
               deps=deps, sent_starts=sent_starts)


def tagger_docs(vocab, sentences, ascii_every: int = 2):
    """One doc per sentence; every `ascii_every`-th sentence in half-width ASCII."""
    for i, sentence in enumerate(sentences):
        words = [w for w, _ in sentence]
        if ascii_every and i % ascii_every == 0:
            words = [halfwidth(w) for w in words]
        yield make_doc(vocab, words, tags=[t for _, t in sentence])


def parser_docs(vocab, sentences, join: bool = True, ascii_every: int = 2):
    """Docs of 1-4 consecutive sentences (heads as absolute indices), for sentence ends."""
    sizes = (1, 3, 2, 4)
    i = k = 0
    while i < len(sentences):
        group = sentences[i:i + (sizes[k % len(sizes)] if join else 1)]
        i += len(group)
        k += 1
        words, heads, deps, starts = [], [], [], []
        for sentence in group:
            offset = len(words)
            for j, (word, _tag, head, label) in enumerate(sentence):
                words.append(word)
                heads.append(offset + j if head < 0 else offset + head)
                deps.append("ROOT" if head < 0 else label)
                starts.append(j == 0)
        if ascii_every and k % ascii_every == 0:
            words = [halfwidth(w) for w in words]
        yield make_doc(vocab, words, heads=heads, deps=deps, sent_starts=starts)


def write_docbin(path: Path, docs) -> int:
    from spacy.tokens import DocBin

    path.parent.mkdir(parents=True, exist_ok=True)
    docbin = DocBin(store_user_data=False)
    for doc in docs:
        docbin.add(doc)
    docbin.to_disk(path)
    return len(docbin)


def build_tagger(source: Path, out: Path, limit: int | None = None) -> dict:
    import spacy

    vocab = spacy.blank("zh").vocab
    sentences = read_tagged(source, limit)
    test = [s for i, s in enumerate(sentences) if i % TEST_EVERY == TEST_EVERY - 1]
    dev = [s for i, s in enumerate(sentences) if i % TEST_EVERY != TEST_EVERY - 1 and i % DEV_EVERY == 8]
    train = [s for i, s in enumerate(sentences) if i % TEST_EVERY != TEST_EVERY - 1 and i % DEV_EVERY != 8]
    counts = {
        "train": write_docbin(out / "train.spacy", tagger_docs(vocab, train)),
        "dev": write_docbin(out / "dev.spacy", tagger_docs(vocab, dev)),
        "test": write_docbin(out / "test.spacy", tagger_docs(vocab, test)),
    }
    with (out / "test.txt").open("w", encoding="utf-8") as handle:
        for sentence in test:  # as written (full width): what the segmenter recipe tests on
            handle.write(" ".join(f"{w}/{t}" for w, t in sentence) + "\n")
    return counts


def build_parser(corpora: Path, out: Path, limit: int | None = None) -> dict:
    import spacy

    vocab = spacy.blank("zh").vocab
    train, dev = [], []
    for name in CSDP_TRAIN:
        path = corpora / "csdp" / f"{name}.conll"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: missing CSDP file")
        sentences = read_csdp(path)[:limit]
        if name == "news.valid":
            dev += [s for i, s in enumerate(sentences) if i % NEWS_DEV_EVERY == 0]
            train += [s for i, s in enumerate(sentences) if i % NEWS_DEV_EVERY != 0]
        else:
            train += sentences
    test = read_csdp(corpora / "csdp" / f"{CSDP_TEST}.conll")[:limit]
    counts = {
        "train": write_docbin(out / "train.spacy", parser_docs(vocab, train)),
        "dev": write_docbin(out / "dev.spacy", parser_docs(vocab, dev, join=False, ascii_every=0)),
        "test": write_docbin(out / "test.spacy", parser_docs(vocab, test, join=False, ascii_every=0)),
    }
    return counts


_SEG = _segmenter_corpus()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=("tagger", "parser"), required=True)
    parser.add_argument("--assets", type=Path, default=HERE / "assets")
    parser.add_argument("--corpora", type=Path, default=Path("/work/shared/corpora"))
    parser.add_argument("--out", type=Path, default=HERE / "corpus")
    parser.add_argument("--limit", type=int, default=None, help="first N sentences per file (tests)")
    args = parser.parse_args(argv)
    try:
        if args.task == "tagger":
            source = args.assets / "199801.txt"
            if not source.is_file():
                raise FileNotFoundError(f"{source}: not found (run assets first)")
            counts = build_tagger(source, args.out / "tagger", args.limit)
        else:
            counts = build_parser(args.corpora, args.out / "parser", args.limit)
    except (FileNotFoundError, ValueError) as err:
        print(f"corpus: {err}", file=sys.stderr)
        return 1
    print(f"{args.out / args.task}: " + ", ".join(f"{k} {v} docs" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
