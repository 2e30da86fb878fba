"""Tokens numbered as they come, in C: the indexer turns millions of strings into numbers.

Pure: no I/O. The postings encoder and the pair counter number their tokens with it
(`indexing.postings`, `indexing.statistics`), and the word tagger its syllables' rows
(`segment`, which also keeps the new ones).
"""

from __future__ import annotations


class Numbering(dict):
    """Token -> number, each new token taking the next (0, 1, 2...): `map(numbering.__getitem__,
    tokens)` numbers a list in C, calling Python only for a token not seen before (a third
    faster than `setdefault` with a counter).

    >>> numbering = Numbering()
    >>> list(map(numbering.__getitem__, ["trạm", "BTS", "trạm"]))
    [0, 1, 0]
    """

    def __missing__(self, token: str) -> int:
        number = self[token] = len(self)
        return number
