"""Folded keys: one spelling for names that people write many ways (filters, facets)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from searchkit.text.syllables import syllables


@lru_cache(maxsize=4096)
def folded_key(text: str) -> str:
    """Lower case, marks and punctuation dropped, syllables joined by one space. Kept for the
    texts folded lately: a build folds every article's source, category and provinces, a few
    hundred names between them.

    >>> folded_key("Đắk Nông"), folded_key("dak  nong"), folded_key("Mic.gov.vn")
    ('dak nong', 'dak nong', 'mic gov vn')
    """
    return " ".join(s.folded for s in syllables(unicodedata.normalize("NFC", text)))
