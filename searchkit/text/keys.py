"""Folded keys: one spelling for names that people write many ways (filters, facets)."""

from __future__ import annotations

import unicodedata

from searchkit.text.syllables import syllables


def folded_key(text: str) -> str:
    """Lower case, marks and punctuation dropped, syllables joined by one space.

    >>> folded_key("Đắk Nông"), folded_key("dak  nong"), folded_key("Mic.gov.vn")
    ('dak nong', 'dak nong', 'mic gov vn')
    """
    return " ".join(s.folded for s in syllables(unicodedata.normalize("NFC", text)))
