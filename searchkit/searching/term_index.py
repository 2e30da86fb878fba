"""Every word of a field in a generation's segments, sorted, with the articles holding it:
what a prefix (`tram*`, `viett*`) expands through (`rewrite.expand_prefixes`).

Pure numpy over what the segments' postings files hold (`SegmentPostings.word_table`). A
segment never changes, so an index made of some segments holds for every later generation
that still has them: a commit's new generation joins the one or two small segments it
added to the index the generation before made (`TermIndexes`). Made afresh for every
generation, it was 56-70 ms of the first prefix search after each commit at 16 times the
corpus (bench/README.md, thirty-seventh session).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

#: A segment holding at least this share of a generation's articles is settled: merges of
#: the small segments a newsroom's commits add leave it alone, so the index of the settled
#: segments is kept apart and the small ones are joined to it again after such a merge.
SETTLED_SHARE = 1 / 16

#: One segment's word table: its id, its articles, its sorted words (numpy bytes) and how
#: many articles hold each.
SegmentTable = tuple[str, int, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class TermIndex:
    """The words of a field in `segments` (ids), sorted as UTF-8 bytes (`terms`, a numpy
    bytes array: no word holds a NUL; one byte wider than the longest,
    `SegmentPostings.word_table`), and how many of their articles hold each (`counts`,
    deleted ones included, as a segment's own counts do).

    >>> index = TermIndex.empty().joined([("a", 2, np.array([b"tram", b"trang"], "S6"), np.array([1, 2])),
    ...                                   ("b", 1, np.array([b"bts", b"tram"], "S5"), np.array([1, 1]))])
    >>> index.completions(b"tra"), sorted(index.segments), index.documents
    ({'tram': 2, 'trang': 2}, ['a', 'b'], 3)
    """

    segments: frozenset[str]
    documents: int
    terms: np.ndarray
    counts: np.ndarray

    @classmethod
    def empty(cls) -> TermIndex:
        return cls(frozenset(), 0, np.zeros(0, dtype="S1"), np.zeros(0, np.int64))

    def joined(self, tables: Iterable[SegmentTable]) -> TermIndex:
        """This index with the words of more segments (none of them already in it): their
        words are counted together first, then put in their places among this index's (one
        binary search each, one copy of the arrays)."""
        tables = [table for table in tables if table[0] not in self.segments]
        if not tables:
            return self
        segments = self.segments | {segment for segment, _, _, _ in tables}
        documents = self.documents + sum(documents for _, documents, _, _ in tables)
        held = [(terms, counts) for _, _, terms, counts in tables if len(terms)]
        if not held:
            return TermIndex(segments, documents, self.terms, self.counts)
        width = max(self.terms.dtype.itemsize, *(terms.dtype.itemsize for terms, _ in held))
        added, added_counts = _summed(np.concatenate([terms.astype(f"S{width}") for terms, _ in held]),
                                      np.concatenate([counts for _, counts in held]).astype(np.int64))
        terms = self.terms.astype(f"S{width}", copy=False)
        places = np.searchsorted(terms, added)
        known = places < len(terms)
        known[known] = terms[places[known]] == added[known]
        counts = self.counts.copy()
        counts[places[known]] += added_counts[known]  # each place once: the added words are distinct
        new = ~known
        return TermIndex(segments, documents, np.insert(terms, places[new], added[new]),
                         np.insert(counts, places[new], added_counts[new]))

    def completions(self, prefix: bytes) -> dict[str, int]:
        """The words beginning with `prefix` (UTF-8), with how many articles hold each."""
        if len(prefix) >= self.terms.dtype.itemsize:  # longer than any word (each has a byte to spare)
            return {}
        keys = np.array([prefix, prefix + b"\xff"], dtype=self.terms.dtype)  # as wide: no copy of the terms
        first, last = np.searchsorted(self.terms, keys).tolist()
        return dict(zip((term.decode("utf-8") for term in self.terms[first:last].tolist()),
                        self.counts[first:last].tolist()))


def _summed(terms: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct `terms`, sorted, each with its `counts` summed. The terms are sorted runs
    (one a segment), which a stable sort (timsort) merges: 9 ms for five ×16 segments' 200,000
    words, where `np.unique` took 62.

    >>> words, counts = _summed(np.array([b"bts", b"tram", b"tram", b"trang"]), np.array([1, 2, 3, 4]))
    >>> words.tolist(), counts.tolist()
    ([b'bts', b'tram', b'trang'], [1, 5, 4])
    """
    order = np.argsort(terms, kind="stable")
    terms = terms[order]
    starts = np.flatnonzero(np.concatenate(([True], terms[1:] != terms[:-1])))
    return terms[starts], np.add.reduceat(counts[order], starts) if len(starts) else counts[:0]


class TermIndexes:
    """A field's term indexes kept across generations: the settled segments' (see
    SETTLED_SHARE) and the whole latest generation's. A generation that holds every segment
    of the latest one (a commit added some) joins its new segments to that; one that lost
    some (a merge) joins its other segments to the settled index; one that lost a settled
    segment (a large merge) makes both again."""

    def __init__(self) -> None:
        self.settled = TermIndex.empty()
        self.whole = TermIndex.empty()

    def of(self, layout: list[tuple[str, int]], words: Callable[[str], tuple[np.ndarray, np.ndarray]]) -> TermIndex:
        """The index of the segments in `layout` ((id, articles) each); `words(segment)` reads
        one segment's words and counts (`SegmentPostings.word_table`)."""
        articles = dict(layout)

        def table(segment: str) -> SegmentTable:
            return (segment, articles[segment], *words(segment))

        present = set(articles)
        if self.whole.segments == present:
            return self.whole
        if self.whole.segments and self.whole.segments <= present and self.settled.segments <= self.whole.segments:
            base = self.whole  # a commit added segments
        else:
            total = sum(documents for _, documents in layout)
            settled = [segment for segment, documents in layout if documents >= SETTLED_SHARE * total]
            if not self.settled.segments <= present:
                self.settled = TermIndex.empty()
            self.settled = self.settled.joined(table(segment) for segment in settled
                                               if segment not in self.settled.segments)
            base = self.settled
        self.whole = base.joined(table(segment) for segment, _ in layout if segment not in base.segments)
        return self.whole
