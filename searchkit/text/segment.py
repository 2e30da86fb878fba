"""Vietnamese word segmentation with pyvi's model, behind a lazy import.

pyvi pulls in scikit-learn (over a second to import), so only indexing calls this module.
`pyvi_words` gives exactly what `ViTokenizer.tokenize` gives, about twice as fast: it
computes each syllable's features once instead of up to five times and hands them to
pyvi's CRF as attribute names rather than dicts (measured: 5.4 s → 2.3 s on 0.9 M chars).
"""

from __future__ import annotations

import string
from functools import lru_cache
from typing import Any

from searchkit.text.syllables import forms

_PUNCTUATION = frozenset(string.punctuation)


@lru_cache(maxsize=1)
def _pyvi() -> Any:
    from pyvi.ViTokenizer import ViTokenizer  # heavy: imported on first use only

    return ViTokenizer


def _features(tokens: list[str], bigrams: set[str], trigrams: set[str]) -> list[list[str]]:
    """pyvi's word2features for a sentence, as CRFsuite attribute names.

    A string feature `k: v` is the attribute `k:v`, a true flag is `k`, and a false flag
    weighs 0 and is left out: the CRF scores these exactly as pyvi's dicts.
    """
    lower = [t.lower() for t in tokens]
    flags = [("word.istitle()" if t.istitle() else "", "word.isupper()" if t.isupper() else "")
             for t in tokens]
    last = len(tokens) - 1
    sequence = []
    for i, word in enumerate(lower):
        attributes = ["bias", "word.lower():" + word, *filter(None, flags[i])]
        if tokens[i].isdigit():
            attributes.append("word.isdigit()")
        if i > 0:
            attributes.append("-1:word.lower():" + lower[i - 1])
            attributes += ["-1:" + flag for flag in flags[i - 1] if flag]
            if f"{lower[i - 1]} {word}" in bigrams:
                attributes.append("-1:word.bi_gram()")
            if i > 1 and f"{lower[i - 2]} {lower[i - 1]} {word}" in trigrams:
                attributes.append("-2:word.tri_gram()")
        if i < last:
            attributes.append("+1:word.lower():" + lower[i + 1])
            attributes += ["+1:" + flag for flag in flags[i + 1] if flag]
            if f"{word} {lower[i + 1]}" in bigrams:
                attributes.append("+1:word.bi_gram()")
            if i < last - 1 and f"{word} {lower[i + 1]} {lower[i + 2]}" in trigrams:
                attributes.append("+2:word.tri_gram()")
        sequence.append(attributes)
    return sequence


def _joins(previous: str, current: str, label: str) -> bool:
    """pyvi's rule for gluing a syllable to the one before it."""
    return (label == "I_W" and current not in _PUNCTUATION and previous not in _PUNCTUATION
            and not current[0].isdigit() and not previous[0].isdigit()
            and not (current[0].istitle() and not previous[0].istitle()))


def pyvi_words(text: str) -> list[str]:
    """Words as pyvi segments them, syllables joined by '_' (same as ViTokenizer.tokenize).

    >>> pyvi_words("Sở Thông tin và Truyền thông")
    ['Sở', 'Thông_tin', 'và', 'Truyền_thông']
    """
    vi = _pyvi()
    _, tokens = vi.sylabelize(text)
    if not tokens:
        return []
    labels = vi.model.tagger_.tag(_features(tokens, vi.bi_grams, vi.tri_grams))
    words = [tokens[0]]
    for i in range(1, len(tokens)):
        if _joins(tokens[i - 1], tokens[i], labels[i]):
            words[-1] += "_" + tokens[i]
        else:
            words.append(tokens[i])
    return words


def compound_words(text: str) -> list[str]:
    """Multi-syllable words found by pyvi, in accented index form, joined with '_'.

    >>> compound_words("Sở Thông tin và Truyền thông tỉnh Đắk Nông")
    ['thông_tin', 'truyền_thông', 'đắk_nông']
    """
    compounds = []
    for line in text.split("\n"):
        for word in pyvi_words(line):
            if "_" in word:
                compounds.append("_".join(forms(part)[0] for part in word.split("_") if part))
    return compounds
