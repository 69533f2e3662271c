"""pkuseg's CRF scores for a whole text at once (the segmenter's hot loop).

spacy_pkuseg builds about seventy feature strings per character, one character at a
time (13 µs each here: most of `kg ner`'s segmentation time), and then sums their
weights. `TextScores` gives the same sums from a few array operations over the whole
text (the weights of each character, pair and word are grouped once, at load), and
`cut_texts` decodes them with pkuseg's own Viterbi, so the words are exactly pkuseg's
(tests compare scores and words with pkuseg's on real text).

Grouping the weights means reading pkuseg's 370k feature names (about 1.5–2.7 s, half
of `kg ner`'s start-up). `compile_tables` does that once, when the model is packaged,
and keeps only feature numbers (`crf_tables.npz` beside the model, kg/nlp/segmenter.py);
`TextScores.from_tables` then builds the scorer from them and the weights in
milliseconds, without loading pkuseg at all.
"""

from __future__ import annotations

from collections import defaultdict

import numpy
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
SEPARATOR = "\ufdd2" * 2  # between texts scored together: a noncharacter, no features
CHUNK_CHARS = 20_000


def _placeholders(text: str) -> str:
    return text.replace("**Num", NUM).replace("**Letter", LETTER)


class TextScores:
    """pkuseg's CRF node scores (one row of tag scores per character) for a text.

    pkuseg sums the weights of each character's features; here each character,
    character pair and dictionary word brings the weights of every feature that names
    it, added at the positions it names (shifted arrays). Characters and pairs are
    found by their code points, words of 2–6 characters by a 64-bit polynomial hash
    of theirs, and pairs of dictionary words (the word contexts) by their rows (sorted
    arrays, `searchsorted`).
    """

    def __init__(self, extractor: FeatureExtractor, model, word_min: int, word_max: int,
                 idx_to_tag: dict[int, str]):
        self._build(compile_tables(extractor, model.n_tag, idx_to_tag, word_min, word_max),
                    model.w)

    @classmethod
    def from_tables(cls, tables, weights: numpy.ndarray) -> "TextScores":
        """The scorer from `compile_tables`' arrays (saved at packaging time, so start-up
        skips reading pkuseg's 370k feature names) and pkuseg's weight vector."""
        scores = cls.__new__(cls)
        scores._build(tables, weights)
        return scores

    def _build(self, tables, w: numpy.ndarray) -> None:
        n_feature, n_tags = (int(size) for size in tables["sizes"])
        if len(w) != n_tags * (n_feature + n_tags):
            raise ValueError(f"CRF tables are for {n_feature} features x {n_tags} tags, "
                             f"the weights hold {len(w)} numbers")
        weights = w[:n_feature * n_tags].reshape(n_feature, n_tags)
        self.lengths = [int(length) for length in tables["lengths"]]  # longest first
        self.normalise = dict(zip(tables["normalise_from"].tolist(),
                                  map(chr, tables["normalise_to"].tolist())))
        self.start = weights[0]  # "$$" (feature 0), at every position
        # weights[0] stands in for "no such feature" below, so it is zeroed there
        padded = numpy.vstack([numpy.zeros((1, n_tags)), weights[1:]])

        def grouped(numbers: numpy.ndarray) -> numpy.ndarray:
            """Row r + 1: the weights of each kind's feature for name r; row 0: none."""
            return numpy.vstack([numpy.zeros((1, numbers.shape[1], n_tags)), padded[numbers]])

        chars = tables["chars"].astype(numpy.int64)
        self.char_weights = grouped(tables["char_numbers"])
        self.char_rows = numpy.zeros(0x110000, dtype=numpy.int32)  # code point -> row
        self.char_rows[chars] = numpy.arange(1, len(chars) + 1)
        self.pair_weights = grouped(tables["pair_numbers"])
        self.pair_keys, self.pair_rows = _sorted_keys(tables["pairs"])
        word_lengths = tables["word_lengths"].astype(numpy.int64)
        self.word_weights = grouped(tables["word_numbers"])
        self.word_keys, self.word_rows = _sorted_keys(
            _joined_word_hashes(tables["word_chars"], word_lengths))
        if len(self.word_keys) < len(word_lengths):
            raise ValueError("two dictionary words share a hash; change WORD_HASH_BASE")
        # (row of the word before << 32 | row of the word after) -> feature number, as
        # sorted keys, their rows, and the number of each row (row 0: none); row 0 of a
        # word is "no word", which no pair names
        self.context_tables = {
            kind: (*_sorted_keys(tables[f"{kind}keys"]), numpy.concatenate([[0], tables[f"{kind}numbers"]]))
            for kind in CONTEXT_KINDS}
        self.padded_weights = padded
        self.transitions = 1.0 + w[n_feature * n_tags:].reshape(n_tags, n_tags).T.copy()
        self.begins = [bool(begin) for begin in tables["begins"]]

    def __call__(self, text: str) -> numpy.ndarray:
        codes = _codes(text.translate(self.normalise))
        n = len(codes)
        scores = numpy.tile(self.start, (n, 1))
        if not n:
            return scores
        # characters: c. at i, c-1. at i+1, c1. at i-1, c-2. at i+2, c2. at i-2
        chars = self.char_weights[self.char_rows[codes]]
        scores += chars[:, 0]
        scores[1:] += chars[:-1, 1]
        scores[:-1] += chars[1:, 2]
        scores[2:] += chars[:-2, 3]
        scores[:-2] += chars[2:, 4]
        # pair (i, i+1): c-1c. at i+1, cc1. at i, c-2c-1. at i+2
        pairs = self.pair_weights[_rows(self.pair_keys, self.pair_rows,
                                        (codes[:-1] << SHIFT) | codes[1:])]
        scores[1:] += pairs[:, 0]
        scores[:-1] += pairs[:, 1]
        scores[2:] += pairs[:-1, 2]
        # the dictionary word of each length that starts at each position (row; 0: none)
        starting = {}
        for length in self.lengths:
            found = starting[length] = _rows(self.word_keys, self.word_rows,
                                             _window_hashes(codes, length))
            if length > n:
                continue
            weights = self.word_weights[found]
            scores[length - 1:] += weights[:, 0]  # w-1.: a word ends here
            scores[:n - length + 1] += weights[:, 1]  # w1.: a word starts here
        ends_here = [_shifted(starting[length], length - 1, n) for length in self.lengths]
        starts_here = [_shifted(starting[length], 0, n) for length in self.lengths]
        ends_before = [_shifted(starting[length], length, n) for length in self.lengths]
        starts_after = [_shifted(starting[length], -1, n) for length in self.lengths]
        scores += self._context_scores("ww.l.", numpy.stack(ends_before + starts_here, axis=1))
        scores += self._context_scores("ww.r.", numpy.stack(ends_here + starts_after, axis=1))
        return scores

    def _context_scores(self, kind: str, contexts: numpy.ndarray) -> numpy.ndarray:
        """Summed 'ww.l.'/'ww.r.' weights at each position, whose row of `contexts` holds
        the dictionary words before it and after it (0: none). A feature names a pair of
        words; the pairs of every position are looked up at once, and each position's
        weights are added in pkuseg's order (words before, then after, longest first), so
        the sums are pkuseg's to the last bit."""
        half = len(self.lengths)
        before = contexts[:, :half].astype(numpy.uint64)
        after = contexts[:, half:].astype(numpy.uint64)
        at, i, j = numpy.nonzero((before != 0)[:, :, None] & (after != 0)[:, None, :])
        keys, rows, numbers = self.context_tables[kind]
        found = numbers[_rows(keys, rows, (before[at, i] << numpy.uint64(32)) | after[at, j])]
        sums = numpy.zeros((len(contexts), len(self.start)))
        known = found != 0
        numpy.add.at(sums, at[known], self.padded_weights[found[known]])
        return sums


