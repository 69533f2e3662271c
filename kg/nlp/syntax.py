"""Words, POS tags and dependencies (spaCy component "kg_syntax").

The NER reads one token per character; people reading a spaCy pipeline expect word
tokens with `tag_`, `pos_`, `dep_`, `head` and `doc.sents`. This component, last in the
pipeline, returns a new Doc of the same text whose tokens are the pkuseg words
(`doc.spans["words"]`), cut wherever an entity or any `doc.spans` span starts or ends
inside a word (as spaCy's `merge_entities` keeps entities whole), so every span keeps
its character offsets. Entities, span groups, cats and `doc.user_data` (where spaCy
keeps extension values, keyed by character offsets) are copied over. Then:

- a POS tagger (People's Daily 1998 tags: v, vn, n, nr, ns, ...; pipelines/syntax)
  sets `token.tag_`, and `token.pos_` gets the Universal POS mapped from it;
- a dependency parser (SemEval-2016 CSDP semantic relations Agt, Pat, Exp, Cont, Loc,
  Time, Quan, ... kept as a tree; pipelines/syntax) sets `dep_`, `head`, `doc.sents`.
  The packaged parser was trained on the tagger's frozen tok2vec (meta `kg_encoder`:
  "tagger"), so one encoder runs for both. A parser with its own tok2vec reads each
  entity as one token instead (a 《title》 or an agency name parses as the noun it is);
  the entity's last token takes its arc, the others hang from it as `Nmod`.

Both are small spaCy pipelines (tok2vec + tagger; parser, or tok2vec + parser) loaded from
kg/models/tagger and kg/models/parser in `initialize`, saved inside the pipeline by
`to_disk`, so `spacy.load` of a saved kg pipeline needs nothing else. Whitespace runs
are tokens of their own; a paragraph break or 。！？ always ends a sentence.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import numpy as np
import spacy
from spacy.attrs import DEP, HEAD
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path, minibatch, registry

from .segmenter import POS_KEY, SPANS_KEY
from .spans import doc_text, word_offsets

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_TAGGER_DIR = MODELS_DIR / "tagger"
DEFAULT_PARSER_DIR = MODELS_DIR / "parser"
SENTENCE_END = set("。！？!?")
CLOSERS = set("”’」』）)")
INSIDE_NAME = "Nmod"  # CSDP's name modifier: the tokens of an entity before its last one

# People's Daily 1998 tags -> Universal POS (UD Chinese conventions: measure words and
# localisers are NOUN, verbal nouns NOUN, particles PART).
PKU_TO_UPOS = {
    "a": "ADJ", "ad": "ADV", "an": "NOUN", "Ag": "ADJ", "b": "ADJ", "Bg": "ADJ",
    "c": "CCONJ", "d": "ADV", "Dg": "ADV", "e": "INTJ", "f": "NOUN", "h": "PART",
    "i": "X", "j": "NOUN", "k": "PART", "l": "X", "m": "NUM", "Mg": "NUM", "n": "NOUN",
    "Ng": "NOUN", "nr": "PROPN", "ns": "PROPN", "nt": "PROPN", "nx": "X", "nz": "PROPN",
    "o": "X", "p": "ADP", "q": "NOUN", "Qg": "NOUN", "r": "PRON", "Rg": "PRON", "s": "NOUN",
    "t": "NOUN", "Tg": "NOUN", "u": "PART", "v": "VERB", "vd": "ADV", "Vg": "VERB",
    "vn": "NOUN", "w": "PUNCT", "y": "PART", "Yg": "PART", "z": "ADJ",
}


def word_pieces(text: str, word_offsets: Iterable[tuple[int, int]], cuts: Iterable[int]) -> list[tuple[int, int]]:
    """(start, end) of the new tokens: words and whitespace runs, cut at every offset in `cuts`."""
    bounds = {0, len(text)}
    for start, end in word_offsets:
        bounds.add(start)
        bounds.add(end)
    bounds.update(c for c in cuts if 0 < c < len(text))
    # a whitespace run is a token of its own (its edges are boundaries)
    previous_space = None
    for i, char in enumerate(text):
        space = char.isspace()
        if space != previous_space:
            bounds.add(i)
            previous_space = space
    ordered = sorted(bounds)
    return list(zip(ordered, ordered[1:]))


def span_cuts(doc: Doc) -> set[int]:
    """Character offsets where an entity or a span of any group starts or ends."""
    cuts = set()
    for span in doc.ents:
        cuts.add(span.start_char)
        cuts.add(span.end_char)
    for key, group in doc.spans.items():
        if key == SPANS_KEY:
            continue
        for span in group:
            cuts.add(span.start_char)
            cuts.add(span.end_char)
    return cuts


def words_doc(doc: Doc) -> Doc:
    """A Doc of the same text whose tokens are words; spans, ents and user data carried over."""
    text = doc_text(doc)
    words = word_offsets(doc)
    if words is None:
        words = [(t.idx, t.idx + len(t)) for t in doc]
    pieces = word_pieces(text, words, span_cuts(doc))
    new = Doc(doc.vocab, words=[text[s:e] for s, e in pieces], spaces=[False] * len(pieces))
    new.user_data.update(doc.user_data)
    new.user_data[POS_KEY] = _word_positions(pieces, words)
    new.cats = dict(doc.cats)
    for key, group in doc.spans.items():
        new.spans[key] = [_copy_span(new, span) for span in group]
        new.spans[key].attrs.update(group.attrs)
    new.ents = [_copy_span(new, span) for span in doc.ents]
    new._context = doc._context  # what nlp.pipe(..., as_tuples=True) hands back with the Doc
    return new


def parse_view(doc: Doc, merge_entities: bool = True) -> tuple[Doc, list[tuple[int, int]]]:
    """The Doc the parser reads: each entity one token (a name or a 《title》 parses as the
    noun it is, as words do in the parser's corpus), sentence ends marked; and the
    (start, end) token range of `doc` behind each of its tokens."""
    pieces, i = [], 0
    for start, end in ([(e.start, e.end) for e in doc.ents] if merge_entities else ()):
        pieces += [(k, k + 1) for k in range(i, start)]
        pieces.append((start, end))
        i = end
    pieces += [(k, k + 1) for k in range(i, len(doc))]
    text = doc_text(doc)
    offsets = doc.to_array("IDX").tolist() + [len(text)]
    words = [text[offsets[s]:offsets[e]] for s, e in pieces]
    view = Doc(doc.vocab, words=words, spaces=[False] * len(pieces), sent_starts=sentence_starts(words))
    return view, pieces


def project_parse(doc: Doc, view: Doc, pieces: list[tuple[int, int]]) -> None:
    """The view's arcs onto `doc`: an entity's last token takes the entity's head and
    relation (Chinese names are head-final), its other tokens hang from it as `Nmod`."""
    heads = np.arange(len(doc), dtype=np.int64)
    deps = np.zeros(len(doc), dtype=np.uint64)
    strings = doc.vocab.strings
    name_part = strings.add(INSIDE_NAME)
    for token, (start, end) in zip(view, pieces):
        last = end - 1
        heads[last] = pieces[token.head.i][1] - 1
        deps[last] = strings.add(token.dep_) if token.dep_ else 0
        heads[start:last] = last
        deps[start:last] = name_part
    array = np.zeros((len(doc), 2), dtype=np.uint64)
    array[:, 0] = (heads - np.arange(len(doc), dtype=np.int64)).astype(np.uint64)
    array[:, 1] = deps
    doc.from_array([HEAD, DEP], array)


def _copy_span(new: Doc, span):
    copied = new.char_span(span.start_char, span.end_char, label=span.label, kb_id=span.kb_id,
                           span_id=span.id)
    if copied is None:  # cannot happen: every span edge is a token edge of `new`
        raise ValueError(f"kg_syntax: span {span.text!r} at {span.start_char} lost its alignment")
    return copied


def _word_positions(pieces: list[tuple[int, int]], word_offsets: list[tuple[int, int]]) -> str:
    """B/M/E/S per new token: where it sits in its pkuseg word (S: the whole word)."""
    starts = {s for s, _ in word_offsets}
    ends = {e for _, e in word_offsets}
    covered = {}
    for s, e in word_offsets:
        covered[s] = e
    letters = []
    inside = False
    for start, end in pieces:
        at_start, at_end = start in starts, end in ends
        if at_start and at_end:
            letters.append("S")
            inside = False
        elif at_start:
            letters.append("B")
            inside = True
        elif inside and at_end:
            letters.append("E")
            inside = False
        elif inside:
            letters.append("M")
        else:
            letters.append(" ")
    return "".join(letters)


def sentence_starts(words: list[str]) -> list[bool | None]:
    """True where a sentence must start: after 。！？ (and any closing quote) or after a
    line break; None elsewhere (the parser may add more breaks, never removes these)."""
    starts: list[bool | None] = [None] * len(words)
    if words:
        starts[0] = True
    for i in range(1, len(words)):
        before, word = words[i - 1], words[i]
        if "\n" in before:
            starts[i] = True
        elif before[-1:] in SENTENCE_END and word not in SENTENCE_END and word[:1] not in CLOSERS:
            starts[i] = True
        elif before[-1:] in CLOSERS and i >= 2 and words[i - 2][-1:] in SENTENCE_END \
                and word[:1] not in CLOSERS:
            starts[i] = True
    return starts


def _mark_sentence_ends(doc: Doc) -> None:
    for token, start in zip(doc, sentence_starts([t.text for t in doc])):
        if start:
            token.is_sent_start = True


class WordsTokenizer:
    """Text of words joined by single spaces -> those words (the training corpora are
    written so; kg_syntax itself builds its Docs and never calls a tokenizer)."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words = text.split(" ") if text else []
        return Doc(self.vocab, words=words, spaces=[True] * (len(words) - 1) + [False] * bool(words))

    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "WordsTokenizer":
        return self

    def to_disk(self, path, **kwargs) -> None:
        pass

    def from_disk(self, path, **kwargs) -> "WordsTokenizer":
        return self


@registry.tokenizers("kg.words_tokenizer.v1")
def make_words_tokenizer():
    return lambda nlp: WordsTokenizer(nlp.vocab)


def _run(model: Language, docs: list[Doc], batch_size: int) -> list[Doc]:
    for _, proc in model.pipeline:
        docs = list(proc.pipe(docs, batch_size=batch_size))
    return docs


def load_model(path: Path, vocab) -> Language:
    """A tagger or parser pipeline with its own vocab (sharing ours would replace our
    vectors by its empty ones); its labels go into our string table, since the Docs it
    annotates are ours."""
    if not (Path(path) / "config.cfg").is_file():
        raise FileNotFoundError(f"{path}: not a spaCy model folder (config.cfg missing); "
                                "train one with pipelines/syntax")
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):  # as the NER (kg.nlp.pipeline.load_ner): faster here
        model = spacy.load(path)
    for label in ("ROOT", "dep", *model.vocab.strings):
        vocab.strings.add(label)
    for _, proc in model.pipeline:
        for label in getattr(proc, "labels", ()):
            vocab.strings.add(label)
    return model


