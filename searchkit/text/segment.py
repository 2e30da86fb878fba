"""Vietnamese word segmentation (pyvi) behind a lazy import.

pyvi pulls in scikit-learn (over a second to import), so only indexing calls this module.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from searchkit.text.syllables import forms


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[[str], str]:
    from pyvi import ViTokenizer  # heavy: imported on first use only

    return ViTokenizer.tokenize


def compound_words(text: str) -> list[str]:
    """Multi-syllable words found by pyvi, in accented index form, joined with '_'.

    >>> compound_words("Sở Thông tin và Truyền thông tỉnh Đắk Nông")
    ['thông_tin', 'truyền_thông', 'đắk_nông']
    """
    if not text.strip():
        return []
    words = []
    for line in text.split("\n"):
        for token in _tokenizer()(line).split():
            if "_" in token:
                words.append("_".join(forms(part)[0] for part in token.split("_") if part))
    return words
