"""Assemble and load the kg pipeline.

The pipeline is put together from three packaged parts, each built by its own
recipe in `pipelines/`:

    character tokens
    -> kg_words          pkuseg words              kg/models/pkuseg   (pipelines/segmenter)
    -> text_style        press or web-portal text ┐
    -> kg_char_features  bigram + word features   │
    -> tok2vec           CNN character encoder    │ kg/models/ner      (pipelines/ner)
    -> kg_char_ner       BILUO tagger, Viterbi    ┘
    -> kg_places         gazetteer places          kg/models/gazetteer.json.gz (pipelines/gazetteer.py)
    -> kg_institutions -> kg_programs -> kg_people -> kg_entities -> kg_roles    (rules, no data)
    -> kg_syntax         word tokens: POS tags, dependencies, sentences
                                                   kg/models/tagger, kg/models/parser (pipelines/syntax)
    -> kg_linker         canonical entity ids (span.kb_id_)            kg/nlp/linker.py
    -> kg_events         doc._.events                                  kg/events.py

Without a trained NER the same pipeline runs on the rules alone: the statistical
components plug in at that seam. `save_pipeline` writes the assembled pipeline as
one spaCy folder (config.cfg + weights) that `spacy.load` or `--model` reads.
`kg ner` and NER evaluation run the same pipeline up to the entities: `load_pipeline(entities_only=True)`
builds only that part, `entities_only(nlp)` stops a whole pipeline there.
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import (  # noqa: F401  (registers the factories)
    char_ner, entities, features, institutions, linker, people, places, programs, roles, segmenter, syntax,
    text_style,
)
from .. import events  # noqa: F401,E402  (registers kg_events)
from .spans import TEXT_KEY  # noqa: E402


MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
NER_DIR = MODELS_DIR / "ner"
RULE_COMPONENTS = ("kg_places", "kg_institutions", "kg_programs", "kg_people", "kg_entities", "kg_roles")
SYNTAX = "kg_syntax"  # after the entities: turns the character Doc into a Doc of words
# What reads a whole document after its words: linking, then events.
DOCUMENT_COMPONENTS = ("kg_linker", "kg_events")


def assemble(ner_model: str | Path | None = None, pkuseg_model: str | Path | None = None,
             entities_only: bool = False) -> Language:
    """A new, initialised pipeline: the trained NER (if any) plus segmenter and rules;
    with `entities_only`, nothing after the entities (no tagger and parser to load)."""
    ner_model = Path(ner_model) if ner_model else (NER_DIR if (NER_DIR / "config.cfg").exists() else None)
    if ner_model:
        nlp = load_ner(ner_model)
    else:
        nlp = spacy.blank("zh")
    if "kg_words" not in nlp.pipe_names:
        words = nlp.add_pipe("kg_words", first=True, config={"word_spans": not entities_only})
        words.initialize(model_path=str(pkuseg_model) if pkuseg_model else None)
    for name in RULE_COMPONENTS:
        component = nlp.add_pipe(name)
        if hasattr(component, "initialize"):
            component.initialize(nlp=nlp)
    if entities_only:
        return keep_texts(nlp)
    nlp.add_pipe(SYNTAX).initialize(nlp=nlp)
    return add_document_components(nlp)


def add_document_components(nlp: Language) -> Language:
    """Linking and events at the end of the pipeline (a pipeline saved without them gets
    them), and a tokenizer that keeps each Doc's text."""
    for name in DOCUMENT_COMPONENTS:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)
    return keep_texts(nlp)


def keep_texts(nlp: Language) -> Language:
    if not isinstance(nlp.tokenizer, TextKeepingTokenizer):
        nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    return nlp


