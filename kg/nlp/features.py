"""Per-character features for the character-level NER.

The NER sees one token per Chinese character (`spacy.blank("zh")`, segmenter
`char`). A character alone is ambiguous (州 in 杭州 vs 州长), so this component
writes extra information into token attributes that spaCy's `MultiHashEmbed` can
embed, without any model of its own:

- `token.norm_`  = the character bigram starting at this character ("杭州"), the
  best-known cheap lever for Chinese character NER;
- `token.tag_`   = position of the character in its word (B/M/E/S) plus the word
  length (1, 2, 3, 4+), from the word segmentation in `doc.spans["words"]`
  (written by the `kg_words` component, if it runs before this one);
- `token.lemma_` = the whole word for words of 2..`max_lemma_len` characters, a
  lexicon-like feature (every character of 浙江省 carries 浙江省).

The TAG also carries the text style when a `text_style` classifier ran before this
component: "B3" in press text, "B3w" when `doc.cats[style_label]` reaches
`style_threshold`. MSRA (press) and CLUENER (web portal) label places differently,
and a ±5-character receptive field cannot see which kind of text it is in; this puts
the whole text's style on every character (pipelines/ner/README.md).

Without a segmentation (`doc.spans["words"]`, or the letters kg_words keeps beside them)
only the bigram is set and TAG/LEMMA stay empty, so the component works (with less
information) in a pipeline without a segmenter.
"""

from __future__ import annotations

import random

from spacy.attrs import LEMMA, NORM, ORTH, TAG
from spacy.language import Language
from spacy.util import registry
from spacy.tokens import Doc

import numpy

from . import spans  # noqa: F401  (registers Doc._.kg_text_style)

END_MARK = "</s>"
WORDS_KEY = "words"
# kg_words keeps one B/M/E/S (or space) letter per token under this doc.user_data key
# (kg/nlp/segmenter.py POS_KEY); same information as doc.spans["words"], cheaper to read.
WORD_POS_KEY = "kg_words.word_pos"
STYLE_MARK = "w"


@Language.factory(
    "kg_char_features",
    default_config={"bigrams": True, "words_key": WORDS_KEY, "max_lemma_len": 4,
                    "style_label": "web", "style_threshold": 0.5, "lemma_dropout": 0.0},
)
def make_char_features(nlp: Language, name: str, bigrams: bool, words_key: str,
                       max_lemma_len: int, style_label: str,
                       style_threshold: float, lemma_dropout: float) -> "CharFeatures":
    return CharFeatures(nlp, name, bigrams=bigrams, words_key=words_key,
                        max_lemma_len=max_lemma_len, style_label=style_label,
                        style_threshold=style_threshold, lemma_dropout=lemma_dropout)


@registry.callbacks("kg.lemma_dropout_in_training.v1")
def lemma_dropout_in_training():
    """`[training.before_update]`: turn on the word-feature dropout of every
    kg_char_features component (only training calls it; a loaded model never drops)."""
    def before_update(nlp: Language, info: dict) -> None:
        for _, pipe in nlp.pipeline:
            if isinstance(pipe, CharFeatures):
                pipe.dropping = True
    return before_update


def word_position_tag(index: int, length: int, styled: bool = False) -> str:
    """B/M/E/S position of character `index` in a word of `length`, plus length bucket,
    plus "w" in text of the marked style."""
    if length == 1:
        position = "S"
    elif index == 0:
        position = "B"
    elif index == length - 1:
        position = "E"
    else:
        position = "M"
    return f"{position}{min(length, 4)}{STYLE_MARK if styled else ''}"


