"""Per-character features for the character-level NER.

The NER sees one token per Chinese character (`spacy.blank("zh")`, segmenter
`char`). A character alone is ambiguous (州 in 沧州 vs 州长), so this component
writes extra information into token attributes that spaCy's `MultiHashEmbed` can
embed, without any model of its own:

- `token.norm_`  = the character bigram starting at this character ("沧州"), the
  best-known cheap lever for Chinese character NER;
- `token.tag_`   = position of the character in its word (B/M/E/S) plus the word
  length (1, 2, 3, 4+), from the word segmentation in `doc.spans["words"]`
  (written by the `kg_words` component, if it runs before this one);
- `token.lemma_` = the whole word for words of 2..`max_lemma_len` characters, a
  lexicon-like feature (every character of 河北省 carries 河北省).

Without `doc.spans["words"]` only the bigram is set and TAG/LEMMA stay empty, so the
component works (with less information) in a pipeline without a segmenter.
"""

from __future__ import annotations

from spacy.attrs import LEMMA, NORM, TAG
from spacy.language import Language
from spacy.tokens import Doc

import numpy

END_MARK = "</s>"
WORDS_KEY = "words"


@Language.factory(
    "kg_char_features",
    default_config={"bigrams": True, "words_key": WORDS_KEY, "max_lemma_len": 4},
)
def make_char_features(nlp: Language, name: str, bigrams: bool, words_key: str,
                       max_lemma_len: int) -> "CharFeatures":
    return CharFeatures(nlp, name, bigrams=bigrams, words_key=words_key,
                        max_lemma_len=max_lemma_len)


def word_position_tag(index: int, length: int) -> str:
    """B/M/E/S position of character `index` in a word of `length`, plus length bucket."""
    if length == 1:
        position = "S"
    elif index == 0:
        position = "B"
    elif index == length - 1:
        position = "E"
    else:
        position = "M"
    return f"{position}{min(length, 4)}"


class CharFeatures:
    """Write bigram / word-position / word features into NORM, TAG and LEMMA."""

    def __init__(self, nlp: Language, name: str = "kg_char_features", *,
                 bigrams: bool = True, words_key: str = WORDS_KEY, max_lemma_len: int = 4):
        self.name = name
        self.strings = nlp.vocab.strings
        self.bigrams = bigrams
        self.words_key = words_key
        self.max_lemma_len = max_lemma_len

    def __call__(self, doc: Doc) -> Doc:
        n_tokens = len(doc)
        if not n_tokens:
            return doc
        columns = []
        values = []
        if self.bigrams:
            texts = [token.text for token in doc] + [END_MARK]
            columns.append(NORM)
            values.append([self.strings.add(texts[i] + texts[i + 1]) for i in range(n_tokens)])
        words = doc.spans[self.words_key] if self.words_key in doc.spans else None
        if words is not None and len(words):
            tags, lemmas = self._word_features(doc, words)
            columns.extend([TAG, LEMMA])
            values.extend([tags, lemmas])
        if columns:
            array = numpy.asarray(values, dtype="uint64").T.copy()
            doc.from_array(columns, array)
        return doc

    def _word_features(self, doc: Doc, words) -> tuple[list[int], list[int]]:
        """Hashes of the TAG and LEMMA strings for every token (0 where uncovered)."""
        add = self.strings.add
        tags = [0] * len(doc)
        lemmas = [0] * len(doc)
        for word in words:
            length = word.end - word.start
            lemma = add(word.text) if 1 < length <= self.max_lemma_len else 0
            for k in range(length):
                tags[word.start + k] = add(word_position_tag(k, length))
                lemmas[word.start + k] = lemma
        return tags, lemmas

    # The component has no weights or data: nothing to save.
    def to_disk(self, path, *, exclude=tuple()):
        return None

    def from_disk(self, path, *, exclude=tuple()):
        return self

    def to_bytes(self, *, exclude=tuple()):
        return b""

    def from_bytes(self, data, *, exclude=tuple()):
        return self
