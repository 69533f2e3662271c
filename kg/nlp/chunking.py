"""Long texts through the pipeline in bounded pieces.

The pipeline's cost per Doc is not linear in its length (one 1 MB line took 124 s and
7.2 GB), and spaCy refuses a text longer than `nlp.max_length` (E088). So every text
goes through the pipeline as chunks of at most `max_chars` characters, cut at the
largest unit that fits: paragraphs (newline), then sentences (。！？；), then clauses
(，、：), and only a run with none of these is cut blindly. A text that fits in one
chunk is one Doc, exactly as before; a longer one is joined back into one Doc
(`Doc.from_docs`) whose text and character offsets are those of the whole text, so the
stages after the pipeline see one document. `nlp.max_length` is never relied on.

Context beyond a chunk is lost to the components (a name written in full in one chunk
and by surname in the next); chunks are large enough that this only happens in texts
far longer than an article.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Callable, Iterable, Iterator

import numpy
from spacy.language import Language
from spacy.tokens import Doc

# Large enough for any press release in one piece, small enough that a batch of
# chunks holds a bounded amount of text (benchmarks/long_text_benchmark.py).
MAX_CHUNK_CHARS = 5000
# The encoder's memory grows with the characters of a batch, and its speed per character
# drops with it (cache misses): 32 chunks of 5000 characters peaked at 3.3 GB.
MAX_BATCH_CHARS = 20000

# Splitters from the largest unit to the smallest; each piece keeps its terminator.
_SPLITTERS = (
    re.compile(r"[^\n]*\n+|[^\n]+"),
    re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』）)]*|[^。！？；!?;]+"),
    re.compile(r"[^，、：,:\s]*[，、：,:\s]+|[^，、：,:\s]+"),
)


def chunk_bounds(text: str, max_chars: int = MAX_CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) of consecutive chunks covering `text`, each at most `max_chars` long.

    Linear in len(text); an empty text is one empty chunk."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    if len(text) <= max_chars:
        return [(0, len(text))]
    bounds: list[tuple[int, int]] = []
    _pack(text, 0, len(text), 0, max_chars, bounds)
    return bounds


def _pack(text: str, start: int, end: int, level: int, max_chars: int, bounds: list[tuple[int, int]]) -> None:
    """Append chunks of text[start:end] to `bounds`, greedily packing pieces of `level`."""
    if level == len(_SPLITTERS):  # no boundary left: cut every max_chars characters
        for cut in range(start, end, max_chars):
            _append(bounds, cut, min(cut + max_chars, end), max_chars)
        return
    for piece in _SPLITTERS[level].finditer(text, start, end):
        piece_start, piece_end = piece.span()
        if piece_end - piece_start > max_chars:
            _pack(text, piece_start, piece_end, level + 1, max_chars, bounds)
        else:
            _append(bounds, piece_start, piece_end, max_chars)


def _append(bounds: list[tuple[int, int]], start: int, end: int, max_chars: int) -> None:
    """Extend the last chunk with [start, end) when the two fit together, else open a new one."""
    if bounds and bounds[-1][1] == start and end - bounds[-1][0] <= max_chars:
        bounds[-1] = (bounds[-1][0], end)
    else:
        bounds.append((start, end))


# How one item of a Doc-level result list moves when its chunk sits `shift` characters into
# the whole text: components whose results hold offsets register here (extension name, or
# doc.user_data key). Results of other Doc extensions take the value most chunks had.
SHIFTERS: dict[str, Callable[[Any, int], Any]] = {}


def register_shift(key: str, shift: Callable[[Any, int], Any]) -> None:
    SHIFTERS[key] = shift


def pipe_chunks(nlp: Language, items: Iterable[tuple[str, Any]], *, max_chars: int = MAX_CHUNK_CHARS,
                batch_size: int = 32, max_batch_chars: int = MAX_BATCH_CHARS,
                prepare: Callable[[Doc, Any], None] | None = None) -> Iterator[tuple[Any, int, Doc, bool]]:
    """(context, offset, chunk_doc, is_last) for every chunk of every (text, context) item, in order.

    Streams: a batch holds at most `batch_size` chunks and, unless one chunk is longer,
    `max_batch_chars` characters. `prepare(doc, context)` runs on each chunk's Doc before
    the pipeline (to set Doc extensions the components read)."""
    max_chars = min(max_chars, nlp.max_length)  # a pipeline may set a lower limit; never a higher one
    batch: list[tuple[Doc, tuple[Any, int, bool]]] = []
    batch_chars = 0
    for text, context in items:
        bounds = chunk_bounds(text, max_chars)
        for i, (start, end) in enumerate(bounds):
            if batch and (len(batch) >= batch_size or batch_chars + end - start > max_batch_chars):
                yield from _run_batch(nlp, batch)
                batch, batch_chars = [], 0
            doc = nlp.make_doc(text[start:end])
            if prepare is not None:
                prepare(doc, context)
            batch.append((doc, (context, start, i == len(bounds) - 1)))
            batch_chars += end - start
    if batch:
        yield from _run_batch(nlp, batch)


def _run_batch(nlp: Language, batch: list) -> Iterator[tuple[Any, int, Doc, bool]]:
    for doc, (context, start, last) in nlp.pipe(batch, batch_size=len(batch), as_tuples=True):
        yield context, start, doc, last


def pipe_docs(nlp: Language, items: Iterable[tuple[str, Any]], *, max_chars: int = MAX_CHUNK_CHARS,
              batch_size: int = 32, max_batch_chars: int = MAX_BATCH_CHARS,
              prepare: Callable[[Doc, Any], None] | None = None) -> Iterator[tuple[Doc, Any]]:
    """(doc, context) per (text, context) item: `nlp.pipe(..., as_tuples=True)` for texts of any length."""
    pending: list[Doc] = []
    for context, _offset, doc, last in pipe_chunks(nlp, items, max_chars=max_chars, batch_size=batch_size,
                                                   max_batch_chars=max_batch_chars, prepare=prepare):
        if pending or not last:  # a chunk of a long text: its encoder output is dropped (see join_docs)
            doc.tensor = numpy.zeros((0,), dtype="float32")
        pending.append(doc)
        if last:
            yield join_docs(pending), context
            pending = []


def join_docs(docs: list[Doc]) -> Doc:
    """One Doc of consecutive chunk Docs: tokens, entities, span groups and span
    extensions at the whole text's offsets; registered result lists (events, roles,
    see `register_shift`) are joined with their offsets moved; any other Doc extension
    takes the value most chunks had (the first chunk's when values cannot be counted). The joined Doc has
    no tensor: the encoder's output (192 floats a character) took twice the memory
    of all the rest, and no stage after the pipeline reads it."""
    if len(docs) == 1:
        return docs[0]
    doc_values: dict[Any, list[tuple[int, Any]]] = {}  # key -> (chunk offset, value) per chunk
    shift = 0
    for doc in docs:
        for key in list(doc.user_data):
            if not (isinstance(key, tuple) and len(key) == 4 and key[0] == "._." and key[2] is not None):
                # Doc extensions and private caches (kg.text) have no span offsets for from_docs to shift.
                doc_values.setdefault(key, []).append((shift, doc.user_data.pop(key)))
        shift += len(doc.text)
    joined = Doc.from_docs(docs, ensure_whitespace=False, exclude=["tensor"])
    for key, values in doc_values.items():
        name = key[1] if isinstance(key, tuple) else key
        if name in SHIFTERS:
            joined.user_data[key] = [SHIFTERS[name](item, at) for at, value in values for item in value or ()]
        elif isinstance(key, tuple) and key[:1] == ("._.",):
            joined.user_data[key] = _most_common([value for _, value in values])
    return joined


def _most_common(values: list) -> Any:
    try:
        return Counter(values).most_common(1)[0][0]
    except TypeError:  # unhashable values (sets, lists)
        return values[0]


__all__ = ["MAX_BATCH_CHARS", "MAX_CHUNK_CHARS", "chunk_bounds", "join_docs", "pipe_chunks", "pipe_docs", "register_shift"]
