"""Read-only maps over sorted keys, answered by binary search.

The statistics a query reads from the index's caches hold tens of thousands of words (the
did-you-mean spellings, the syllables of the pair model), of which a query asks about a few:
building a dictionary of them all cost more than a cold `searchkit query "tram bts"` itself.
A key found is always the one asked for: keys out of order (a crafted cache) only go missing.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, Callable, Iterator, Mapping, Sequence


#: Lookups a table answers by decoding the words it compares (a cold query asks a few) before
#: it decodes them all (a server's searches ask thousands: 20 µs each, then 2).
DECODE_AFTER = 64


class SortedTable(Mapping[str, Any]):
    """`keys` (sorted) → `values[i]`, read through `read` when given; with no values, a key's
    position. `keys` may be any sequence (one decoding its words as they are asked for); one
    with its words all decoded (`.words`) is searched as the list it then holds.

    >>> spellings = SortedTable(["bts", "tram"], ["BTS 9", "trạm 30 trăm 20"], str.split)
    >>> spellings["tram"], spellings.get("dak"), SortedTable(["an", "nghệ"]).get("nghệ")
    (['trạm', '30', 'trăm', '20'], None, 1)
    >>> SortedTable(["tram", "bts"]).get("bts")  # out of order: missed, never another's
    """

    def __init__(self, keys: Sequence[str], values: Sequence | None = None, read: Callable | None = None):
        self._keys, self._values, self._read = keys, values, read
        self._lookups = 0

    def __getitem__(self, key: str):
        if not isinstance(key, str):
            raise KeyError(key)  # as a dict answers: never a comparison that fails
        decoded = getattr(self._keys, "words", None)
        if decoded is None and hasattr(self._keys, "words"):
            self._lookups += 1
            if self._lookups > DECODE_AFTER:  # a server's: every word decoded once, each lookup then
                iter(self._keys)  # compares strings, not a decoding of each word it passes
                decoded = self._keys.words
        keys = decoded if decoded is not None else self._keys
        i = bisect_left(keys, key)
        if i == len(keys) or keys[i] != key:
            raise KeyError(key)
        if self._values is None:
            return i
        return self._read(self._values[i]) if self._read else self._values[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
