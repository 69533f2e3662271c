"""Word segmentation over a character-level Chinese Doc (spaCy component "kg_words").

The pipeline tokenizes one token per character (``spacy.blank("zh")``), which
suits the character-level NER.  Words still matter for later stages (keyword
heads, POS-like cues), so this component runs a pkuseg CRF model on the text
and records the words without changing the tokens:

- ``doc.spans["words"]``: one Span per word, in text order, covering every
  non-space character; whitespace is never part of a word (left out with
  ``word_spans = false``, as `kg ner` does);
- ``Token._.word_pos``: "B", "M", "E" or "S" (begin / middle / end of a
  multi-character word, single-character word), None on whitespace tokens.

The model (``features.msgpack`` + ``weights.npz``, trained by
``pipelines/segmenter``) is loaded from a local directory in ``initialize``
(default: the packaged ``kg/models/pkuseg``), and saved inside the pipeline
by ``to_disk``/``to_bytes``, so ``spacy.load`` never needs the network.
``crf_tables.npz`` beside them (``write_crf_tables``, run when the model is packaged)
holds the scorer's feature tables, so that start-up builds the scorer in
milliseconds instead of reading pkuseg's feature names (kg/nlp/crf_features.py); it
names the model it was made from, and without it (or for another model) the tables are
built from pkuseg at load, as before.
"""

import hashlib
import io
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Union

import numpy as np
import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import ensure_path, minibatch

from .crf_features import TextScores, compile_tables, cut_texts
from .spans import doc_text

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "pkuseg"
MODEL_FILES = ("features.msgpack", "weights.npz")
TABLES_FILE = "crf_tables.npz"  # optional: precomputed scorer tables (write_crf_tables)
SPANS_KEY = "words"
POS_KEY = "kg_words.word_pos"  # doc.user_data key: one B/M/E/S/space char per token
CACHE_SIZE = 4096  # segmented runs kept in memory (then the memory starts afresh)
NON_SPACE_RUN = re.compile(r"\S+")
# The training corpus (People's Daily) has no ASCII at all: digits, letters and
# punctuation are full width.  Map printable ASCII to its full-width form (same
# length) so "5.2%", "GDP", "(" hit the features the model learned.
ASCII_TO_FULLWIDTH = {
    code: code + 0xFEE0 for code in range(0x21, 0x7F)
}


class ModelAlphabet:
    """Maps text, char by char, to the alphabet the model was trained on.

    Why: the model saw simplified Chinese with full-width ASCII forms; for
    traditional-script news each character is mapped to its simplified form
    (OpenCC t2s on the single character), which keeps the length, so word
    offsets found on the mapped text are offsets in the original text.
    """

    def __init__(self) -> None:
        self.table: dict[int, int | str] = dict(ASCII_TO_FULLWIDTH)
        self.seen: set[str] = set()
        try:
            import opencc

            self._t2s = opencc.OpenCC("t2s")
        except (ImportError, OSError, RuntimeError):  # segmentation still works, less well
            self._t2s = None

    def __call__(self, text: str) -> str:
        if self._t2s is not None:
            new_chars = set(text) - self.seen
            for char in new_chars:
                simplified = self._t2s.convert(char)
                if len(simplified) == 1 and simplified != char and ord(char) not in self.table:
                    self.table[ord(char)] = simplified
            self.seen |= new_chars
        return text.translate(self.table)


def _word_pos_getter(token: Token) -> str | None:
    """Read the token's B/M/E/S letter from the per-doc string."""
    positions = token.doc.user_data.get(POS_KEY)
    if positions is None or token.i >= len(positions):
        return None
    letter = positions[token.i]
    return None if letter == " " else letter


if not Token.has_extension("word_pos"):
    Token.set_extension("word_pos", getter=_word_pos_getter)


