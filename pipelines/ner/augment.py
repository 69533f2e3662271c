"""Entity-replacement augmentation: training sentences again, with other names in them.

Why: on the honest dev the model finds 93.5 % of the MSRA entities it saw in training
but 70.2 % of the unseen ones (README, "Honest dev split"): it has learned names more
than the contexts that announce them. A copy of a training sentence whose persons,
places, agencies and organisations are swapped for other names of the same class keeps
the context (…在…视察, …局长…表示) and breaks the name memory.

Where replacement names come from (never from dev):
- PERSON: synthetic Chinese names, a surname drawn from the surname frequencies of the
  training split's two- and three-character person names and given-name characters
  from their given-name character frequencies (same length distribution); a lone
  surname (陈先生's 陈) becomes another surname; a longer (foreign) name another
  training person name of four or more characters.
- PLACE: the project's gazetteer (kg/models/gazetteer.json.gz: provinces to towns,
  full and short names), its villages, and the training split's places, half and half.
- ADDRESS, AGENCY, ORG: when the name starts with a gazetteer place (杭州市公安局,
  浙江省杭州市文三路), that place is swapped for another of the same form (full name
  for full name, short for short) and the head is kept, so the label stays right;
  otherwise another training name of the same class and corpus.
A candidate that occurs anywhere in the dev text is refused (unless it is already a
training entity), and a copy that shares a 12-character run with a dev sentence (or
holds a short dev sentence whole) is dropped, so the honest dev stays honest. All
draws come from one `random.Random(seed)`: the same inputs give the same copies.

POSITION spans and the text between entities are kept as they are; the copy keeps its
corpus (and so its text style).
"""

from __future__ import annotations

import bisect
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Callable, Iterable

from kg.evaluate import Sentence
from kg.nlp.gazetteer import read_gazetteer

REPO = Path(__file__).resolve().parents[2]
GAZETTEER = REPO / "kg" / "models" / "gazetteer.json.gz"

REPLACED_LABELS = ("PERSON", "PLACE", "ADDRESS", "AGENCY", "ORG")
# two-character surnames: a general list of Chinese compound surnames, not names
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 令狐 夏侯 慕容 司徒 尉迟 公孙 长孙 宇文 轩辕 端木 "
    "西门 南宫 独孤 百里 呼延 澹台 公冶 太史 申屠 闻人 万俟 钟离 赫连 濮阳".split())
HAN = re.compile(r"^[\u4e00-\u9fff]+$")
MAX_TRIES = 20


class Weighted:
    """Draw items in proportion to their counts (cumulative weights, one bisect a draw)."""

    def __init__(self, counts: Counter):
        self.items = sorted(counts)
        self.cumulative = list(accumulate(counts[item] for item in self.items))

    def __bool__(self) -> bool:
        return bool(self.items)

    def draw(self, rng: random.Random):
        point = rng.random() * self.cumulative[-1]
        return self.items[bisect.bisect_right(self.cumulative, point)]


def split_person(name: str) -> tuple[str, str] | None:
    """(surname, given name) of a two- to four-character Chinese name, else None."""
    if not HAN.match(name) or not 2 <= len(name) <= 4:
        return None
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    if len(name) == 4:
        return None  # most four-character spans are transliterations or two names
    return name[0], name[1:]


@dataclass
class NameLists:
    """Replacement names, from the training split and the gazetteer only."""

    by_class: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (corpus, label)
    surnames: Weighted = None
    given_chars: Weighted = None
    given_lengths: Weighted = None
    long_persons: list[str] = field(default_factory=list)
    places_full: list[str] = field(default_factory=list)
    places_short: list[str] = field(default_factory=list)
    place_prefixes: dict[str, bool] = field(default_factory=dict)  # place -> is a short form
    training_names: set[str] = field(default_factory=set)


def gazetteer_places(gazetteer: Path = GAZETTEER) -> tuple[list[str], list[str]]:
    """(full names, short names) of the project's gazetteer divisions and villages (read
    from beside it)."""
    full, short = set(), set()
    places = read_gazetteer(gazetteer)
    for division in places.rows:
        if len(division["name"]) >= 2:
            full.add(division["name"])
        if division.get("short") and len(division["short"]) >= 2:
            short.add(division["short"])
    for names in places.villages.values():
        full.update(name for name in names if len(name) >= 2)
    return sorted(full), sorted(short)


def build_name_lists(training: Iterable[tuple[str, Sentence]],
                     label_of: Callable[[str, str, str], str | None],
                     places: tuple[list[str], list[str]]) -> NameLists:
    """Name lists from the training sentences (`label_of(corpus, raw, name)` gives the
    internal label, or None for spans the NER does not learn) and the gazetteer places."""
    lists = NameLists()
    by_class: dict[tuple[str, str], set[str]] = {}
    surnames, given_chars, given_lengths, long_persons = Counter(), Counter(), Counter(), set()
    for corpus, sentence in training:
        for start, end, raw in sentence.spans:
            name = sentence.text[start:end]
            label = label_of(corpus, raw, name)
            if label not in REPLACED_LABELS:
                continue
            lists.training_names.add(name)
            by_class.setdefault((corpus, label), set()).add(name)
            if label == "PERSON":
                parts = split_person(name)
                if parts:
                    surnames[parts[0]] += 1
                    given_chars.update(parts[1])
                    given_lengths[len(parts[1])] += 1
                elif len(name) >= 4:
                    long_persons.add(name)
    lists.by_class = {key: sorted(names) for key, names in by_class.items()}
    lists.surnames, lists.given_chars = Weighted(surnames), Weighted(given_chars)
    lists.given_lengths = Weighted(given_lengths)
    lists.long_persons = sorted(long_persons)
    lists.places_full, lists.places_short = places
    lists.place_prefixes = {name: False for name in places[0] if len(name) <= 8}
    lists.place_prefixes.update({name: True for name in places[1]})
    return lists


