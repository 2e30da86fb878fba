"""Every marked spelling of an unmarked syllable: what `an` could have been typed as (`ấn`,
`ăn`, `án`…), for telling an article that writes the plain word from one that writes a
look-alike. Pure text work: the index decides which of them exist.
"""

from __future__ import annotations

import itertools
import unicodedata
from functools import lru_cache

from searchkit.text.normalize import TONES, VOWELS
from searchkit.text.spelling import MAX_SYLLABLE_LETTERS
from searchkit.text.syllables import forms

#: Vowel shapes a folded letter may stand for (the tone is put on separately).
_SHAPES = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "i": "i", "y": "y", "d": "dđ"}


@lru_cache(maxsize=20_000)
def marked_variants(folded: str) -> tuple[str, ...]:
    """The index forms (`syllables.forms`) with marks whose folded form is `folded`.

    >>> variants = marked_variants("an")
    >>> "ấn" in variants, "ăn" in variants, "an" in variants, len(variants)
    (True, True, False, 17)
    >>> marked_variants("bts"), "đắk" in marked_variants("dak")
    ((), True)
    """
    if not folded.isascii() or not folded.isalpha() or len(folded) > MAX_SYLLABLE_LETTERS:
        return ()
    found: dict[str, None] = {}
    for shaped in itertools.product(*(_SHAPES.get(letter, letter) for letter in folded)):
        vowels = [i for i, letter in enumerate(shaped) if letter in VOWELS]
        for tone, at in itertools.product(("",) + TONES, vowels or [None]):
            if at is None and tone:
                continue
            letters = list(shaped)
            if tone:
                letters[at] = unicodedata.normalize("NFC", letters[at] + tone)
            accented, again = forms(unicodedata.normalize("NFC", "".join(letters)))
            if again == folded and accented != folded:
                found.setdefault(accented)
    return tuple(found)
