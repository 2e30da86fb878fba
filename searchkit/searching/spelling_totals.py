"""The did-you-mean's word counts, kept from one commit to the next so that a commit updates
them instead of reading every segment's words again.

`suggest.build_spellings` reads three groups of fields (`GROUPS`): the folded fields' words,
the accented fields' and pyvi's words, each with its occurrences summed over the index's
segments. Sums add up as the pair model's do (`pair_totals`), but two of the three break ties
by the word seen first: fields in turn, each over the segments in order, each segment's words
sorted (the order Counter additions segment by segment keep). Another order would change 74
of the 4,781 syllables' first spelling on the 16k index (`kém` / `kèm` at 1,428 each), so
the order is kept too. A commit only removes segments and appends new ones
(`adapter.commit_segments`), so which segments' fields hold a word, one bit each in the
segments' order, tells where it is first seen after any commit (`WordTotals.in_order`).

So after a commit a group's totals are the totals before, plus the words of the segments the
commit added, minus those of the segments it removed; the words of the small segments, those a
merge takes next, are saved beside the statistics to be taken away then (`saved_with`,
`updated`), as `pair_totals` keeps their pairs.

>>> def side(*words):  # one segment's `title` words, as `SegmentPostings.word_totals` gives them
...     found = sorted(set(words))
...     return [([w.encode() for w in found], np.array([words.count(w) for w in found]))]
>>> a, b, c = side("kèm", "trạm"), side("kém", "kém"), side("kèm", "Huế")
>>> totals = WordTotals.of([a + b])  # field `title` of segments a and b
>>> totals.in_order()
(['kèm', 'trạm', 'kém'], [1, 1, 2])
>>> taken = [[totals.terms.index(w.encode()) for w in ("kèm", "trạm")], np.array([1, 1])]
>>> later = totals.without([0], [taken]).plus([c])  # a merged away, c added
>>> later.in_order(), later.in_order() == WordTotals.of([b + c]).in_order()
((['kém', 'Huế', 'kèm'], [2, 1, 1]), True)
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Optional, Sequence

import numpy as np

from searchkit.fields import ACCENTED, FOLDED, WORDS, fields_of
from searchkit.indexing.postings import smallest
from searchkit.searching.pair_totals import KEPT_SHARE, kept_runs
from searchkit.searching.sorted_table import Lines, as_lines

#: The groups of fields whose words the did-you-mean counts: (name, the fields' names).
GROUPS = tuple((name, tuple(f.name for f in fields_of(kind)))
               for name, kind in (("folded", FOLDED), ("accented", ACCENTED), ("words", WORDS)))
#: The names of what `saved_with` saves beside the statistics start so.
TOTALS = "totals_"

#: A field's words in one segment, sorted and UTF-8 encoded, with their occurrences (None:
#: the segment does not keep the field).
Found = Optional[tuple[list[bytes], np.ndarray]]


@dataclass(frozen=True, eq=False)
class WordTotals:
    """One group's words over an index's segments: each word's occurrences summed, and which
    segments' fields hold it (for the order the words are first seen in)."""

    terms: list[bytes]  # sorted, UTF-8
    totals: np.ndarray  # per term, its occurrences in every field and segment (int64)
    held: np.ndarray  # fields × segments × terms: whether the segment's field holds the word (bool)

    @classmethod
    def of(cls, found: Sequence[Sequence[Found]]) -> WordTotals:
        """The totals of `found[field][segment]` (`SegmentPostings.word_totals`)."""
        return cls([], np.zeros(0, np.int64), np.zeros((len(found), 0, 0), bool)).plus(found)

    def in_order(self, least: int = 0) -> tuple[list[str], list[int]]:
        """The words counted `least` times or more, and their totals, in the order they are first
        seen: fields in turn, each over the segments in order, each segment's words sorted (the
        order Counter additions segment by segment keep; tests/test_spelling_totals.py)."""
        count = self.held.shape[2]
        if not count:
            return [], []
        anywhere = self.held.any(axis=1)  # fields × terms
        field = np.argmax(anywhere, axis=0)
        segment = np.argmax(self.held[field, :, np.arange(count)], axis=1)
        order = np.lexsort((np.arange(count), segment, field))
        if least:
            order = order[self.totals[order] >= least]
        return [self.terms[at].decode("utf-8") for at in order.tolist()], self.totals[order].tolist()

    def plus(self, found: Sequence[Sequence[Found]]) -> WordTotals:
        """These totals and the words of segments appended after theirs (`found[field][segment]`)."""
        fields, before, _ = self.held.shape
        added = len(found[0]) if found else 0
        parts = [(f, s, pair) for f, row in enumerate(found) for s, pair in enumerate(row) if pair is not None]
        encoded = list(chain.from_iterable(pair[0] for _, _, pair in parts))
        known = set(self.terms)
        fresh = sorted({term for term in encoded if term not in known})
        terms, totals, held, number = self._with_terms(fresh, before + added)
        at = np.fromiter(map(number.__getitem__, encoded), np.int64, len(encoded))
        if len(at):
            sums = np.concatenate([pair[1] for _, _, pair in parts]).astype(np.float64)
            totals += np.bincount(at, weights=sums, minlength=len(terms)).astype(np.int64)  # exact below 2^53
        start = 0
        for f, s, (words, _) in parts:
            held[f, before + s, at[start:start + len(words)]] = True
            start += len(words)
        return WordTotals(terms, totals, held)

    def _with_terms(self, fresh: list[bytes], segments: int):
        """(terms, totals, held, each term's number) with the sorted `fresh` terms put in place
        (a total of 0, held nowhere) and room for `segments` segments: new arrays, these left
        as they are."""
        fields, before, _ = self.held.shape
        terms = sorted(self.terms + fresh) if self.terms and fresh else self.terms or fresh  # sorted runs: merged in one pass
        number = dict(zip(terms, range(len(terms))))
        placed = np.zeros(len(terms), bool)
        placed[np.fromiter(map(number.__getitem__, fresh), np.int64, len(fresh))] = True
        totals = np.zeros(len(terms), np.int64)
        totals[~placed] = self.totals
        held = np.zeros((fields, segments, len(terms)), bool)
        held[:, :before, ~placed] = self.held
        return terms, totals, held, number

    def without(self, segments: Sequence[int], taken: Sequence[tuple[Sequence[int], np.ndarray]]) -> WordTotals | None:
        """These totals without the segments at `segments` (their places, in order), whose
        words were `taken` (the numbers of `terms`, and their occurrences summed over the
        group's fields). None where they do not add up: a count below zero, or a word still
        counted that no segment holds (or one held that is counted no more)."""
        totals = self.totals.copy()
        for at, sums in taken:
            np.subtract.at(totals, np.asarray(at, np.int64), np.asarray(sums, np.int64))
        held = np.delete(self.held, list(segments), axis=1)
        anywhere = held.any(axis=(0, 1))
        if (totals < 0).any() or not np.array_equal(totals > 0, anywhere):
            return None
        if anywhere.all():
            return WordTotals(self.terms, totals, held)
        kept = np.flatnonzero(anywhere)
        return WordTotals([self.terms[at] for at in kept.tolist()], totals[kept], held[:, :, kept])

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        """This group as plain arrays (`read` reads them back): ValueError for a word that
        cannot be written a line."""
        joined = b"\n".join(self.terms)
        if joined.count(b"\n") != max(len(self.terms) - 1, 0) or (self.terms and not all(self.terms)):
            raise ValueError("a word holds a line break, or is empty")
        return {f"{TOTALS}{name}_terms": np.frombuffer(joined, np.uint8), f"{TOTALS}{name}_totals": smallest(self.totals),
                f"{TOTALS}{name}_held": np.packbits(self.held, axis=1, bitorder="little")}

    @classmethod
    def read(cls, arrays, name: str, fields: int, segments: int) -> WordTotals:
        """A group as `arrays` saved it; ValueError (or KeyError) for anything else."""
        data = arrays[f"{TOTALS}{name}_terms"]
        if data.dtype != np.uint8 or data.ndim != 1:
            raise ValueError("not lines of UTF-8 text")
        terms = data.tobytes().split(b"\n") if len(data) else []
        totals, packed = arrays[f"{TOTALS}{name}_totals"], arrays[f"{TOTALS}{name}_held"]
        if totals.dtype.kind != "u" or totals.shape != (len(terms),) or packed.dtype != np.uint8 \
                or packed.shape != (fields, -(-segments // 8), len(terms)) or not all(map(bytes.__lt__, terms, terms[1:])):
            raise ValueError("not a group's totals")
        held = np.unpackbits(packed, axis=1, count=segments, bitorder="little").astype(bool)
        return cls(terms, totals.astype(np.int64), held)


#: Each segment of an index as its id and its postings file (`postings.SegmentPostings`).
Segments = Sequence[tuple[str, object]]


def spelling_totals(segments: Segments) -> dict[str, WordTotals]:
    """Every group's totals over `segments`, read from each segment's words."""
    return {name: WordTotals.of([[side.word_totals(field) for _, side in segments] for field in fields])
            for name, fields in GROUPS}


def saved_with(totals: dict[str, WordTotals], segments: Segments) -> dict[str, np.ndarray]:
    """What is saved beside the statistics of `totals` for the next commit (`updated`): the
    totals, the ids of the `segments` they sum, and, for each segment holding at most
    KEPT_SHARE of the groups' words, its words (numbers of each group's terms) and their
    occurrences. ValueError for a word that cannot be written a line."""
    arrays = {f"{TOTALS}segments": as_lines([segment for segment, _ in segments])}
    whole = sum(int(group.held.sum()) for group in totals.values())
    small = [s for s in range(len(segments))
             if sum(int(group.held[:, s].sum()) for group in totals.values()) <= KEPT_SHARE * whole]
    arrays[f"{TOTALS}kept"] = as_lines([segments[s][0] for s in small])
    for name, fields in GROUPS:
        group = totals[name]
        arrays.update(group.arrays(name))
        number = dict(zip(group.terms, range(len(group.terms))))
        parts = [_words_of(segments[s][1], fields, number) for s in small]
        arrays[f"{TOTALS}{name}_kept_at"] = smallest(np.concatenate([at for at, _ in parts] or [np.zeros(0, np.int64)]))
        arrays[f"{TOTALS}{name}_kept_sums"] = smallest(np.concatenate([sums for _, sums in parts] or [np.zeros(0, np.int64)]))
        arrays[f"{TOTALS}{name}_kept_ends"] = smallest(np.cumsum([len(at) for at, _ in parts], dtype=np.int64))
    return arrays


def _words_of(side, fields: Sequence[str], number: dict[bytes, int]) -> tuple[np.ndarray, np.ndarray]:
    """A segment's words of a group's `fields`, as the numbers of its terms (`number`: each
    term's), each once and sorted, and their occurrences summed over the fields."""
    found = [pair for pair in (side.word_totals(field) for field in fields) if pair is not None]
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    at = np.fromiter(map(number.__getitem__, chain.from_iterable(words for words, _ in found)), np.int64)
    sums = np.concatenate([counts for _, counts in found]).astype(np.float64)
    words, inverse = np.unique(at, return_inverse=True)
    return words, np.bincount(inverse.ravel(), weights=sums, minlength=len(words)).astype(np.int64)


def updated(arrays, segments: Segments) -> dict[str, WordTotals] | None:
    """The totals of `segments` (an index's, after a commit) from those saved with an earlier
    commit's statistics (`arrays`, `saved_with`'s): minus the words of the segments removed
    since, plus those of the segments appended. None where they cannot be: none saved, a
    removed segment whose words were not kept, segments that are not the earlier ones less
    some plus new ones after them, or totals that do not add up: the caller reads every
    segment then."""
    try:
        summed, kept = list(Lines(arrays[f"{TOTALS}segments"])), list(Lines(arrays[f"{TOTALS}kept"]))
        current = [segment for segment, _ in segments]
        present = set(current)
        staying = [s for s, segment in enumerate(summed) if segment in present]
        if current[:len(staying)] != [summed[s] for s in staying] or not set(kept) <= set(summed):
            return None
        gone = [s for s, segment in enumerate(summed) if segment not in present]
        if any(summed[s] not in kept for s in gone):
            return None
        result = {}
        for name, fields in GROUPS:
            group = WordTotals.read(arrays, name, len(fields), len(summed))
            taken = _kept_words(arrays, name, kept, [summed[s] for s in gone], len(group.terms))
            group = group.without(gone, taken)
            if group is None:
                return None
            result[name] = group.plus([[side.word_totals(field) for _, side in segments[len(staying):]]
                                       for field in fields])
        return result
    except (KeyError, ValueError):
        return None


def _kept_words(arrays, name: str, kept: list[str], removed: list[str], terms: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The kept words (numbers of the group's `terms`, occurrences) of each `removed` segment."""
    at, sums, ends = (arrays[f"{TOTALS}{name}_kept_{part}"].astype(np.int64) for part in ("at", "sums", "ends"))
    if len(at) != len(sums) or (len(at) and int(at.max()) >= terms):
        raise ValueError("not a group's kept words")
    runs = kept_runs(kept, ends, len(at))
    return [(at[runs[segment]], sums[runs[segment]]) for segment in removed]
