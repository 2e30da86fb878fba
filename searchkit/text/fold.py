"""Accent folding: strip Vietnamese marks so that unaccented queries match every variant."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_D = str.maketrans({"đ": "d", "Đ": "D", "\u00d0": "D", "\u00f0": "d"})


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Remove tone and vowel marks; đ→d, Đ→D. Keeps case and length for Vietnamese letters.

    >>> fold("Đắk Nông"), fold("trạm BTS")
    ('Dak Nong', 'tram BTS')
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def has_marks(text: str) -> bool:
    """True when the text carries any Vietnamese mark (so folding would change it).

    >>> has_marks("trạm"), has_marks("bts")
    (True, False)
    """
    return fold(text) != text