@Language.factory("kg_syntax", default_config={"tagger_path": None, "parser_path": None,
                                               "merge_entities": True})
class SyntaxAnnotator:
    """Word tokens with tags and dependencies, from the character Doc (see module doc)."""

    def __init__(self, nlp: Language, name: str = "kg_syntax", tagger_path: str | None = None,
                 parser_path: str | None = None, merge_entities: bool = True):
        self.name = name
        self.merge_entities = merge_entities
        self.vocab = nlp.vocab
        self.tagger_path = tagger_path
        self.parser_path = parser_path
        self.tagger: Optional[Language] = None
        self.parser: Optional[Language] = None
        self._upos: dict[int, int] = {}

    # -- loading -----------------------------------------------------------
    def initialize(self, get_examples: Optional[Callable] = None, *, nlp: Optional[Language] = None,
                   tagger_path: str | Path | None = None, parser_path: str | Path | None = None) -> None:
        """Load the packaged tagger and parser (a missing default model is skipped)."""
        tagger = Path(tagger_path or self.tagger_path or DEFAULT_TAGGER_DIR)
        parser = Path(parser_path or self.parser_path or DEFAULT_PARSER_DIR)
        explicit = {tagger: tagger_path or self.tagger_path, parser: parser_path or self.parser_path}
        for attr, path in (("tagger", tagger), ("parser", parser)):
            if (path / "config.cfg").is_file() or explicit[path]:
                setattr(self, attr, load_model(path, self.vocab))
        self._set_upos()

    def _set_upos(self) -> None:
        strings = self.vocab.strings
        self._upos = {strings.add(tag): strings.add(pos) for tag, pos in PKU_TO_UPOS.items()}

    # -- annotation ----------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            new_docs = [words_doc(doc) for doc in batch]
            if self._shares_encoder():
                # one encoder: the tagger's tok2vec sets doc.tensor, the parser listens to it
                for doc in new_docs:
                    _mark_sentence_ends(doc)
                new_docs = _run(self.tagger, new_docs, batch_size)
                new_docs = _run(self.parser, new_docs, batch_size)
                for doc in new_docs:
                    self._set_pos(doc)
                yield from new_docs
                continue
            if self.tagger is not None:
                new_docs = _run(self.tagger, new_docs, batch_size)
                for doc in new_docs:
                    self._set_pos(doc)
            if self.parser is not None:
                views = [parse_view(doc, self.merge_entities) for doc in new_docs]
                parsed = _run(self.parser, [view for view, _ in views], batch_size)
                for doc, view, (_, pieces) in zip(new_docs, parsed, views):
                    project_parse(doc, view, pieces)
            else:
                for doc in new_docs:
                    _mark_sentence_ends(doc)
            yield from new_docs

    def _shares_encoder(self) -> bool:
        """A parser trained on the tagger's frozen tok2vec (it has none of its own)."""
        return self.parser is not None and self.tagger is not None \
            and self.parser.meta.get("kg_encoder") == "tagger"

    def _set_pos(self, doc: Doc) -> None:
        upos = self._upos
        for token in doc:
            if token.is_space:  # the corpus has none; spaCy's convention
                token.tag_, token.pos_ = "_SP", "SPACE"
                continue
            pos = upos.get(token.tag)
            if pos is not None:
                token.pos = pos

    # -- serialisation -------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> None:
        path = ensure_path(path)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        for name, model in (("tagger", self.tagger), ("parser", self.parser)):
            if model is not None:
                model.to_disk(path / name)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = tuple()) -> "SyntaxAnnotator":
        path = ensure_path(path)
        for name in ("tagger", "parser"):
            if (path / name / "config.cfg").is_file():
                setattr(self, name, load_model(path / name, self.vocab))
        self._set_upos()
        return self
