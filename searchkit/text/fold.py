"""Accent folding: strip Vietnamese marks so that unaccented queries match every variant.

`fold` decomposes, drops the marks, recomposes, and spells in ASCII the letters that have no
marks to strip (`_fold_slowly`). For the characters Vietnamese (and Western) text is written
in, what that makes of a whole text is what it makes of each character in turn, so those are
folded through a table instead (`fold_table.FOLDS`, generated from `_fold_slowly` by
``python -m searchkit.text.fold``; a test keeps it current). The table spares a cold start
the slow path's first calls and unidecode's import.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from searchkit.text.fold_table import FOLDS

if TYPE_CHECKING:  # numpy only for long texts: not on a query's path
    import numpy as np

_D = str.maketrans({"đ": "d", "Đ": "D", "\u00d0": "D", "\u00f0": "d"})
#: The characters the table folds: Latin letters, the combining marks, and the punctuation
#: and symbols written between words (… – “ ” € °).
TABLE_RANGES = ((0x0080, 0x024F), (0x0300, 0x036F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20CF))
#: Texts this long or longer are folded in numpy (`_by_codes`), shorter ones by `translate`.
LONG_TEXT = 20_000
#: A character the table does not fold (nor ASCII): the text takes the slow path.
_UNKNOWN = re.compile("[^\\x00-\\x7f%s]" % "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in TABLE_RANGES))


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Remove tone and vowel marks; đ→d, Đ→D. Keeps case and length for Vietnamese letters.

    >>> fold("Đắk Nông"), fold("trạm BTS"), fold("Straße Øresund")
    ('Dak Nong', 'tram BTS', 'Strasse Oresund')
    """
    return _folded(text)


def fold_each(words: list[str]) -> list[str]:
    """`fold` of each of many words, folded as one text (no word is kept in `fold`'s cache):
    the did-you-mean folds an index's 28,000 spellings so, and its 55,000 pyvi words.

    >>> fold_each(["trạm", "Đắk_Nông", "Øresund", "bts"]), fold_each([])
    (['tram', 'Dak_Nong', 'Oresund', 'bts'], [])
    """
    joined = "\n".join(words)
    folded = _by_codes(joined) if len(joined) >= LONG_TEXT else None
    folded = (folded if folded is not None else joined.translate(FOLDS)).split("\n") if words else []
    if len(folded) != len(words):  # a word holds a line break: each folded on its own
        return [_folded(word) for word in words]
    for i, word in enumerate(words):
        if not word.isascii() and _UNKNOWN.search(word):  # a letter the table does not fold
            folded[i] = _fold_slowly(word)
    return folded


def _by_codes(text: str) -> str | None:
    """`text.translate(FOLDS)` through a numpy table of code points (`_fold_codes`), where
    `translate` looks each character up in a dict: the did-you-mean's 55,000 pyvi words
    (650,000 characters) in 10 ms, not 40. None where a character folds to none or to several
    (`ß` → `ss`, a lone combining mark), or lies past the table (an emoji): `translate` then.

    >>> _by_codes("Đắk Nông “5G” 中文"), _by_codes("Straße")
    ('Dak Nong “5G” 中文', None)
    """
    codes = code_points(text)
    table = _fold_codes()
    return through_codes(codes, table) if codes.max(initial=0) < len(table) else None


#: What a table of code points (`through_codes`) holds for one that maps to none or to several
#: characters, or whose mapping depends on its neighbours: past every code point.
NOT_ONE = 0x110000


def code_points(text: str) -> np.ndarray:
    """The code points of `text` (lone surrogates included), as numpy's uint32."""
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def through_codes(codes: np.ndarray, table: np.ndarray) -> str | None:
    """The text of the code points `codes` (each below `len(table)`), each mapped through
    `table` in one gather, where `str.translate` looks each character up in a dict; None
    where one maps to NOT_ONE (the text is then mapped otherwise).

    >>> import numpy as np
    >>> table = np.arange(128, dtype=np.uint32); table[ord("b")] = NOT_ONE
    >>> through_codes(code_points("tram"), table), through_codes(code_points("bts"), table)
    ('tram', None)
    """
    mapped = table.take(codes)
    return None if mapped.max(initial=0) >= NOT_ONE else mapped.tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=1)
def _fold_codes() -> np.ndarray:
    """Each code point of the Basic Multilingual Plane → the code point `FOLDS` folds it to
    (itself where the table says nothing), or NOT_ONE (a quarter of a megabyte)."""
    import numpy as np

    codes = np.arange(0x10000, dtype=np.uint32)
    for code, folded in FOLDS.items():
        codes[code] = ord(folded) if len(folded) == 1 else NOT_ONE
    return codes


def _folded(text: str) -> str:
    if text.isascii():
        return text
    if _UNKNOWN.search(text) is None:
        return text.translate(FOLDS)
    return _fold_slowly(text)


def _fold_slowly(text: str) -> str:
    """`fold` for any text: marks dropped after decomposing, the rest transliterated.

    >>> _fold_slowly("Ѐ Ǆ Þórshöfn")
    'E DZ Thorshofn'
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


def fold_table() -> dict[int, str]:
    """What `_fold_slowly` makes of each character of `TABLE_RANGES` on its own: inside any
    text of such characters (and ASCII), it makes the same of it (no two of them compose in
    NFC; tests/test_fold_table.py tries every pair).

    >>> table = fold_table()
    >>> table[ord("ắ")], table[ord("Đ")], table[ord("ß")], table[0x0301], table[ord("…")]
    ('a', 'D', 'ss', '', '…')
    """
    return {code: _fold_slowly(chr(code)) for first, last in TABLE_RANGES for code in range(first, last + 1)}


def table_module() -> str:
    """The source of `searchkit/text/fold_table.py`, written from `fold_table()`."""
    table = fold_table()
    lines = ['"""What `searchkit.text.fold.fold` makes of each character it folds through a table.',
             "",
             "Generated by `python -m searchkit.text.fold > searchkit/text/fold_table.py` (from",
             "`fold.fold_table()`, with the installed unidecode); tests/test_fold_table.py checks it is current.",
             '"""', "",
             "# fmt: off",
             "#: Code point -> its folded form.",
             "FOLDS = {"]
    lines += [f"    0x{code:04X}: {folded!r}," for code, folded in table.items()]
    lines += ["}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table_module(), end="")
