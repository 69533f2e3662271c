"""Turn the tagged People's Daily file into pkuseg training text.

Input: assets/199801.txt (`word/tag` tokens separated by spaces).
Output: corpus/train.txt and corpus/test.txt, one sentence per line, words
separated by one space; a deterministic 90/10 split (every 10th sentence
goes to test), so the split never depends on a random seed.

Choices:
- the leading document id token (`19980101-01-001-001/m`) is dropped;
- bracketed compounds (`[中央/n 人民/n 广播/vn 电台/n]nt`) are kept as their
  parts, the PKU word convention (the compound is a named entity, not a word);
- paragraphs are split into sentences after 。！？； so lines stay short.

    python pipelines/segmenter/corpus.py [--source FILE] [--out-dir DIR] [--limit N]
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Iterable, Iterator

HERE = Path(__file__).resolve().parent
DOC_ID = re.compile(r"^\d{8}-\d{2}-\d{3}-\d{3}$")
SENTENCE_END = {"。", "！", "？", "；"}
TEST_EVERY = 10  # every 10th sentence is held out: a 90/10 split


def words_of_line(line: str) -> list[str]:
    """Words of one tagged line, tags, brackets and document id removed."""
    words = []
    for token in line.split():
        if token.startswith("[") and len(token) > 1:
            token = token[1:]
        word, sep, tag = token.rpartition("/")
        if not sep or not word:
            raise ValueError(f"token without /tag: {token!r}")
        if DOC_ID.match(word):
            continue
        words.append(word)
    return words


def split_sentences(words: list[str]) -> Iterator[list[str]]:
    """Cut a paragraph into sentences after sentence-final punctuation."""
    current: list[str] = []
    for word in words:
        current.append(word)
        if word in SENTENCE_END:
            yield current
            current = []
    if current:
        yield current


def read_sentences(path: Path, limit: int | None = None) -> list[list[str]]:
    """All sentences of the tagged file (first `limit` only, if given)."""
    sentences: list[list[str]] = []
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            try:
                words = words_of_line(line)
            except ValueError as err:
                raise ValueError(f"{path}:{line_no}: {err}") from None
            sentences.extend(split_sentences(words))
            if limit is not None and len(sentences) >= limit:
                return sentences[:limit]
    return sentences


def split_train_test(sentences: list[list[str]]) -> tuple[list, list]:
    """Deterministic 90/10 split: sentence i goes to test when i % 10 == 9."""
    train = [s for i, s in enumerate(sentences) if i % TEST_EVERY != TEST_EVERY - 1]
    test = [s for i, s in enumerate(sentences) if i % TEST_EVERY == TEST_EVERY - 1]
    return train, test


def write_lines(path: Path, sentences: Iterable[list[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        for words in sentences:
            handle.write(" ".join(words) + "\n")
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=HERE / "assets" / "199801.txt")
    parser.add_argument("--out-dir", type=Path, default=HERE / "corpus")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N sentences (for quick tests)")
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"{args.source}: not found (run assets.py first)", file=sys.stderr)
        return 1
    sentences = read_sentences(args.source, args.limit)
    train, test = split_train_test(sentences)
    n_train = write_lines(args.out_dir / "train.txt", train)
    n_test = write_lines(args.out_dir / "test.txt", test)
    print(f"{args.out_dir}: {n_train} train, {n_test} test sentences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
