"""A local index's metadata as numpy tables over a generation's doc numbers: each Whoosh field
that filters, facets and date sorts read (the date, each keyed field's values and keys, the
spellings of a field with several values: `fields.KEYED`), as its terms with the articles
holding each.

Read through Whoosh, these cost the first filtered, faceted or date-sorted search of every
index generation: a filter ran as a Whoosh query over every article, a column was read a value
at a time, a key's articles a posting at a time. At 16 times the corpus that was 90-200 ms for
a first filter, 166 ms for a first date sort and 465 ms for a first faceted search (8-62 ms at
1×), and a newsroom's every commit starts a new generation. Here each segment's terms are read
once, a block of postings at a time (`adapter.term_documents`), and kept for as long as the
segment lives (`SegmentTerms`, carried from one generation to the next by segment id: a commit
reads only the segment it added); a generation joins its segments' (`Terms`), and a filter is
a few numpy passes (`filter_mask`).

    >>> dates = Terms(("2010-02-03", "2011-05-10"), (np.array([0, 2]), np.array([3])), 4)
    >>> dates.codes().tolist(), dates.holding(lambda day: day >= "2011").tolist()
    ([0, -1, 0, 1], [False, False, False, True])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator

import numpy as np

from searchkit.indexing.adapter import term_documents
from searchkit.searching.filters import Filters

#: The Whoosh field of the articles' dates (one term an article, '2010-02-03'); a date filter
#: keeps the terms within its days, as Whoosh's `TermRange` did (both ends included).
DATE = "date"
#: The days a filter without a first or last day runs from or to.
EARLIEST, LATEST = "0000-00-00", "9999-99-99"


@dataclass(frozen=True, eq=False)
class SegmentTerms:
    """One segment's terms of one field, in order, with the segment doc numbers holding each
    (deleted documents included: a segment never changes, its deletions do)."""

    terms: tuple[str, ...]
    docs: tuple[np.ndarray, ...]

    @classmethod
    def read(cls, leaf, field: str) -> SegmentTerms:
        found = term_documents(leaf, field)
        return cls(tuple(term for term, _ in found), tuple(docs for _, docs in found))


@dataclass(frozen=True, eq=False)
class Terms:
    """One field's terms over a generation, in order, with the doc numbers holding each
    (sorted; deleted documents included), over `size` articles."""

    terms: tuple[str, ...]
    docs: tuple[np.ndarray, ...]
    size: int

    @classmethod
    def joined(cls, segments: list[tuple[int, SegmentTerms]], size: int) -> Terms:
        """The terms of segments given as (first doc number, their terms), in doc order."""
        held: dict[str, list[np.ndarray]] = {}
        for offset, found in segments:
            for term, docs in zip(found.terms, found.docs):
                held.setdefault(term, []).append(docs + offset if offset else docs)
        terms = tuple(sorted(held))
        return cls(terms, tuple(np.concatenate(held[t]) if len(held[t]) > 1 else held[t][0] for t in terms), size)

    @cached_property
    def place(self) -> dict[str, int]:
        return {term: number for number, term in enumerate(self.terms)}

    def codes(self) -> np.ndarray:
        """Each article's term number (-1: it has none), for a field of one term an article."""
        codes = np.full(self.size, -1, dtype=np.int32)
        for number, docs in enumerate(self.docs):
            codes[docs] = number
        return codes

    def documents(self, term: str) -> np.ndarray:
        """The doc numbers holding `term` (none when no article does)."""
        number = self.place.get(term)
        return self.docs[number] if number is not None else np.zeros(0, np.int64)

    def holding(self, wanted: Callable[[str], bool]) -> np.ndarray:
        """A mask of the articles holding a term that `wanted` keeps."""
        mask = np.zeros(self.size, dtype=bool)
        for term, docs in zip(self.terms, self.docs):
            if wanted(term):
                mask[docs] = True
        return mask

    def live(self, alive: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
        """(term, its live doc numbers) of each term some live article holds, in order: what
        Whoosh's searcher gave for each of a field's terms."""
        for term, docs in zip(self.terms, self.docs):
            kept = docs.compress(alive.take(docs))
            if len(kept):
                yield term, kept


def generation_terms(arrays, field: str) -> Terms:
    """A field's `Terms` over the generation of `arrays` (`searching.arrays.IndexArrays`),
    from each segment's, read once per segment and kept in `arrays.by_segment`."""
    segments = []
    for (leaf, offset), (segment, _, _) in zip(arrays.leaves, arrays.layout):
        read = arrays.by_segment.setdefault(segment, {})
        if field not in read:
            read[field] = SegmentTerms.read(leaf, field)
        segments.append((offset, read[field]))
    return Terms.joined(segments, arrays.size)


def filter_mask(terms: Callable[[str], Terms], chosen: Filters, size: int) -> np.ndarray | None:
    """The articles the filters let through (None: no filter), over `size` articles: a date
    within the days (its term, compared as text, both ends included) and every key asked
    for, as the Whoosh query `And([TermRange("date", …), Term("tag_key", key), …])` found
    them; deleted ones too, which ranking never takes (`arrays.alive`). `terms(field)`: that
    field's `Terms`.

    >>> dates = Terms(("2010-02-03", "2013-05-10"), (np.array([0]), np.array([1, 2])), 3)
    >>> keys = Terms(("5g", "viettel"), (np.array([1]), np.array([0, 1])), 3)
    >>> tables = {"date": dates, "tag_key": keys}.__getitem__
    >>> filter_mask(tables, Filters.parse(since="2012", tag="Viettel"), 3).tolist()
    [False, True, False]
    >>> filter_mask(tables, Filters.parse(), 3) is None
    True
    """
    mask = None
    if chosen.dated:
        first, last = chosen.since or EARLIEST, chosen.until or LATEST
        mask = terms(DATE).holding(lambda day: first <= day <= last)
    for field, keys in chosen.keyed():  # every key held: tag=["5G", "Viettel"] is both
        keyed = terms(field.key_field)
        for key in keys:
            held = np.zeros(size, dtype=bool)
            held[keyed.documents(key)] = True
            mask = held if mask is None else np.logical_and(mask, held, out=mask)
    return mask
