"""kg/nlp/pipeline.py: the tokenizer the pipeline wraps keeps spaCy's tokens."""

import random

import spacy
from spacy.util import get_words_and_spaces

from kg.nlp.pipeline import TextKeepingTokenizer, character_tokens

PIECES = ["市", "局", " ", "  ", "\n", "\t", "\u3000", "\r\n", "a", "😀", "\x1c", "\u2028", "\xa0", "，", "\n "]


def test_character_tokens_are_spacys_character_segmentation():
    rng = random.Random(0)
    texts = ["", " ", "市生态环境局 召开会议。\n\n  局长  讲话 ", "\u3000\u3000第一条"]
    texts += ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14))) for _ in range(5000)]
    for text in texts:
        assert character_tokens(text) == get_words_and_spaces(list(text), text), repr(text)


def test_the_wrapped_tokenizer_gives_the_same_docs():
    nlp = spacy.blank("zh")
    wrapped = TextKeepingTokenizer(nlp.tokenizer)
    for text in ["市局召开会议", " 市局  召开\n会议 ", "\n"]:
        doc, expected = wrapped(text), nlp.tokenizer(text)
        assert [(t.text, t.whitespace_) for t in doc] == [(t.text, t.whitespace_) for t in expected]
        assert doc.text == text
