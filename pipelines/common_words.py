"""Build the list of name-shaped common words from jionlp's word frequencies.

Inputs : the jionlp package (idf.zip inside it, from PyPI)
Outputs: kg/models/common_words.txt (呼吁, 居住: two-character words a surname rule could take for a
         name; kg_people takes them only where the NER also reads a person)

Usage: python pipelines/common_words.py [--out PATH] [--max-idf 8.0]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.nlp.gazetteer import write_word_list  # noqa: E402
from kg.nlp.people import COMMON_WORD_MAX_IDF, PACKAGED_COMMON_WORDS, common_words_from_jionlp  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PACKAGED_COMMON_WORDS)
    parser.add_argument("--max-idf", type=float, default=COMMON_WORD_MAX_IDF)
    args = parser.parse_args(argv)
    words = common_words_from_jionlp(args.max_idf)
    write_word_list(words, args.out)
    print(f"{args.out}: {len(words)} words, {args.out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
