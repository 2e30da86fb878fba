"""Folded keys: one spelling for names that people write many ways (filters, facets)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from searchkit.text.syllables import syllables

#: Texts up to this long are kept once folded (`_kept_key`): names, which a build folds for
#: every article. A longer one (whatever a caller hands a filter) is folded each time, so a
#: server never holds thousands of them.
KEPT_CHARS = 120


def folded_key(text: str) -> str:
    """Lower case, marks and punctuation dropped, syllables joined by one space.

    >>> folded_key("Đắk Nông"), folded_key("dak  nong"), folded_key("Mic.gov.vn"), folded_key("")
    ('dak nong', 'dak nong', 'mic gov vn', '')
    >>> folded_key("Hoà Bình " * 20) == "hoa binh " * 19 + "hoa binh"  # longer than KEPT_CHARS: not kept
    True
    """
    return _kept_key(text) if len(text) <= KEPT_CHARS else _folded(text)


@lru_cache(maxsize=4096)
def _kept_key(text: str) -> str:
    """`folded_key` of a short text, kept for the texts folded lately: a build folds every
    article's source, category and provinces, a few hundred names between them (14 → 2.5 µs
    for an article's Whoosh fields)."""
    return _folded(text)


def _folded(text: str) -> str:
    return " ".join(s.folded for s in syllables(unicodedata.normalize("NFC", text)))
