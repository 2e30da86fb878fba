"""Split normalised text into syllables with character offsets and their index forms."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator, NamedTuple

from searchkit.text.fold import fold
from searchkit.text.normalize import canonical_syllable, unify_i_y

_SYLLABLE = re.compile(r"[^\W_]+")


class Syllable(NamedTuple):
    """One syllable of a text: offsets into it, and the two forms that get indexed."""

    start: int
    end: int
    accented: str  # lower case, canonical tone placement, i/y unified: 'hòa', 'sĩ'
    folded: str  # accented without marks: 'hoa', 'si'


@lru_cache(maxsize=300_000)
def forms(word: str) -> tuple[str, str]:
    """The (accented, folded) index forms of one NFC word.

    >>> forms("Hoà"), forms("SỸ"), forms("Đắk")
    (('hòa', 'hoa'), ('sĩ', 'si'), ('đắk', 'dak'))
    """
    accented = unify_i_y(canonical_syllable(word.lower()))
    return accented, fold(accented)


def syllables(text: str) -> Iterator[Syllable]:
    """Yield the syllables of NFC text with offsets.

    >>> [s.accented for s in syllables("Sở TT&TT tỉnh Đắk Nông")]
    ['sở', 'tt', 'tt', 'tỉnh', 'đắk', 'nông']
    """
    for match in _SYLLABLE.finditer(text):
        accented, folded = forms(match.group())
        yield Syllable(match.start(), match.end(), accented, folded)


def query_syllables(text: str) -> list[Syllable]:
    """Syllables of user-typed text, which may be NFD or use look-alike letters.

    Offsets refer to the NFC form of the text.
    """
    return list(syllables(unicodedata.normalize("NFC", text)))
