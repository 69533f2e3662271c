"""`kg_text_style`: press text (MSRA) or web-portal text (CLUENER)?

The two NER corpora name places differently (pipelines/ner/README.md, "Two
conventions"); this classifier's reading reaches the NER through `kg_char_features`.
It is spaCy's `textcat` with a sparse bag of character unigrams and bigrams, with two
changes:
- it reads full-width digits, Latin letters, ． and ％ as half-width ones. MSRA (1998)
  writes １２．５％; CLUENER and today's press releases write 12.5%. Width is a cue
  of the era, not of the labelling convention: learned, it sent modern press releases
  to "web" (a Suzhou release in tests/data/news: p(web) 0.96 before, 0.34 after);
- an empty text in a batch no longer crashes the sparse n-gram model (thinc's
  `ngrams` IndexError, as `kg ner` meets with blank lines): it reads as press.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.pipeline.textcat import TextCategorizer
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import Config

from .spans import doc_text

FULL_WIDTH_ALNUM = re.compile("[０-９Ａ-Ｚａ-ｚ．％]")
HALF_WIDTH = {ord(char): ord(char) - 0xFEE0 for first, last in ("０９", "ＡＺ", "ａｚ", "．．", "％％")
              for char in map(chr, range(ord(first), ord(last) + 1))}

DEFAULT_MODEL = Config().from_str("""
[model]
@architectures = "spacy.TextCatBOW.v3"
exclusive_classes = true
ngram_size = 2
no_output_layer = false
length = 262144
nO = null
""")["model"]


@Language.factory(
    "kg_text_style",
    assigns=["doc.cats"],
    default_config={"threshold": 0.5, "model": DEFAULT_MODEL,
                    "scorer": {"@scorers": "spacy.textcat_scorer.v2"}},
    default_score_weights={"cats_score": 1.0},
)
def make_text_style(nlp: Language, name: str, model, threshold: float, scorer) -> "TextStyle":
    return TextStyle(nlp.vocab, model, name, threshold=threshold, scorer=scorer)


class TextStyle(TextCategorizer):
    def predict(self, docs):
        docs = [half_width(doc) for doc in docs]
        filled = [i for i, doc in enumerate(docs) if len(doc)]
        if len(filled) == len(docs):
            return super().predict(docs)
        scores = self.model.ops.alloc2f(len(docs), len(self.labels))
        if filled:
            scores[filled] = super().predict([docs[i] for i in filled])
        return scores

    def update(self, examples, **kwargs):
        examples = [Example(half_width(eg.predicted), eg.reference) for eg in examples]
        return super().update(examples, **kwargs)


def half_width(doc: Doc) -> Doc:
    """The doc, or a copy whose full-width digits, letters, ． and ％ are half-width."""
    if not FULL_WIDTH_ALNUM.search(doc_text(doc)):
        return doc
    words = [token.text.translate(HALF_WIDTH) for token in doc]
    return Doc(doc.vocab, words=words, spaces=[bool(token.whitespace_) for token in doc])
