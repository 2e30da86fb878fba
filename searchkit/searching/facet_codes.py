"""A facet's values as numbers, so that counting the matches' values is a numpy count.

`pipeline.facet_counts` counted each match's value in a Python loop: 860 ms for a faceted
search of `công nghệ` at 16 times the corpus (90,000 matches, six facets), and the search page
asks for facets every time. A store whose values stay for an index generation (the local
index) numbers them once (`FacetCodes.of`), and each search counts its matches with
`np.bincount`: the same counts, a few milliseconds.

    >>> coded = FacetCodes.of(["Hà Nội", None, "Đắk Nông", "Hà Nội"])
    >>> coded.counted(np.array([True, True, False, True]))
    {'Hà Nội': 2}
    >>> FacetCodes.of([("5G", "Viettel"), (), ("Viettel",)]).counted(np.array([True, True, True]))
    {'5G': 1, 'Viettel': 2}
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np


@dataclass(frozen=True, eq=False)
class FacetCodes:
    """Every article's value of one facet, numbered: `codes[i]` is the number of a value in
    `labels`; with `docs` (a field with several values), `docs[i]` is the article holding it,
    one entry per value it holds; without, entry i is article i's (-1: it has none)."""

    labels: tuple[Hashable, ...]
    codes: np.ndarray
    docs: np.ndarray | None = None

    @classmethod
    def of(cls, values: Sequence) -> FacetCodes:
        """The values of `View.facet_values` (one per article: a value, None, or a tuple of
        values), counted as `pipeline.facet_counts` counts them: every value of a tuple, a
        single value only when it is not empty. Numbered by C loops (dict keys, `map`): a
        facet's 259,000 values at ×16 in a few milliseconds, once per index generation."""
        kinds = set(map(type, values))
        if tuple not in kinds:
            labels, codes = _numbered(values)
            empty = [number for number, label in enumerate(labels) if not label]  # None, '': not counted
            if empty:
                kept = np.arange(len(labels), dtype=np.int32)
                kept[empty] = -1
                codes = kept.take(codes)
            return cls(labels, codes)
        if kinds == {tuple}:  # a field with several values: each article's tuple, however short
            sizes = np.fromiter(map(len, values), np.intp, len(values))
            labels, codes = _numbered(list(chain.from_iterable(values)))
            return cls(labels, codes, np.repeat(np.arange(len(values)), sizes))
        numbers: dict = {}
        docs, found = [], []
        for doc, value in enumerate(values):  # tuples and single values mixed: one by one
            for one in value if isinstance(value, tuple) else ((value,) if value else ()):
                docs.append(doc)
                found.append(numbers.setdefault(one, len(numbers)))
        return cls(tuple(numbers), np.asarray(found, np.int32), np.asarray(docs, np.intp))

    def counted(self, matched: np.ndarray) -> dict:
        """How many of the articles `matched` (a mask over every article) hold each value;
        values none of them holds left out."""
        if self.docs is None:
            held = self.codes.compress(matched)
            held = held.compress(held >= 0)
        else:
            held = self.codes.compress(matched.take(self.docs))
        counts = np.bincount(held, minlength=len(self.labels))
        return {self.labels[number]: int(counts[number]) for number in counts.nonzero()[0].tolist()}


def _numbered(values: Sequence) -> tuple[tuple, np.ndarray]:
    """(the distinct values in order of first appearance, each value's number among them)."""
    labels = tuple(dict.fromkeys(values))
    numbers = {label: number for number, label in enumerate(labels)}
    return labels, np.fromiter(map(numbers.__getitem__, values), np.int32, len(values))
