"""Read-only maps over sorted keys, answered by binary search.

The statistics a query reads from the index's caches hold tens of thousands of words (the
did-you-mean spellings, the syllables of the pair model), of which a query asks about a few:
building a dictionary of them all cost more than a cold `searchkit query "tram bts"` itself.
A key found is always the one asked for: keys out of order (a crafted cache) only go missing.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence

from searchkit.collector import untracked

if TYPE_CHECKING:
    import numpy as np


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


def as_lines(words: Sequence[str]) -> np.ndarray:
    """Words as one UTF-8 text, a word a line, in bytes (`array_file` writes them): an eighth
    of a fixed-width string array's size (each character four bytes, each word as wide as the
    longest), and read back a word at a time (`Lines`). ValueError for a word that holds a
    line break (never a syllable's or a folded word's).

    >>> list(Lines(as_lines(["trạm", "BTS"]))), list(Lines(as_lines([])))
    (['trạm', 'BTS'], [])
    """
    import numpy as np

    if any("\n" in word for word in words):
        raise ValueError("a word holds a line break")
    return np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)


class Lines(Sequence[str]):
    """The words `as_lines` wrote, decoded one by one as they are asked for: a cold query
    restoring `tram bts` looks up a few of the index's 50,000 syllables, and splitting them
    all into strings cost more than the search. Iterating decodes them all, once.
    ValueError for anything but UTF-8 text."""

    def __init__(self, data: np.ndarray):
        import numpy as np

        if data.dtype != np.uint8 or data.ndim != 1:
            raise ValueError("not lines of UTF-8 text")
        self._text = data.tobytes()
        self._text.decode("utf-8")  # UnicodeDecodeError (a ValueError) now, not at a lookup
        breaks = np.flatnonzero(data == ord("\n"))
        self._starts = np.concatenate(([0], breaks + 1)) if len(data) else np.zeros(0, np.int64)
        self._ends = np.append(breaks, len(data)) if len(data) else np.zeros(0, np.int64)
        self.words: tuple[str, ...] | None = None  # all of them, once iterated (untracked: kept for long)

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, i):  # type: ignore[override]
        if self.words is not None:
            return self.words[i]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._text[int(self._starts[i]):int(self._ends[i])].decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        if self.words is None:
            self.words = untracked(self._text.decode("utf-8").split("\n")) if self._text else ()
        return iter(self.words)
