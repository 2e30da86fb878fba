"""Restore accents to text typed without them, with the index's own syllable statistics.

`tri tue nhan tao` → *trí tuệ nhân tạo*: each folded syllable has a few accented spellings
(`tri` → trí, trị, trì…); which one reads as Vietnamese depends on its neighbours. Every
segment counts the pairs of accented syllables its articles write side by side
(`PairCounter`, stored in the segment's postings file); `PairCounts` merges the segments'
counts, and `restore` picks the most likely sequence with the Viterbi algorithm over
P(spelling | previous spelling), smoothed towards each syllable's own spelling frequencies.

Only pairs of short alphabetic syllables are counted: a Vietnamese syllable has at most 7
letters (`nghiêng`), and numbers or foreign words never need accents.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from searchkit.indexing.postings import smallest

#: Longest syllable whose pairs are counted.
MAX_LETTERS = 7
#: Weight of a syllable's own spelling frequencies against the pair counts (add-k smoothing).
SMOOTHING = 2.0


def countable(syllable: str) -> bool:
    return len(syllable) <= MAX_LETTERS and syllable.isalpha()


class PairCounter:
    """Counts how often two accented syllables stand side by side, over many sequences, and
    packs the counts for a postings file (`packed`).

    >>> counter = PairCounter()
    >>> counter.add(["trí", "tuệ", "nhân", "tạo"]); counter.add(["trí", "tuệ", "2024"])
    >>> PairCounts.merge([counter.packed()]).lookup(["trí", "tuệ"], ["tuệ", "nhân", "2024"]).tolist()
    [[2, 0, 0], [0, 1, 0]]
    """

    #: Pairs kept one by one before they are counted (8 bytes each, 32 MB): a large batch's memory
    #: stays bounded.
    PENDING = 4_000_000

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._next = itertools.count()  # a new syllable takes the count of syllables seen so far
        self._pairs: list[np.ndarray] = []  # first << 32 | second, per sequence
        self._pending = 0
        self._keys, self._counts = np.zeros(0, np.int64), np.zeros(0, np.int64)  # counted so far

    def add(self, sequence: Sequence[str]) -> None:
        numbers = np.fromiter(map(self._numbers.setdefault, sequence, self._next), dtype=np.int64,
                              count=len(sequence))
        if len(numbers) > 1:
            self._pairs.append((numbers[:-1] << 32) | numbers[1:])
            self._pending += len(numbers) - 1
            if self._pending > self.PENDING:
                self._count()

    def _count(self) -> None:
        """Fold the pending pairs into the sorted counts."""
        if not self._pairs:
            return
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
        used = np.unique(np.concatenate([first, second]))
        spelled = {int(number): name for name, number in self._numbers.items()}
        vocabulary = sorted((spelled[number], number) for number in used.tolist())
        place = np.zeros(len(allowed), dtype=np.int64)
        place[[number for _, number in vocabulary]] = np.arange(len(vocabulary))
        encoded = [name.encode("utf-8") for name, _ in vocabulary]
        return {
            "vocabulary": np.array(encoded, dtype=f"S{max((len(s) for s in encoded), default=1)}"),
            "first": smallest(place[first]),
            "second": smallest(place[second]),
            "count": smallest(counts),
        }


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
    encoded = [name.encode("utf-8") for name in names]
    return {
        "vocabulary": np.array(encoded, dtype=f"S{max((len(s) for s in encoded), default=1)}"),
        "first": smallest(counts.keys // size),
        "second": smallest(counts.keys % size),
        "count": smallest(counts.counts),
    }


@dataclass(frozen=True)
class PairCounts:
    """Merged pair counts of an index: one vocabulary, sorted `first * size + second` keys."""

    numbers: dict[str, int]
    keys: np.ndarray
    counts: np.ndarray
    following: np.ndarray  # per syllable: how many pairs it starts

    @classmethod
    def of(cls, numbers: dict[str, int], keys: np.ndarray, counts: np.ndarray) -> "PairCounts":
        size = max(len(numbers), 1)
        following = np.bincount(keys // size, weights=counts, minlength=size) if len(keys) else np.zeros(size)
        return cls(numbers, keys, counts, following)

    @classmethod
    def merge(cls, parts: Iterable[dict[str, np.ndarray]]) -> "PairCounts":
        """Sum the packed counts of several segments."""
        numbers: dict[str, int] = {}
        firsts, seconds, counts = [], [], []
        for part in parts:
            local = np.array([numbers.setdefault(s.decode("utf-8"), len(numbers))
                              for s in part["vocabulary"].tolist()], dtype=np.int64)
            if not len(local):
                continue
            firsts.append(local[part["first"]])
            seconds.append(local[part["second"]])
            counts.append(part["count"].astype(np.int64))
        if not firsts:
            return cls.of({}, np.zeros(0, np.int64), np.zeros(0, np.int64))
        size = max(len(numbers), 1)
        keys, inverse = np.unique(np.concatenate(firsts) * size + np.concatenate(seconds), return_inverse=True)
        return cls.of(numbers, keys, np.bincount(inverse, weights=np.concatenate(counts)).astype(np.int64))

    def ids(self, syllables: Sequence[str]) -> np.ndarray:
        return np.array([self.numbers.get(s, -1) for s in syllables], dtype=np.int64)

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


Candidates = Sequence[tuple[str, int]]  # spellings of one syllable with their frequencies


def restore(options: Sequence[Candidates], pairs: PairCounts) -> list[str]:
    """The most likely spelling of each position under the index's pair counts (a bigram
    language model, Viterbi), given each position's candidate spellings.

    >>> pairs = PairCounts.merge([pack_pairs([["trí", "tuệ"]] * 5 + [["trị", "giá"]] * 9)])
    >>> restore([[("trị", 90), ("trí", 60)], [("tuệ", 10)]], pairs)
    ['trí', 'tuệ']
    """
    if not options:
        return []
    ids = [pairs.ids([s for s, _ in candidates]) for candidates in options]
    scores = _start(options[0], ids[0], pairs)
    back: list[np.ndarray] = []
    for i in range(1, len(options)):
        total = scores[:, None] + _transition(options[i - 1], ids[i - 1], options[i], ids[i], pairs)
        back.append(total.argmax(axis=0))
        scores = total.max(axis=0)
    best = [int(scores.argmax())]
    for pointers in reversed(back):
        best.append(int(pointers[best[-1]]))
    best.reverse()
    return [options[i][k][0] for i, k in enumerate(best)]


def _start(candidates: Candidates, ids: np.ndarray, pairs: PairCounts) -> np.ndarray:
    """log P(spelling) for the first position (or after a word the index does not know)."""
    counts = np.array([max(n, 0) for _, n in candidates], dtype=np.float64) + 0.5
    return np.log(counts / counts.sum())


def _transition(previous: Candidates, previous_ids: np.ndarray, current: Candidates,
                current_ids: np.ndarray, pairs: PairCounts) -> np.ndarray:
    """log P(current spelling | previous spelling): pair count over the previous syllable's
    pairs, smoothed (add-k) towards the current spelling's share among its variants."""
    if not (previous_ids >= 0).any() or not (current_ids >= 0).any():  # a word the index lacks:
        return np.broadcast_to(_start(current, current_ids, pairs), (len(previous), len(current)))
    observed = pairs.lookup([s for s, _ in previous], [s for s, _ in current]).astype(np.float64)
    following = np.where(previous_ids >= 0, pairs.following[np.maximum(previous_ids, 0)], 0.0)
    prior = np.exp(_start(current, current_ids, pairs))
    return np.log((observed + SMOOTHING * prior[None, :]) / (following[:, None] + SMOOTHING))


def spell(words: Sequence[str], variants: Callable[[str], Candidates], pairs: PairCounts,
          fixed: Callable[[int], str | None] = lambda i: None) -> list[str]:
    """Restore each folded word; `fixed(i)` pins a word's spelling (decided elsewhere)."""
    options = []
    for i, word in enumerate(words):
        pinned = fixed(i)
        options.append([(pinned, 1)] if pinned else list(variants(word)) or [(word, 1)])
    return restore(options, pairs)