class CharFeatures:
    """Write bigram / word-position / word features into NORM, TAG and LEMMA."""

    def __init__(self, nlp: Language, name: str = "kg_char_features", *,
                 bigrams: bool = True, words_key: str = WORDS_KEY, max_lemma_len: int = 4,
                 style_label: str = "web", style_threshold: float = 0.5, lemma_dropout: float = 0.0):
        self.name = name
        self.strings = nlp.vocab.strings
        self.bigrams = bigrams
        self.words_key = words_key
        self.max_lemma_len = max_lemma_len
        self.style_label = style_label
        self.style_threshold = style_threshold
        # In training (`dropping`, set by the before_update callback), a word's LEMMA
        # is left out with this probability, so that the NER learns names from their
        # characters and context too, not only from words it has seen (issue 17).
        self.lemma_dropout = lemma_dropout
        self.dropping = False
        self._random = random.Random(0)
        self._position_cache: dict[tuple[int, bool], list[int]] = {}
        self._orth_cache: dict[int, str] = {}

    def __call__(self, doc: Doc) -> Doc:
        n_tokens = len(doc)
        if not n_tokens:
            return doc
        text = spans.doc_text(doc)
        one_per_character = len(text) == n_tokens  # no space after a token, no run of spaces
        if one_per_character:
            chars = list(text)
        else:  # token texts from the ORTH hashes: much cheaper than building Token objects
            lookup = self._orth_text
            chars = [lookup(h) for h in doc.to_array(ORTH).tolist()]
        columns = []
        values = []
        if self.bigrams:
            add = self.strings.add
            chars.append(END_MARK)
            columns.append(NORM)
            values.append([add(chars[i] + chars[i + 1]) for i in range(n_tokens)])
        styled = doc.cats.get(self.style_label, 0.0) >= self.style_threshold
        if doc.cats:
            doc._.kg_text_style = self.style_label if styled else "press"
        bounds = self._word_bounds(doc, one_per_character)
        if bounds:
            tags, lemmas = self._word_features(n_tokens, chars, bounds, styled)
            columns.extend([TAG, LEMMA])
            values.extend([tags, lemmas])
        if columns:
            array = numpy.asarray(values, dtype="uint64").T.copy()
            doc.from_array(columns, array)
        return doc

    def _orth_text(self, orth: int) -> str:
        text = self._orth_cache.get(orth)
        if text is None:
            if len(self._orth_cache) > 200_000:
                self._orth_cache.clear()
            text = self._orth_cache[orth] = self.strings[orth]
        return text

    def _word_bounds(self, doc: Doc, one_per_character: bool = False) -> list[tuple[int, int]]:
        """(start, end) token indices of the words, [] without a segmentation.

        Fast path: the B/M/E/S string kg_words keeps per doc (the same data as its
        spans, without building one Span object per word); where every token is one
        character, the words' character offsets that the rules read later too.
        """
        positions = doc.user_data.get(WORD_POS_KEY) if self.words_key == WORDS_KEY else None
        if positions is None or len(positions) != len(doc):
            if self.words_key not in doc.spans:
                return []
            return [(word.start, word.end) for word in doc.spans[self.words_key]]
        if one_per_character:
            return spans.word_offsets(doc) or []
        bounds = []
        start = None
        for i, letter in enumerate(positions):
            if letter == "S":
                bounds.append((i, i + 1))
                start = None
            elif letter == "B":
                start = i
            elif letter == "E" and start is not None:
                bounds.append((start, i + 1))
                start = None
            elif letter == " ":
                start = None
        return bounds

    def _word_features(self, n_tokens: int, chars: list[str], bounds: list[tuple[int, int]],
                       styled: bool) -> tuple[list[int], list[int]]:
        """Hashes of the TAG and LEMMA strings for every token (0 where uncovered)."""
        add = self.strings.add
        tags = [0] * n_tokens
        lemmas = [0] * n_tokens
        for start, end in bounds:
            length = end - start
            tags[start:end] = self._position_hashes(length, styled)
            if 1 < length <= self.max_lemma_len and not (
                    self.dropping and self._random.random() < self.lemma_dropout):
                lemmas[start:end] = [add("".join(chars[start:end]))] * length
        return tags, lemmas

    def _position_hashes(self, length: int, styled: bool) -> list[int]:
        """Hashes of the word-position tags of a word of `length` characters (cached)."""
        hashes = self._position_cache.get((length, styled))
        if hashes is None:
            hashes = [self.strings.add(word_position_tag(k, length, styled))
                      for k in range(length)]
            self._position_cache[(length, styled)] = hashes
        return hashes

    # The component has no weights or data: nothing to save.
    def to_disk(self, path, *, exclude=tuple()):
        return None

    def from_disk(self, path, *, exclude=tuple()):
        return self

    def to_bytes(self, *, exclude=tuple()):
        return b""

    def from_bytes(self, data, *, exclude=tuple()):
        return self
