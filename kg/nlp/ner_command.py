"""`kg ner [FILE|-]`: one text per line in, JSON Lines of entities out.

The same pipeline as `kg build`, before canonicalisation. Lines are processed in
batches with `nlp.pipe`, so output order equals input order; an empty line gives
an empty entity list. Every input line gives exactly one output line:
- lines end at "\\n" only (a trailing "\\r" of CRLF is dropped); a bare CR, U+2028 or
  U+0085 inside a line stays part of its text, and is escaped in the JSON output so that
  no reader splits the record;
- bytes that are not UTF-8 are replaced by U+FFFD, and the line is reported on stderr
  (`kg ner: FILE:LINE: ...`); the other lines are tagged as usual (exit status 0);
- a line of any length is tagged in chunks (kg/nlp/chunking.py), in bounded memory.
"""

from __future__ import annotations

import json
import sys
from typing import BinaryIO, Iterable, Iterator
from ..cli import count_at_least

# Characters json.dumps leaves raw that str.splitlines (and JavaScript) treat as line ends.
_LINE_BREAKS_IN_JSON = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def configure_parser(parser) -> None:
    parser.add_argument("input", nargs="?", default="-", metavar="FILE", help="text file, one text per line (- = stdin)")
    parser.add_argument("--model", help="spaCy pipeline folder (default: the packaged one)")
    parser.add_argument("--batch-size", type=count_at_least(1), default=64, help="texts (chunks of long ones) per pipeline batch")




def entities_of(doc, offset: int = 0) -> list[dict]:
    return [{"start": e.start_char + offset, "end": e.end_char + offset, "label": e.label_, "text": e.text}
            for e in doc.ents]


def read_lines(stream: BinaryIO, name: str, warn=None) -> Iterator[str]:
    """The lines of a byte stream, split on b"\\n" only, decoded as UTF-8.

    A line with bytes that are not UTF-8 is decoded with U+FFFD in their place and
    reported through `warn(message)`."""
    warn = warn or (lambda message: print(message, file=sys.stderr))
    for line_no, raw in enumerate(stream, 1):
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if raw.endswith(b"\n"):
            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            warn(f"kg ner: {name}:{line_no}: not UTF-8 (byte 0x{raw[exc.start]:02x} at byte {exc.start}); "
                 f"bad bytes replaced by U+FFFD")
            yield raw.decode("utf-8", errors="replace")


def tag_lines(nlp, lines: Iterable[str], batch_size: int = 64, max_chars: int | None = None) -> Iterator[dict]:
    """One {"text", "entities"} record per line, in order; long lines go through in chunks."""
    from .chunking import MAX_CHUNK_CHARS, pipe_chunks
    from .pipeline import entities_only

    entities: list[dict] = []
    with entities_only(nlp):
        chunks = pipe_chunks(nlp, ((line, line) for line in lines), max_chars=max_chars or MAX_CHUNK_CHARS,
                             batch_size=batch_size)
        for text, offset, doc, last in chunks:
            entities += entities_of(doc, offset)
            if last:
                yield {"text": text, "entities": entities}
                entities = []


def json_line(record: dict) -> str:
    """One JSON Lines record: no raw character in it that any reader takes for a line end."""
    line = json.dumps(record, ensure_ascii=False)
    for char, escaped in _LINE_BREAKS_IN_JSON.items():
        if char in line:
            line = line.replace(char, escaped)
    return line + "\n"


def run(args) -> int:
    from .pipeline import load_pipeline

    name = "<stdin>" if args.input == "-" else args.input
    try:
        stream: BinaryIO = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")
    except OSError as exc:
        print(f"kg ner: {args.input}: {exc.strerror}", file=sys.stderr)
        return 2
    nlp = load_pipeline(args.model, entities_only=True)
    try:
        with stream:
            for record in tag_lines(nlp, read_lines(stream, name), args.batch_size):
                sys.stdout.write(json_line(record))
    except OSError as exc:
        print(f"kg ner: {name}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
