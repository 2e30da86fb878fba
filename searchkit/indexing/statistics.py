"""The syllable pair counts the indexer writes for did-you-mean and accent restoration.

Every segment counts the pairs of words its articles write side by side, sentence by sentence
and as they write them (`text.sequences.pair_sequence`, `PairCounter`, stored in the segment's
postings file); a merge sums its segments' counts (`merge_packed`). `PairCounts` is the sum
over an index's segments, which `searching.accents.PairModel` reads as a language model.
Pure counting: nothing here knows how the counts are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, count
from typing import Iterable, Sequence

import numpy as np

from searchkit.distinct import sorted_distinct, summed_by_key
from searchkit.indexing.postings import smallest
from searchkit.text.numbering import Numbering
from searchkit.text.sequences import NUMBER

#: Longest word whose pairs are counted: a Vietnamese syllable has at most 7 letters
#: (`nghiêng`), but the words around it are context too, and tell how names are written
#: (`Facebook`, `Galaxy S8`).
MAX_LETTERS = 20


def countable(word: str) -> bool:
    return len(word) <= MAX_LETTERS and word.isalnum() and (word == NUMBER or not word.isdigit())


class PairCounter:
    """Counts how often two words stand side by side, over many sequences (`pair_sequence`),
    and packs the counts for a postings file (`packed`).

    >>> counter = PairCounter()
    >>> counter.add(["trí", "tuệ", "nhân", "tạo"]); counter.add(["trí", "tuệ", "2024"])
    >>> PairCounts.merge([counter.packed()]).lookup(["trí", "tuệ"], ["tuệ", "nhân", "2024"]).tolist()
    [[2, 0, 0], [0, 1, 0]]
    """

    #: Pairs kept one by one before they are counted (8 bytes each, 32 MB): a large batch's memory
    #: stays bounded.
    PENDING = 4_000_000

    def __init__(self) -> None:
        self._numbers = Numbering()
        self._pairs: list[np.ndarray] = []  # first << 32 | second, per sequence
        self._pending = 0
        self._keys, self._counts = np.zeros(0, np.int64), np.zeros(0, np.int64)  # counted so far

    def add(self, sequence: Sequence[str]) -> None:
        numbers = np.fromiter(map(self._numbers.__getitem__, sequence), dtype=np.int64, count=len(sequence))
        if len(numbers) > 1:
            self._pairs.append((numbers[:-1] << 32) | numbers[1:])
            self._pending += len(numbers) - 1
            if self._pending > self.PENDING:
                self._count()

    def _count(self) -> None:
        """Fold the pending pairs into the sorted counts."""
        if not self._pairs:
            return
        if not len(self._keys):  # the first fold (a batch's only one, mostly): a plain sort counts
            keys, counts = np.unique(np.concatenate(self._pairs), return_counts=True)
            self._keys, self._counts = keys, counts.astype(np.int64)
        else:
            keys, inverse = np.unique(np.concatenate([self._keys, *self._pairs]), return_inverse=True)
            weights = np.concatenate([self._counts, np.ones(self._pending, np.int64)])
            self._keys, self._counts = keys, np.bincount(inverse.ravel(), weights=weights).astype(np.int64)
        self._pairs, self._pending = [], 0

    def packed(self) -> dict[str, np.ndarray]:
        """The counts of pairs of countable syllables as arrays: sorted vocabulary, the
        vocabulary numbers of each pair's syllables, and its count."""
        self._count()
        keys, counts = self._keys, self._counts
        names = list(self._numbers)
        numbers = np.fromiter(self._numbers.values(), dtype=np.int64, count=len(names))
        allowed = np.zeros(int(numbers.max(initial=-1)) + 1, dtype=bool)
        allowed[numbers] = [countable(name) for name in names]
        first, second = keys >> 32, keys & 0xFFFFFFFF
        kept = allowed[first] & allowed[second]
        first, second, counts = first[kept], second[kept], counts[kept]
        used = sorted_distinct(np.concatenate([first, second]))
        spelled = {int(number): name for name, number in self._numbers.items()}
        vocabulary = sorted((spelled[number], number) for number in used.tolist())
        place = np.zeros(len(allowed), dtype=np.int64)
        place[[number for _, number in vocabulary]] = np.arange(len(vocabulary))
        return packing([name for name, _ in vocabulary], smallest(place[first]), smallest(place[second]),
                       smallest(counts))


