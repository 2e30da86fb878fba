"""The sorted distinct values of an array, as `np.unique(values)` gives them, without numpy.ma.

numpy 2's `np.unique`, called for the values alone, asks `np.ma.is_masked` of them, and the
first such call in a process imports numpy.ma: 17-19 ms of CPU, more than all else a
`searchkit add` imports after numpy itself; every build worker paid it too. Pure: no I/O.
"""

from __future__ import annotations

import numpy as np


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of `values` (flattened), sorted: `np.unique(values)`.

    >>> sorted_distinct(np.array([2024, 5, 2024, 17])).tolist(), sorted_distinct(np.zeros(0, np.int64)).tolist()
    ([5, 17, 2024], [])
    """
    ordered = np.sort(values, axis=None)
    first = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]
