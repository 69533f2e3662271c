"""pkuseg's CRF features for a whole text at once (the segmenter's hot loop).

spacy_pkuseg builds about seventy feature strings per character, one character at a
time (13 µs each here: most of `kg ner`'s segmentation time). `TextFeatures` gives the
same feature indices, in the same order, from a few passes over the whole text, and
memoises the word-pair features, which repeat. `fast_cut` then decodes with pkuseg's
own Viterbi, so the words are exactly pkuseg's (tests compare the two on real text).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import repeat
from operator import itemgetter

from spacy_pkuseg import inference
from spacy_pkuseg.feature_extractor import FeatureExtractor

# pkuseg normalises digits to "**Num" and Latin letters to "**Letter" *before* joining
# characters into words; one placeholder character each (Unicode noncharacters, never
# found in text) keeps one character per position, so words are plain slices.
NUM, LETTER = "\ufdd0", "\ufdd1"
NO_WORD = "**noWord"
CHAR_FEATURES = ("c.", "c-1.", "c1.", "c-2.", "c2.")  # + one character
PAIR_FEATURES = ("c-1c.", "cc1.", "c-2c-1.")  # + "a.b"
WORD_FEATURES = ("w-1.", "w1.")  # + a dictionary word
PAIR_CACHE_SIZE = 100_000  # word contexts remembered, per side
NO_CHAR, NO_PAIR = (None,) * len(CHAR_FEATURES), (None,) * len(PAIR_FEATURES)


def _placeholders(text: str) -> str:
    return text.replace("**Num", NUM).replace("**Letter", LETTER)


def _grouped(by_kind: dict[str, dict[str, int]], kinds: tuple[str, ...]) -> dict[str, tuple]:
    """name -> its number in each kind (None where absent), for names of any kind."""
    names = set().union(*(by_kind[kind] for kind in kinds))
    return {name: tuple(by_kind[kind].get(name) for kind in kinds) for name in names}


class TextFeatures:
    """Feature indices of each character of a text, for one pkuseg model."""

    def __init__(self, extractor: FeatureExtractor, word_min: int, word_max: int):
        self.lengths = range(word_max, word_min - 1, -1)  # pkuseg's order: longest first
        table = {ord(char): "&" for char in FeatureExtractor.keywords}
        for chars, placeholder in ((FeatureExtractor.num, NUM), (FeatureExtractor.letter, LETTER)):
            for char in chars:
                table.setdefault(ord(char), placeholder)  # keyword renaming comes first
        self.normalise = table
        self.unigram = {_placeholders(word) for word in extractor.unigram}
        self.words = {word: word for word in self.unigram}
        # features by kind ("c-1." + char, "w1." + word, "ww.l." + pre*post ...)
        by_kind: dict[str, dict[str, int]] = defaultdict(dict)
        for name, number in extractor.feature_to_idx.items():
            if "**" in name:
                name = _placeholders(name)
            cut = 5 if name.startswith("ww.") else name.find(".") + 1  # "$$": cut 0
            by_kind[name[:cut]][name[cut:]] = number
        assert by_kind[""].get("$$") == 0, "pkuseg's start feature must be number 0"
        self.pairs: dict[str, dict[str, dict[str, int]]] = {}
        for kind in ("ww.l.", "ww.r."):  # pre + "*" + post; words hold no "*"
            self.pairs[kind] = table = {}
            for rest, number in by_kind[kind].items():
                if rest.startswith(NO_WORD + "*"):
                    pre, post = NO_WORD, rest[len(NO_WORD) + 1:]
                else:
                    pre, post = rest.split("*", 1)
                table.setdefault(pre, {})[post] = number
        # one lookup per character, per character pair and per word gives every
        # feature that names it (the big index is slow to probe: cache misses)
        self.by_char = _grouped(by_kind, CHAR_FEATURES)
        self.by_pair = _grouped(by_kind, PAIR_FEATURES)
        self.by_word = {kind: by_kind[kind] for kind in WORD_FEATURES}
        self._pair_cache: dict[str, dict[tuple, tuple[int, ...]]] = {"ww.l.": {}, "ww.r.": {}}

    def __call__(self, text: str) -> list[list[int]]:
        s = text.translate(self.normalise)
        n = len(s)
        chars = list(map(self.by_char.get, s, repeat(NO_CHAR)))
        pairs = list(map(self.by_pair.get, map(".".join, zip(s, s[1:])), repeat(NO_PAIR)))

        def column(found: list, field: int, before: int) -> list:
            """found[i - before][field] at position i (None outside)."""
            return [*repeat(None, before), *map(itemgetter(field), found), *repeat(None, n)][:n]

        # pkuseg's order: c. c-1. c-1c. c1. cc1. c-2. c-2c-1. c2.
        columns = [column(chars, 0, 0), column(chars, 1, 1), column(pairs, 0, 1),
                   column(chars[1:], 2, 0), column(pairs, 1, 0), column(chars, 3, 2),
                   column(pairs, 2, 2), column(chars[2:], 4, 0)]

        # the dictionary word of each length that starts at each position, or None
        words = self.words.get
        starting = {length: list(map(words, map(s.__getitem__, map(
            slice, range(n - length + 1), range(length, n + 1)))))
            for length in self.lengths}

        def shifted(words: list, by: int) -> list:
            """words[i - by] at position i (None outside)."""
            return [*repeat(None, max(by, 0)), *words[max(-by, 0):], *repeat(None, n)][:n]

        ends_here = [shifted(starting[length], length - 1) for length in self.lengths]
        starts_here = [shifted(starting[length], 0) for length in self.lengths]
        ends_before = [shifted(starting[length], length) for length in self.lengths]
        starts_after = [shifted(starting[length], -1) for length in self.lengths]
        for prefix, found in zip(WORD_FEATURES, (ends_here, starts_here)):
            columns += [list(map(self.by_word[prefix].get, words)) for words in found]
        left = self._pair_features("ww.l.", zip(zip(*ends_before), zip(*starts_here)))
        right = self._pair_features("ww.r.", zip(zip(*ends_here), zip(*starts_after)))
        # filter(None, ...) drops the missing features; 0 is only the leading "$$"
        return [[0, *filter(None, row), *l_feats, *r_feats]
                for row, l_feats, r_feats in zip(zip(*columns), left, right)]

    def _pair_features(self, prefix: str, contexts) -> list[tuple[int, ...]]:
        """'ww.l.'/'ww.r.' features of each (words before, words after) context, in
        pkuseg's order; contexts repeat a lot, so each is worked out once."""
        cache = self._pair_cache[prefix]
        known = cache.get
        return [found if (found := known(context)) is not None
                else self._pairs_of(prefix, context) for context in contexts]

    def _pairs_of(self, prefix: str, context: tuple) -> tuple[int, ...]:
        table = self.pairs[prefix]
        found = []
        pres, posts = context
        for pre in pres:
            by_post = table.get(NO_WORD if pre is None else pre)
            if by_post:
                for post in posts:
                    number = by_post.get(NO_WORD if post is None else post)
                    if number is not None:
                        found.append(number)
        found = tuple(found)
        cache = self._pair_cache[prefix]
        if len(cache) < PAIR_CACHE_SIZE:
            cache[context] = found
        return found


def fast_cut(seg, features: TextFeatures, text: str) -> list[str]:
    """pkuseg's words of a text without spaces (a model without a user dictionary)."""
    if not text:
        return []
    _, tags = inference.decodeViterbi_fast(features(text), seg.model)
    begins = {number for number, tag in seg.idx_to_tag.items() if "B" in tag}
    starts = [0, *(i for i in range(1, len(text)) if tags[i] in begins), len(text)]
    return [text[start:end] for start, end in zip(starts, starts[1:])]