CONTEXT_KINDS = ("ww.l.", "ww.r.")


def compile_tables(extractor: FeatureExtractor, n_tag: int, idx_to_tag: dict[int, str],
                   word_min: int, word_max: int) -> dict[str, numpy.ndarray]:
    """Which pkuseg feature numbers each character, pair, word and word context names,
    as arrays (no weights): the slow part of building a `TextScores`, done once when the
    model is packaged (`write_tables`) instead of at every start."""
    n_feature = len(extractor.feature_to_idx)
    lengths = list(range(word_max, word_min - 1, -1))  # pkuseg's order: longest first
    table = {ord(char): "&" for char in FeatureExtractor.keywords}
    for chars, placeholder in ((FeatureExtractor.num, NUM), (FeatureExtractor.letter, LETTER)):
        for char in chars:
            table.setdefault(ord(char), placeholder)  # keyword renaming comes first
    table = dict(sorted(table.items()))  # pkuseg's character sets are sets: a fixed order
    # features by kind ("c-1." + char, "w1." + word, "ww.l." + pre*post ...)
    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    for name, number in extractor.feature_to_idx.items():
        if "**" in name:
            name = _placeholders(name)
        cut = 5 if name.startswith("ww.") else name.find(".") + 1  # "$$": cut 0
        by_kind[name[:cut]][name[cut:]] = number
    assert by_kind[""].get("$$") == 0, "pkuseg's start feature must be number 0"

    def numbers(kinds: tuple[str, ...], names: list[str]) -> numpy.ndarray:
        return numpy.array([[by_kind[kind].get(name, 0) for kind in kinds] for name in names],
                           dtype=numpy.int32).reshape(-1, len(kinds))

    chars = sorted(set().union(*(by_kind[kind] for kind in CHAR_FEATURES)))
    pairs = sorted(set().union(*(by_kind[kind] for kind in PAIR_FEATURES)))
    words = sorted(word for word in map(_placeholders, extractor.unigram)
                   if word_min <= len(word) <= word_max)
    word_rows = {word: row for row, word in enumerate(words, 1)}
    word_rows[NO_WORD] = 0
    tables = {
        "sizes": numpy.array([n_feature, n_tag], dtype=numpy.int64),
        "lengths": numpy.array(lengths, dtype=numpy.int64),
        "normalise_from": numpy.array(list(table), dtype=numpy.int64),
        "normalise_to": numpy.array([ord(char) for char in table.values()], dtype=numpy.int64),
        "chars": numpy.array([ord(char) for char in chars], dtype=numpy.int64),
        "char_numbers": numbers(CHAR_FEATURES, chars),
        "pairs": numpy.array([_pair_key(*name.split(".", 1)) for name in pairs],  # "a.b"
                             dtype=numpy.uint64),
        "pair_numbers": numbers(PAIR_FEATURES, pairs),
        "word_chars": _codes("".join(words)).astype(numpy.uint32),
        "word_lengths": numpy.array([len(word) for word in words], dtype=numpy.int8),
        "word_numbers": numbers(WORD_FEATURES, words),
        "begins": numpy.array(["B" in idx_to_tag[number] for number in range(n_tag)]),
    }
    for kind in CONTEXT_KINDS:  # pre + "*" + post; words hold no "*"
        keys, found = [], []
        for rest, number in by_kind[kind].items():
            if rest.startswith(NO_WORD + "*"):
                pre, post = NO_WORD, rest[len(NO_WORD) + 1:]
            else:
                pre, post = rest.split("*", 1)
            if pre in word_rows and post in word_rows:
                keys.append(word_rows[pre] << 32 | word_rows[post])
                found.append(number)
        tables[f"{kind}keys"] = numpy.array(keys, dtype=numpy.uint64)
        tables[f"{kind}numbers"] = numpy.array(found, dtype=numpy.int64)
    return tables


