"""`kg_text_style`: press text (MSRA) or web-portal text (CLUENER)?

The two NER corpora name places differently (pipelines/ner/README.md, "Two
conventions"); this classifier's reading reaches the NER through `kg_char_features`.
It is spaCy's `textcat` with a sparse bag of character unigrams and bigrams, except
that an empty text in a batch no longer crashes the sparse n-gram model (thinc's
`ngrams` IndexError, as `kg ner` meets with blank lines): an empty text reads as press.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.pipeline.textcat import TextCategorizer
from thinc.api import Config

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
        filled = [i for i, doc in enumerate(docs) if len(doc)]
        if len(filled) == len(docs):
            return super().predict(docs)
        scores = self.model.ops.alloc2f(len(docs), len(self.labels))
        if filled:
            scores[filled] = super().predict([docs[i] for i in filled])
        return scores
