"""`kg ner [FILE|-]`: one text per line in, JSON Lines of entities out.

The same pipeline as `kg build`, before canonicalisation. Lines are processed in
batches with `nlp.pipe`, so output order equals input order; an empty line gives
an empty entity list.
"""

from __future__ import annotations

import json
import sys
from typing import Iterable, Iterator, TextIO


def configure_parser(parser) -> None:
    parser.add_argument("input", nargs="?", default="-", metavar="FILE", help="text file, one text per line (- = stdin)")
    parser.add_argument("--model", help="spaCy pipeline folder (default: the packaged one)")
    parser.add_argument("--batch-size", type=int, default=64)


def entities_of(doc) -> list[dict]:
    return [{"start": e.start_char, "end": e.end_char, "label": e.label_, "text": e.text} for e in doc.ents]


def tag_lines(nlp, lines: Iterable[str], batch_size: int = 64) -> Iterator[dict]:
    from .pipeline import entities_only

    texts = (line.rstrip("\r\n") for line in lines)
    with entities_only(nlp):
        for doc, text in nlp.pipe(((text, text) for text in texts), batch_size=batch_size,
                                  as_tuples=True):
            yield {"text": text, "entities": entities_of(doc)}


def run(args) -> int:
    from .pipeline import load_pipeline

    nlp = load_pipeline(args.model)
    try:
        stream: TextIO = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8-sig")
    except OSError as exc:
        print(f"kg ner: {args.input}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        with stream:
            for record in tag_lines(nlp, stream, args.batch_size):
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    except UnicodeDecodeError as exc:
        print(f"kg ner: {args.input}: not UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr)
        return 2
    return 0