class Augmenter:
    """Makes the replaced copies; refuses every name and run that the dev text holds."""

    def __init__(self, lists: NameLists, dev_texts: list[str], seed: int = 0,
                 overlap_chars: int = 12, share: float = 1.0):
        self.lists = lists
        self.share = share
        self.rng = random.Random(seed)
        self.dev_joined = "\n".join(dev_texts)
        self.overlap_chars = overlap_chars
        self.dev_runs = {text[i:i + overlap_chars] for text in dev_texts
                         for i in range(len(text) - overlap_chars + 1)}
        self.short_dev = [text for text in dev_texts if 0 < len(text) < overlap_chars]
        self.max_prefix = max(map(len, lists.place_prefixes), default=0)

    def allowed(self, name: str) -> bool:
        return bool(name) and (name in self.lists.training_names or name not in self.dev_joined)

    def _pick(self, make: Callable[[], str | None], original: str) -> str | None:
        for _ in range(MAX_TRIES):
            name = make()
            if name and name != original and self.allowed(name):
                return name
        return None

    def _choice(self, names: list[str]) -> str | None:
        return self.rng.choice(names) if names else None

    def _person(self) -> str | None:
        lists = self.lists
        if not lists.surnames:
            return None
        length = lists.given_lengths.draw(self.rng)
        return lists.surnames.draw(self.rng) + "".join(
            lists.given_chars.draw(self.rng) for _ in range(length))

    def _place_prefix(self, name: str) -> tuple[str, bool] | None:
        """The longest gazetteer place `name` starts with, leaving a head after it."""
        for length in range(min(self.max_prefix, len(name) - 1), 1, -1):
            short = self.lists.place_prefixes.get(name[:length])
            if short is not None:
                return name[:length], short
        return None

    def replacement(self, corpus: str, label: str, name: str) -> str | None:
        """Another name of the same class for `name`, or None to keep it."""
        lists, rng = self.lists, self.rng
        same_class = lists.by_class.get((corpus, label), [])
        if label == "PERSON":
            if len(name) == 1:
                return self._pick(lambda: lists.surnames.draw(rng) if lists.surnames else None,
                                  name)
            if split_person(name):
                return self._pick(self._person, name)
            return self._pick(lambda: self._choice(lists.long_persons), name)
        if label == "PLACE":
            def place() -> str | None:
                if rng.random() < 0.5:
                    return self._choice(same_class)
                return self._choice(lists.places_full if rng.random() < 0.5 else lists.places_short)
            return self._pick(place, name)
        prefix = self._place_prefix(name)
        if prefix:
            place, short = prefix
            pool = lists.places_short if short else lists.places_full

            def swapped() -> str | None:
                new_place = self._choice(pool)
                return new_place + name[len(place):] if new_place and self.allowed(new_place) else None
            return self._pick(swapped, name)
        return self._pick(lambda: self._choice(same_class), name)

    def copy(self, corpus: str, sentence: Sentence,
             label_of: Callable[[str, str, str], str | None]) -> Sentence | None:
        """The sentence with its replaceable spans swapped; None when nothing changed or
        the copy would share a run with the dev text."""
        text, pieces, spans, cursor, position, changed = sentence.text, [], [], 0, 0, False
        for start, end, raw in sorted(sentence.spans):
            if start < cursor:
                continue  # overlapping gold spans: keep the first
            name = text[start:end]
            label = label_of(corpus, raw, name)
            replace = label in REPLACED_LABELS and (self.share >= 1 or self.rng.random() < self.share)
            new = self.replacement(corpus, label, name) if replace else None
            pieces.append(text[cursor:start])
            position += start - cursor
            new = new or name
            changed |= new != name
            pieces.append(new)
            spans.append((position, position + len(new), raw))
            position += len(new)
            cursor = end
        pieces.append(text[cursor:])
        if not changed:
            return None
        new_text = "".join(pieces)
        if self.shares_dev(new_text):
            return None
        return Sentence(new_text, spans)

    def shares_dev(self, text: str) -> bool:
        n = self.overlap_chars
        if any(text[i:i + n] in self.dev_runs for i in range(len(text) - n + 1)):
            return True
        return any(short in text for short in self.short_dev)


def augment(training: list[tuple[str, Sentence]], dev_texts: list[str], ratio: float,
            label_of: Callable[[str, str, str], str | None],
            places: tuple[list[str], list[str]] | None = None, seed: int = 0, share: float = 1.0
            ) -> list[tuple[str, Sentence]]:
    """About `ratio` replaced copies per training sentence that has a replaceable span
    (ratio 1.5: one copy each, a second for half of them), in training order; in each
    copy a name is replaced with probability `share` (a copy with none replaced is dropped),
    so the names a copy keeps stay known words in a new sentence."""
    if ratio <= 0:
        return []
    lists = build_name_lists(training, label_of, places if places is not None else gazetteer_places())
    augmenter = Augmenter(lists, dev_texts, seed=seed, share=share)
    whole, fraction = int(ratio), ratio - int(ratio)
    copies = []
    for corpus, sentence in training:
        if not any(label_of(corpus, raw, sentence.text[s:e]) in REPLACED_LABELS
                   for s, e, raw in sentence.spans):
            continue
        count = whole + (augmenter.rng.random() < fraction)
        for _ in range(count):
            new = augmenter.copy(corpus, sentence, label_of)
            if new is not None:
                copies.append((corpus, new))
    return copies