def read_model_files(model_dir: Path) -> dict[str, bytes]:
    """The model files of a pkuseg directory, as bytes; clear error if missing."""
    model_dir = Path(model_dir)
    missing = [name for name in MODEL_FILES if not (model_dir / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{model_dir}: not a pkuseg model directory (missing {', '.join(missing)}); "
            "build one with pipelines/segmenter"
        )
    files = {name: (model_dir / name).read_bytes() for name in MODEL_FILES}
    if (model_dir / TABLES_FILE).is_file():
        files[TABLES_FILE] = (model_dir / TABLES_FILE).read_bytes()
    return files


def model_fingerprint(model_files: dict[str, bytes]) -> np.ndarray:
    """SHA-1 of the model's two files: which model a tables file was compiled from."""
    digest = hashlib.sha1()
    for name in MODEL_FILES:
        digest.update(model_files[name])
    return np.frombuffer(digest.digest(), dtype=np.uint8)


def build_scores(model_files: dict[str, bytes]) -> TextScores:
    """The CRF scorer: from the precomputed tables when they match the model, else from
    pkuseg's feature names (slow, about 1.5-2.7 s)."""
    from spacy_pkuseg.config import config

    packed = model_files.get(TABLES_FILE)
    if packed is not None:
        with np.load(io.BytesIO(packed)) as npz:
            tables = {name: npz[name] for name in npz.files}
        if np.array_equal(tables.pop("fingerprint", None), model_fingerprint(model_files)):
            with np.load(io.BytesIO(model_files["weights.npz"])) as npz:
                weights = np.ascontiguousarray(npz["w"], dtype=np.float64)
            return TextScores.from_tables(tables, weights)
        warnings.warn(f"kg_words: {TABLES_FILE} was made from another pkuseg model; "
                      "building the tables at load instead (slower start)")
    seg = load_pkuseg(model_files)
    return TextScores(seg.feature_extractor, seg.model, config.wordMin, config.wordMax,
                      seg.idx_to_tag)


def write_crf_tables(model_dir: Path) -> Path:
    """Precompute the scorer's tables for the pkuseg model in model_dir (packaging step)."""
    from spacy_pkuseg.config import config

    model_dir = Path(model_dir)
    files = read_model_files(model_dir)
    seg = load_pkuseg(files)
    tables = compile_tables(seg.feature_extractor, seg.model.n_tag, seg.idx_to_tag,
                            config.wordMin, config.wordMax)
    tables["fingerprint"] = model_fingerprint(files)
    np.savez_compressed(model_dir / TABLES_FILE, **tables)
    return model_dir / TABLES_FILE


def load_pkuseg(model_files: dict[str, bytes]):
    """A spacy_pkuseg segmenter built from the model bytes (no dictionary, no download)."""
    import spacy_pkuseg

    with tempfile.TemporaryDirectory(prefix="kg_pkuseg_") as tmp:
        for name, data in model_files.items():
            (Path(tmp) / name).write_bytes(data)
        seg = spacy_pkuseg.pkuseg(tmp, user_dict=None)
    seg.model.w = np.ascontiguousarray(seg.model.w, dtype=np.float64)
    return seg


@Language.factory("kg_words", default_config={"model_path": None, "word_spans": True})
class WordSegmenter:
    """Adds pkuseg words to a character-tokenized Doc (spans + B/M/E/S per token).

    `word_spans = false` leaves out the Span per word (the letters stay): making
    them cost about 1% of `kg ner`'s time, and nothing up to the entities reads them."""

    def __init__(self, nlp: Language, name: str = "kg_words", model_path: str | None = None,
                 word_spans: bool = True):
        self.name = name
        self.model_path = model_path
        self.word_spans = word_spans
        self._model_files: dict[str, bytes] | None = None
        self._scores = None
        self._cache: dict[str, list[str]] = {}
        self._alphabet = ModelAlphabet()

    # -- loading -----------------------------------------------------------
    def initialize(self, get_examples: Optional[Callable] = None, *, nlp: Optional[Language] = None,
                   model_path: Optional[Union[str, Path]] = None) -> None:
        """Load the pkuseg model from a local directory (never downloads)."""
        model_dir = Path(model_path or self.model_path or DEFAULT_MODEL_DIR)
        self._set_model(read_model_files(model_dir))

    def _set_model(self, model_files: dict[str, bytes]) -> None:
        # pkuseg's words, several times faster (kg/nlp/crf_features.py)
        self._scores = build_scores(model_files)
        self._model_files = model_files
        self._cache = {}

    # -- segmentation ------------------------------------------------------
    def segment(self, text: str) -> list[tuple[int, int]]:
        """(start, end) character offsets of the words of text; spaces are skipped."""
        return self.segment_texts([text])[0]

    def segment_texts(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        """`segment` for many texts, scored together (faster than one by one)."""
        if self._scores is None:
            raise ValueError(
                f"{self.name}: no segmentation model loaded; call nlp.initialize() "
                "or load a saved pipeline"
            )
        runs = [[(run.start(), run.group()) for run in NON_SPACE_RUN.finditer(self._alphabet(text))]
                for text in texts]
        # boilerplate lines (bylines, menus, footers) repeat across pages: remembered
        wanted = dict.fromkeys(run for text_runs in runs for _, run in text_runs)
        if len(self._cache) + len(wanted) > CACHE_SIZE:
            self._cache = {}
        new = [run for run in wanted if run not in self._cache]
        self._cache.update(zip(new, cut_texts(self._scores, new)))
        offsets = []
        for text_runs in runs:
            text_offsets = []
            for start, run in text_runs:
                for word in self._cache[run]:
                    text_offsets.append((start, start + len(word)))
                    start += len(word)
            offsets.append(text_offsets)
        return offsets

    def __call__(self, doc: Doc) -> Doc:
        return self._set_words(doc, self.segment(doc_text(doc)))

    def _set_words(self, doc: Doc, word_offsets: list[tuple[int, int]]) -> Doc:
        offsets = np.asarray(word_offsets, dtype=np.int64).reshape(-1, 2)
        token_starts = doc.to_array("IDX").astype(np.int64).reshape(-1)
        # the token holding a word's first char, and the one after the token holding its last
        firsts = np.searchsorted(token_starts, offsets[:, 0], side="right") - 1
        ends = np.searchsorted(token_starts, offsets[:, 1], side="left")
        spans: list[Span] = []
        positions = [" "] * len(doc)
        last_end = -1
        for first, end in zip(firsts.tolist(), ends.tolist()):
            first = max(first, last_end)  # a coarser tokenizer: never overlap words
            if end <= first:
                continue
            if self.word_spans:
                spans.append(Span(doc, first, end))
            last_end = end
            if end - first == 1:
                positions[first] = "S"
            else:
                positions[first:end] = "B" + "M" * (end - first - 2) + "E"
        if self.word_spans:
            doc.spans[SPANS_KEY] = spans
        doc.user_data[POS_KEY] = "".join(positions)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Segment a stream of docs, a batch at a time."""
        for batch in minibatch(docs, size=batch_size):
            for doc, offsets in zip(batch, self.segment_texts([doc_text(d) for d in batch])):
                yield self._set_words(doc, offsets)

    # -- serialisation -----------------------------------------------------
    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        self._require_model()
        return srsly.msgpack_dumps({"model_files": self._model_files})

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = tuple()) -> "WordSegmenter":
        data = srsly.msgpack_loads(bytes_data)
        self._set_model(data["model_files"])
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        self._require_model()
        path = ensure_path(path)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        for name, data in self._model_files.items():
            (path / name).write_bytes(data)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> "WordSegmenter":
        self._set_model(read_model_files(ensure_path(path)))
        return self

    def __getstate__(self) -> dict:
        """Pickle the model bytes only (for nlp.pipe(n_process=...)); rebuilt on load."""
        state = self.__dict__.copy()
        state["_scores"] = None
        state["_cache"] = {}
        state["_alphabet"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._alphabet = ModelAlphabet()
        if self._model_files is not None:
            self._set_model(self._model_files)

    def _require_model(self) -> None:
        if self._model_files is None:
            raise ValueError(f"{self.name}: nothing to save, the model is not loaded yet")