def _joined_word_hashes(word_chars: numpy.ndarray, word_lengths: numpy.ndarray) -> numpy.ndarray:
    """`_window_hashes` of each word, from the words' code points joined in order."""
    codes = word_chars.astype(numpy.uint64)
    starts = numpy.concatenate([[0], numpy.cumsum(word_lengths)[:-1]]).astype(numpy.int64)
    hashes = numpy.zeros(len(word_lengths), dtype=numpy.uint64)
    with numpy.errstate(over="ignore"):
        for offset in range(int(word_lengths.max(initial=0))):
            inside = word_lengths > offset
            hashes[inside] *= WORD_HASH_BASE
            hashes[inside] += codes[starts[inside] + offset]
    return hashes


SHIFT = numpy.uint64(32)
WORD_HASH_BASE = numpy.uint64(0x9E3779B97F4A7C15)  # odd; arithmetic wraps at 2**64


def _codes(text: str) -> numpy.ndarray:
    return numpy.frombuffer(text.encode("utf-32-le"), dtype=numpy.uint32).astype(numpy.uint64)


def _pair_key(first: str, second: str) -> int:
    return ord(first) << 32 | ord(second)


def _window_hashes(codes: numpy.ndarray, length: int) -> numpy.ndarray:
    """Hash of every `length`-character window (empty if the text is shorter)."""
    count = len(codes) - length + 1
    if count <= 0:
        return numpy.zeros(0, dtype=numpy.uint64)
    hashes = codes[:count].copy()
    with numpy.errstate(over="ignore"):
        for offset in range(1, length):
            hashes *= WORD_HASH_BASE
            hashes += codes[offset:offset + count]
    return hashes