class TextKeepingTokenizer:
    """The pipeline's tokenizer, keeping the text it was given in the Doc (spans.doc_text):
    spaCy rebuilds `doc.text` token by token, which for one-character tokens cost more than
    the tokenizing. Saving and loading go to the tokenizer inside. spaCy's character
    segmentation is done here in one pass (`character_tokens`), the same tokens."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self._characters = getattr(tokenizer, "segmenter", None) == "char"

    def __call__(self, text: str) -> Doc:
        if self._characters:
            words, spaces = character_tokens(text)
            doc = Doc(self.tokenizer.vocab, words=words, spaces=spaces)
        else:
            doc = self.tokenizer(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def __getattr__(self, name):  # to_disk, from_disk, to_bytes, from_bytes, pkuseg_seg, ...
        if name == "tokenizer":  # not set yet (a copy being made)
            raise AttributeError(name)
        return getattr(self.tokenizer, name)


CHARACTER_OR_WHITESPACE = re.compile(r"\S|\s+")
WHITESPACE = re.compile(r"\s")


def character_tokens(text: str) -> tuple[list[str], list[bool]]:
    """The words and spaces of spaCy's Chinese character segmentation
    (`spacy.util.get_words_and_spaces(list(text), text)`, which searches the rest of the
    text for every character): each non-space character a token; one space after a
    token is its trailing space; any other run of whitespace a token of its own."""
    if WHITESPACE.search(text) is None:
        return list(text), [False] * len(text)
    words: list[str] = []
    spaces: list[bool] = []
    for piece in CHARACTER_OR_WHITESPACE.findall(text):
        if not piece.isspace():
            words.append(piece)
            spaces.append(False)
            continue
        if words and not words[-1].isspace() and piece[0] == " ":
            spaces[-1] = True
            piece = piece[1:]
        if piece:
            words.append(piece)
            spaces.append(False)
    return words, spaces


def load_ner(path: str | Path) -> Language:
    """A trained NER pipeline whose layers multiply with numpy's BLAS rather than blis:
    on this encoder's shapes (n x 288 by 288 x 192) that made the encoder a quarter
    faster, with the same weights (measured: benchmarks/ner_benchmark.py); its embedding
    folded into the first layer's weights and its layer norms in fewer passes, for
    inference (kg/nlp/folded_embed.py, kg/nlp/fast_layer_norm.py)."""
    from thinc.api import use_ops

    from .fast_layer_norm import use_fast_layer_norms
    from .folded_embed import fold_tok2vec

    with use_ops("numpy", use_blis=False):
        nlp = spacy.load(path)
    for _, pipe in nlp.pipeline:
        if hasattr(pipe, "model"):
            use_fast_layer_norms(pipe.model)
    if "tok2vec" in nlp.pipe_names:
        fold_tok2vec(nlp.get_pipe("tok2vec"))
    return nlp


def load_pipeline(path: str | Path | None = None, entities_only: bool = False) -> Language:
    """The packaged pipeline, or a saved one at `path` (a folder with config.cfg); loaded
    once per process (load_pipeline() and load_pipeline(None) are the same pipeline).
    `entities_only`: up to the entities, for `kg ner` and `kg evaluate` (the same
    entities; no tagger and parser to load, no Span per word: 60 MB and a few tenths of
    a second less)."""
    return _load_pipeline(str(path) if path else None, entities_only)


@lru_cache(maxsize=4)
def _load_pipeline(path: str | None, entities_only: bool) -> Language:
    if path is None:
        return assemble(entities_only=entities_only)
    target = Path(path)
    if not (target / "config.cfg").exists():
        raise FileNotFoundError(f"{target}: not a spaCy pipeline folder (config.cfg missing)")
    if entities_only:
        return keep_texts(spacy.load(target, exclude=[SYNTAX, *DOCUMENT_COMPONENTS]))
    return add_document_components(spacy.load(target))


def entities_only(nlp: Language):
    """A context in which the pipeline stops at the entities (no words, tags, parse, no
    linking, no events): for `kg ner` and `kg evaluate`, which read only `doc.ents`."""
    disabled = [name for name in (SYNTAX, *DOCUMENT_COMPONENTS) if name in nlp.pipe_names]
    if disabled:
        return nlp.select_pipes(disable=disabled)
    return contextlib.nullcontext()


def save_pipeline(nlp: Language, path: str | Path) -> None:
    nlp.to_disk(path)