def packing(names: Sequence[str], first: np.ndarray, second: np.ndarray, count: np.ndarray) -> dict[str, np.ndarray]:
    """Pair counts as a postings file keeps them: the words (UTF-8, as wide as the longest),
    each pair's words as their numbers among them, and its count.

    >>> packed = packing(["Nghệ", "An"], np.array([0]), np.array([1]), np.array([207]))
    >>> [w.decode() for w in packed["vocabulary"].tolist()], packed["count"].tolist()
    (['Nghệ', 'An'], [207])
    """
    encoded = [name.encode("utf-8") for name in names]
    return {"vocabulary": np.array(encoded, dtype=f"S{max((len(s) for s in encoded), default=1)}"),
            "first": first, "second": second, "count": count}


def pack_pairs(sequences: Iterable[Sequence[str]]) -> dict[str, np.ndarray]:
    """The packed pair counts of `sequences` (see `PairCounter`).

    >>> PairCounts.merge([pack_pairs([["trí", "tuệ"], ["trí", "tuệ"]])]).lookup(["trí"], ["tuệ"]).tolist()
    [[2]]
    """
    counter = PairCounter()
    for sequence in sequences:
        counter.add(sequence)
    return counter.packed()


def merge_packed(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Several segments' packed counts summed into one packing (for a merged segment).

    >>> merged = merge_packed([pack_pairs([["trí", "tuệ"]]), pack_pairs([["trí", "tuệ", "nhân"]])])
    >>> PairCounts.merge([merged]).lookup(["trí"], ["tuệ"]).tolist()
    [[2]]
    """
    counts = PairCounts.merge(parts)
    names = sorted(counts.numbers, key=counts.numbers.__getitem__)  # by number
    size = max(len(names), 1)
    first, second = np.divmod(counts.keys, size)
    return packing(names, smallest(first), smallest(second), smallest(counts.counts))


@dataclass(frozen=True)
class PairCounts:
    """Merged pair counts of an index: one vocabulary (the words as written), sorted
    `first * size + second` keys."""

    numbers: dict[str, int]
    keys: np.ndarray
    counts: np.ndarray

    @classmethod
    def merge(cls, parts: Iterable[dict[str, np.ndarray]]) -> "PairCounts":
        """Sum the packed counts of several segments."""
        parts = list(parts)
        vocabularies = [list(map(bytes.decode, part["vocabulary"].tolist())) for part in parts]
        # numbered in the order words first come (a dict keeps it), each part's words in C loops
        numbers = dict(zip(dict.fromkeys(chain.from_iterable(vocabularies)), count()))
        numbered = [(np.fromiter(map(numbers.__getitem__, words), dtype=np.int64, count=len(words)), part)
                    for words, part in zip(vocabularies, parts) if words]
        if not numbered:
            return cls({}, np.zeros(0, np.int64), np.zeros(0, np.int64))
        size = max(len(numbers), 1)  # every vocabulary numbered first: each part's keys at once (12 ms, 16 to 27 apart)
        keys, counts = summed_by_key(np.concatenate([local[part["first"]] * size + local[part["second"]]
                                                     for local, part in numbered]),
                                     np.concatenate([part["count"] for _, part in numbered]))
        return cls(numbers, keys, counts)

    def lookup(self, firsts: Sequence[str], seconds: Sequence[str]) -> np.ndarray:
        """Count of every (first, second) combination, as a len(firsts) × len(seconds) array."""
        size = max(len(self.numbers), 1)
        a = np.array([self.numbers.get(s, -1) for s in firsts], dtype=np.int64)
        b = np.array([self.numbers.get(s, -1) for s in seconds], dtype=np.int64)
        known = (a[:, None] >= 0) & (b[None, :] >= 0)
        probes = np.where(known, a[:, None] * size + b[None, :], -1).ravel()
        found = np.zeros(len(probes), dtype=np.int64)
        if len(self.keys):
            at = np.minimum(np.searchsorted(self.keys, probes), len(self.keys) - 1)
            hit = (self.keys[at] == probes) & (probes >= 0)
            found[hit] = self.counts[at[hit]]
        return found.reshape(len(a), len(b))