def _sorted_keys(keys: list[int]) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Distinct keys sorted, and the row (1-based position in `keys`) of each."""
    keys = numpy.asarray(keys, dtype=numpy.uint64)
    distinct, first = numpy.unique(keys, return_index=True)
    return distinct, (first + 1).astype(numpy.intp)


def _rows(sorted_keys: numpy.ndarray, rows: numpy.ndarray, keys: numpy.ndarray) -> numpy.ndarray:
    """The row of each key, 0 where it is not among sorted_keys."""
    at = numpy.searchsorted(sorted_keys, keys).clip(max=len(sorted_keys) - 1)
    return numpy.where(sorted_keys[at] == keys, rows[at], 0)


def _shifted(values: numpy.ndarray, by: int, n: int) -> numpy.ndarray:
    """values[i - by] at position i of n (0 outside)."""
    out = numpy.zeros(n, dtype=numpy.intp)
    if by >= 0:
        part = values[:max(n - by, 0)]
        out[by:by + len(part)] = part
    else:
        part = values[-by:]
        out[:len(part)] = part
    return out


def cut_texts(scores: TextScores, texts: list[str]) -> list[list[str]]:
    """pkuseg's words of each text (no spaces; a model without a user dictionary).

    The texts are scored together, joined by two characters no feature names (so no
    feature reaches across: the widest reach is two characters), which pays the
    array operations' fixed cost once per batch instead of once per text.
    """
    transitions, begins = scores.transitions, scores.begins
    words: list[list[str]] = []
    for chunk in _chunks(texts):
        joined = scores(SEPARATOR.join(chunk))
        start = 0
        for text in chunk:
            end = start + len(text)
            if text:
                _, tags = inference.run_viterbi(joined[start:end], transitions)
                cuts = [0, *(i for i in range(1, len(text)) if begins[tags[i]]), len(text)]
                words.append([text[a:b] for a, b in zip(cuts, cuts[1:])])
            else:
                words.append([])
            start = end + len(SEPARATOR)
    return words


def _chunks(texts: list[str]):
    """Groups of texts of about CHUNK_CHARS characters in all (bounds the arrays)."""
    chunk, size = [], 0
    for text in texts:
        if chunk and size + len(text) > CHUNK_CHARS:
            yield chunk
            chunk, size = [], 0
        chunk.append(text)
        size += len(text) + len(SEPARATOR)
    if chunk:
        yield chunk


def transition_scores(model) -> numpy.ndarray:
    """pkuseg's edge scores, as its getLogYY computes them ([previous tag, tag])."""
    n = model.n_tag
    offset = model.n_feature * n
    return 1.0 + model.w[offset:offset + n * n].reshape(n, n).T.copy()
