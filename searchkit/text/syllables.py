"""Split normalised text into syllables with character offsets and their index forms."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable, Iterator, NamedTuple

import numpy as np

from searchkit.text.fold import fold
from searchkit.text.normalize import canonical_syllable, unify_i_y

_SYLLABLE = re.compile(r"[^\W_]+")
#: Longer runs of letters and digits are no words (a base64 blob, a hostile 10,000-letter
#: "word"): they are neither indexed nor searchable (`query.MAX_WORD_LETTERS`).
MAX_SYLLABLE_CHARS = 64


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

    >>> [s.accented for s in syllables("Sở TT&TT tỉnh Đắk Nông " + "a" * 65)]
    ['sở', 'tt', 'tt', 'tỉnh', 'đắk', 'nông']
    """
    for match in _SYLLABLE.finditer(text):
        if match.end() - match.start() > MAX_SYLLABLE_CHARS:
            continue
        accented, folded = forms(match.group())
        yield Syllable(match.start(), match.end(), accented, folded)


def syllable_matches(text: str) -> list[re.Match[str]]:
    """The regex match of every syllable of NFC text: offsets and text, no forms yet (cheaper
    than `syllables` where most are looked at only folded, or not at all).

    >>> [m.group() for m in syllable_matches("Sở TT&TT " + "a" * 65)]
    ['Sở', 'TT', 'TT']
    """
    return [m for m in _SYLLABLE.finditer(text) if m.end() - m.start() <= MAX_SYLLABLE_CHARS]


def syllable_forms(text: str) -> list[tuple[str, str]]:
    """The (accented, folded) forms of every syllable of NFC text, without offsets: what the
    indexer needs, at half the cost of `syllables`.

    >>> syllable_forms("Trạm BTS")
    [('trạm', 'tram'), ('bts', 'bts')]
    """
    return [forms(word) for word in _SYLLABLE.findall(text) if len(word) <= MAX_SYLLABLE_CHARS]


def query_syllables(text: str) -> list[Syllable]:
    """Syllables of user-typed text, which may be NFD or use look-alike letters.

    Offsets refer to the NFC form of the text.
    """
    return list(syllables(unicodedata.normalize("NFC", text)))


@lru_cache(maxsize=1)
def _folding_table() -> dict[int, str]:
    """Each Latin letter with marks or without an ASCII form → what `fold` makes of it: the
    base letter (Đ/đ → D/d, ắ → a), else its transliteration (ø → o, ß → ss). Other
    scripts are left alone: their syllables take the exact path in `find_syllables`."""
    table = {ord("đ"): "d", ord("Đ"): "D"}
    latin = (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00))
    for code in latin:
        char = chr(code)
        if char.isalpha() and code not in table and fold(char) != char and fold(char).isascii():
            table[code] = fold(char)
    return table


def _fold_lower(text: str) -> str | None:
    """`text` folded letter for letter and in lower case, offsets kept; None when a letter
    folds to more than one (ß → ss). Code points are mapped through a numpy table: the
    same as `text.translate(_folding_table()).lower()`, which looks each character up in a
    dict and costs more than the whole search on a long article.

    >>> _fold_lower("Trạm BTS Đắk"), _fold_lower("Straße")
    ('tram bts dak', None)
    """
    if _folds_longer().search(text):
        return None
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _folding_codes()
    inside = codes < len(table)
    mapped = codes.copy()
    mapped[inside] = table[codes[inside]]
    return mapped.tobytes().decode("utf-32-le", "surrogatepass").lower()


@lru_cache(maxsize=1)
def _folding_codes() -> np.ndarray:
    """`_folding_table` as an array over code points up to the last Latin letter it folds."""
    table = {code: base for code, base in _folding_table().items() if len(base) == 1}
    codes = np.arange(max(table) + 1, dtype=np.uint32)
    for code, base in table.items():
        codes[code] = ord(base)
    return codes


@lru_cache(maxsize=1)
def _folds_longer() -> re.Pattern:
    """Letters whose folded form is longer than they are (ß → ss, æ → ae)."""
    return re.compile("[%s]" % "".join(re.escape(chr(code)) for code, base in _folding_table().items()
                                       if len(base) > 1))


def find_syllables(text: str, folded: Iterable[str]) -> list[Syllable]:
    """The syllables of NFC `text` whose folded form is one of `folded`, in order.

    Same result as filtering `syllables(text)`, but a C-level search finds the candidates,
    so a long article costs little when few of its syllables match.

    >>> text = "Trạm BTS, trăm sỹ"
    >>> [text[s.start:s.end] for s in find_syllables(text, {"tram", "si"})]
    ['Trạm', 'trăm', 'sỹ']
    >>> [s.accented for s in find_syllables("Straße: SỸ QUAN, sĩ quan", {"si", "strasse"})]  # ß: the slow path
    ['straße', 'sĩ', 'sĩ']
    """
    wanted = frozenset(folded)
    flat = _fold_lower(text)
    if flat is None or len(flat) != len(text) or not wanted:  # ß → ss, İ → i̇: rare
        return [s for s in syllables(text) if s.folded in wanted]
    variants = wanted | {w[:-1] + "y" for w in wanted if w.endswith("i")}  # sĩ is also sỹ
    pattern = re.compile(r"(?<![^\W_])(?:%s)(?![^\W_])" % "|".join(map(re.escape, sorted(variants, key=len, reverse=True))))
    found = []
    for match in pattern.finditer(flat):
        accented, folded_form = forms(text[match.start():match.end()])
        if folded_form in wanted:
            found.append(Syllable(match.start(), match.end(), accented, folded_form))
    return found
