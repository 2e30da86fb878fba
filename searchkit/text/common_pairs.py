"""Pairs of common syllables, written as one term each when an index is built.

At 16 times the corpus, `của` and `các` each stand at over a million positions of the
bodies, and finding where they stand side by side (a phrase, or the bonus for words typed
side by side) meant merging those positions: about 50 ms of a 130 ms query. So two
neighbouring syllables both among the most common (`common_syllables`, the list shipped in
`searchkit/data/common_syllables.txt`) are also indexed together as one term, `của các`, at
the second one's position, in the part's folded field and, where both are marked, in its
accented one: searching reads the pair's positions as it reads a word's.

A pair term holds a space, which no syllable does: every list of a field's words
(completions, did-you-mean statistics, the vocabulary count) leaves such terms out.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

#: Separates the two syllables of a pair term; no syllable holds one.
JOIN = " "


@lru_cache(maxsize=1)
def common_syllables() -> tuple[frozenset[str], str]:
    """(the folded syllables whose pairs are written, the list's version): the version is
    kept in each segment's postings file, so that an index written with another list is
    searched without its pairs."""
    # the package's own folder, without importing importlib.resources (8 ms of a cold start)
    text = (Path(__file__).parent.parent / "data" / "common_syllables.txt").read_text("utf-8")
    import zlib  # loaded by a search already (hashlib is not: 2 ms of a cold start)

    words = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return frozenset(words), f"{len(words)}-{zlib.crc32(chr(10).join(words).encode('utf-8')):08x}"


def pair_term(first: str, second: str) -> str:
    """The term of two syllables side by side.

    >>> pair_term("của", "các")
    'của các'
    """
    return first + JOIN + second


def common_words(words: list[str]) -> list[bool]:
    """Which of some words (as written, or a field's terms; '' holds a place) are among the
    common syllables, whose pairs are written: in C loops, as a segment asks it of its 50,000
    distinct words.

    >>> common_words(["Của", "cua", "trạm", "CÁC", ""])
    [True, True, False, True, False]
    """
    from operator import itemgetter

    from searchkit.text.syllables import forms

    return list(map(common_syllables()[0].__contains__, map(itemgetter(1), map(forms, words))))


def is_pair_term(term: str | bytes) -> bool:
    """Whether a term of a syllable field is a pair, not a word.

    >>> is_pair_term("cua cac"), is_pair_term(b"cua"), is_pair_term("")
    (True, False, False)
    """
    return (b" " if isinstance(term, bytes) else JOIN) in term
