"""Accent folding: strip Vietnamese marks so that unaccented queries match every variant."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_D = str.maketrans({"đ": "d", "Đ": "D", "\u00d0": "D", "\u00f0": "d"})


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Remove tone and vowel marks; đ→d, Đ→D. Keeps case and length for Vietnamese letters.

    >>> fold("Đắk Nông"), fold("trạm BTS"), fold("Straße Øresund")
    ('Dak Nong', 'tram BTS', 'Strasse Oresund')
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    stripped = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return stripped if stripped.isascii() else _transliterate(stripped)


def _transliterate(text: str) -> str:
    """Letters that have no marks to strip (ß, æ, ø, Ł) as unidecode spells them in ASCII.

    Only letters are replaced, so punctuation and other scripts' word boundaries stay.
    """
    from unidecode import unidecode  # only for the rare non-Vietnamese letter

    return "".join(unidecode(c) if not c.isascii() and c.isalpha() and unidecode(c).isalpha() else c
                   for c in text)


def has_marks(text: str) -> bool:
    """True when the text carries any Vietnamese mark (so folding would change it).

    >>> has_marks("trạm"), has_marks("bts")
    (True, False)
    """
    return fold(text) != text
