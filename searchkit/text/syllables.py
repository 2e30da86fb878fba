"""Split normalised text into syllables with character offsets and their index forms.

A syllable is a run of letters and digits (`Sở`, `TT`, `4G`, `SP2`), or one number written
with points or commas, which is kept whole so that `2,5G` is not found by `5G`. Its index
form writes the number one way, with the decimal comma of Vietnamese (`number_form`):

- one point or comma between digits is a decimal mark: `2,5G` = `2.5G` → `2,5g` (neither
  `5g` nor `3,5g`); `công nghiệp 4.0` = `4,0` (not `4`, not `0`); `1,8GHz` → `1,8ghz`;
- points between groups of three digits are thousands, as Vietnamese writes them, maybe
  with a decimal comma after: `1.000` = `1000`, `10.000.000 đồng` → `10000000`, `1.039,72 m`
  → `1039,72`; a comma is always decimal (`2,500` is two and a half: `2,500`, not `2500`);
- any other run of digits, points and commas is cut at them, as a slash cuts: the dates
  `10.5.2010` = `10/5/2010` = `10 5 2010`, versions `4.3.2`, addresses `192.168.1.1`, lists
  `1,3,5`; letters before a number are another syllable (`v1.2` → `v1`, `2`).

Letters written on after the digits stay with them, as they always have (`4G`, `100km`,
`3.000m2` → `3000m2`). A query is cut the same way; a day and month written with a point
(`ngày 30.4`) is both a number and a date, so the query also searches its other reading
(`date_reading`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache, partial
from operator import itemgetter
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple, Sequence

from searchkit.text.fold import NOT_ONE, code_points, fold, through_codes
from searchkit.text.normalize import canonical_syllable, unify_i_y

if TYPE_CHECKING:
    import numpy as np  # imported where used: splitting syllables needs no numpy (nor `--help`)

#: One number: points between thousands (and a decimal comma), or one decimal mark; never
#: the start of a longer run of digits and separators; letters written on after it.
_NUMBER = r"(?:[1-9]\d{0,2}(?:\.\d{3})+(?!\d)(?:,\d+(?!\d))?|\d+[.,]\d+(?!\d))(?![.,]\d)[^\W_]*"
SYLLABLE = re.compile(r"[^\W\d_][^\W_]*|(?<!\d[.,])%s|[^\W_]+" % _NUMBER)  # words first: faster
_NUMBER_SYLLABLE = re.compile(_NUMBER)
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?!\d)")
#: Longer runs of letters and digits are no words (a base64 blob, a hostile 10,000-letter
#: "word"): they are neither indexed nor searchable (`query.MAX_WORD_LETTERS`).
MAX_SYLLABLE_CHARS = 64


class Syllable(NamedTuple):
    """One syllable of a text: offsets into it, and the two forms that get indexed."""

    start: int
    end: int
    accented: str  # lower case, canonical tone placement, i/y unified: 'hòa', 'sĩ'
    folded: str  # accented without marks: 'hoa', 'si'


#: `Syllable(*fields)` without the Python frame of its `__new__`: half the cost, for the
#: matches `find_syllables` makes by the thousand for a page of snippets.
_syllable = partial(tuple.__new__, Syllable)


@lru_cache(maxsize=300_000)
def forms(word: str) -> tuple[str, str]:
    """The (accented, folded) index forms of one NFC word.

    >>> forms("Hoà"), forms("SỸ"), forms("Đắk")
    (('hòa', 'hoa'), ('sĩ', 'si'), ('đắk', 'dak'))
    >>> forms("2.5G"), forms("1.000")
    (('2,5g', '2,5g'), ('1000', '1000'))
    """
    if word[:1].isdigit() and ("." in word or "," in word):
        word = number_form(word)
    accented = unify_i_y(canonical_syllable(word.lower()))
    return accented, fold(accented)


def number_form(word: str) -> str:
    """A number syllable written the index's one way (see `_NUMBER`): no thousands points,
    a decimal comma. Anything that is not one number syllable is returned as it is.

    >>> [number_form(w) for w in ("2.5G", "2,5G", "10.000.000", "1.039,72", "2,500", "10.5.2010")]
    ['2,5G', '2,5G', '10000000', '1039,72', '2,500', '10.5.2010']
    """
    if not _NUMBER_SYLLABLE.fullmatch(word):
        return word
    thousands = _THOUSANDS.match(word)
    if thousands:
        word = thousands.group().replace(".", "") + word[thousands.end():]
    return word.replace(".", ",")


def syllables(text: str) -> Iterator[Syllable]:
    """Yield the syllables of NFC text with offsets.

    >>> [s.accented for s in syllables("Sở TT&TT tỉnh Đắk Nông " + "a" * 65)]
    ['sở', 'tt', 'tt', 'tỉnh', 'đắk', 'nông']
    >>> [s.folded for s in syllables("mạng 2-2,5G, 3.5G; 1.500.000 đồng ngày 10.5.2010")]
    ['mang', '2', '2,5g', '3,5g', '1500000', 'dong', 'ngay', '10', '5', '2010']
    """
    for match in SYLLABLE.finditer(text):
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
    return [m for m in SYLLABLE.finditer(text) if m.end() - m.start() <= MAX_SYLLABLE_CHARS]


def syllable_spans(text: str) -> Iterator[tuple[int, int]]:
    """[start, end) of every syllable of NFC text, those longer than MAX_SYLLABLE_CHARS
    included (a query must know it holds one: `searching.analysed`).

    >>> list(syllable_spans("Sở 2,5G"))
    [(0, 2), (3, 7)]
    """
    return (m.span() for m in SYLLABLE.finditer(text))


def syllable_forms(text: str) -> list[tuple[str, str]]:
    """The (accented, folded) forms of every syllable of NFC text, without offsets: what the
    indexer needs, at half the cost of `syllables`.

    >>> syllable_forms("Trạm BTS")
    [('trạm', 'tram'), ('bts', 'bts')]
    """
    return [forms(word) for word in syllable_words(text)]


def syllable_words(text: str) -> list[str]:
    """Every syllable of NFC text as written, without offsets or forms: the indexer numbers
    these, and makes the forms once per distinct word (`indexing.postings.TermEncoder`).

    >>> syllable_words("Trạm BTS 2,5G " + "a" * 65)
    ['Trạm', 'BTS', '2,5G']
    """
    words: list[str] = []
    find = SYLLABLE.findall
    for run in text.split():  # no syllable holds a space (re's \s is what str.split splits at)
        if run.isalnum():  # letters and digits only (re's \w less '_'): one syllable, see `SYLLABLE`
            words.append(run)
        else:
            words += find(run)
    if words and max(map(len, words)) > MAX_SYLLABLE_CHARS:  # rare: filtered only then
        words = [word for word in words if len(word) <= MAX_SYLLABLE_CHARS]
    return words


def folded_form(word: str) -> str:
    """The folded index form of one NFC word (`forms`).

    >>> folded_form("Đắk")
    'dak'
    """
    return forms(word)[1]


def marked_form(word: str) -> str:
    """The accented index form of one NFC word when it holds marks, else '' (the accented
    fields hold a place for a plain syllable and index nothing there: `fields.ACCENTED`).

    >>> marked_form("Đắk"), marked_form("BTS")
    ('đắk', '')
    """
    accented, folded = forms(word)
    return accented if accented != folded else ""


def folded_forms(words: list[str]) -> list[str]:
    """`folded_form` of each of many words, without a Python call a word (a segment's tens of
    thousands of distinct syllables, for each of its folded fields).

    >>> folded_forms(["Đắk", "Nông", "BTS", "Hoà", "SỸ"]), folded_forms([])
    (['dak', 'nong', 'bts', 'hoa', 'si'], [])
    """
    return list(map(itemgetter(1), map(forms, words)))


def marked_forms(words: list[str]) -> list[str]:
    """`marked_form` of each of many words (see `folded_forms`).

    >>> marked_forms(["Đắk", "Nông", "BTS", "Hoà", "SỸ"]), marked_forms([])
    (['đắk', 'nông', '', 'hòa', 'sĩ'], [])
    """
    return [accented if accented != folded else "" for accented, folded in map(forms, words)]


def query_syllables(text: str) -> list[Syllable]:
    """Syllables of user-typed text, which may be NFD or use look-alike letters.

    Offsets refer to the NFC form of the text.
    """
    return list(syllables(unicodedata.normalize("NFC", text)))


def longest_syllable(text: str) -> str:
    """The longest syllable of `text`, counting those too long to be indexed ('' for none): a
    query holding one longer than MAX_SYLLABLE_CHARS asks for what no index holds.

    >>> longest_syllable("giá 1.000.000 đồng")
    '1.000.000'
    """
    return max(SYLLABLE.findall(text), key=len, default="")


_DAY_MONTH = re.compile(r"(\d{1,2})\.(\d{1,2})")


def date_reading(text: str, found: Sequence[Syllable]) -> tuple[str, ...] | None:
    """The folded syllables of `found` (the syllables of `text`) with each day and month read
    the other way; None when none is written so.

    A day and month written with a point is one syllable, a number (`30.4` → `30,4`); written
    with a slash they are two (`30/4` → `30 4`), cut like every date with a year
    (`30.4.1975` = `30/4/1975`). A query meaning either finds both with this reading.

    >>> def reading(text): return date_reading(text, list(syllables(text)))
    >>> reading("ngày 30.4"), reading("30/4"), reading("2.5")
    (('ngay', '30', '4'), ('30,4',), ('2', '5'))
    >>> reading("4.0"), reading("2,5"), reading("3.5G"), reading("10/5/2010"), reading("Đắk Nông")
    (None, None, None, None, None)
    """
    read: list[str] = []
    i = 0
    while i < len(found):
        syllable, after = found[i], found[i + 1] if i + 1 < len(found) else None
        dotted = _DAY_MONTH.fullmatch(text, syllable.start, syllable.end)
        if dotted and _day_month(*dotted.groups()):
            read += dotted.groups()
        elif (after and text[syllable.end:after.start] == "/" and _day_month(syllable.folded, after.folded)
              and text[syllable.start - 1:syllable.start] != "/" and text[after.end:after.end + 1] != "/"):
            read.append(f"{syllable.folded},{after.folded}")
            i += 1
        else:
            read.append(syllable.folded)
        i += 1
    return tuple(read) if len(read) != len(found) or any(a != s.folded for a, s in zip(read, found)) else None


def _day_month(day: str, month: str) -> bool:
    return (len(day) <= 2 and len(month) <= 2 and day.isdecimal() and month.isdecimal()
            and 1 <= int(day) <= 31 and 1 <= int(month) <= 12)


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


#: `_fold_lower` maps the code points below this through one table (Latin, Greek, Cyrillic,
#: the punctuation of news text: “”–…); a text holding any above it (Chinese, emoji: 6 of the
#: corpus's 32,366 titles and bodies) is folded through the dict.
FOLDED_SPAN = 0x3000
#: Texts shorter than this (titles) are folded through the dict: numpy's few calls cost 4.5 µs
#: whatever the length, the dict 43 ns a character.
SHORT_TEXT = 96


def _fold_lower(text: str) -> str | None:
    """`text` folded letter for letter and in lower case, offsets kept; None when a letter
    folds to more than one (ß → ss). The same as `text.translate(_folding_table()).lower()`,
    which looks each character up in a dict and costs more than the whole search on a long
    article: a body's code points are mapped through a numpy table instead, folding and
    lowering in one gather (`_folding_codes`); a title, shorter than SHORT_TEXT, or a text
    beyond the table goes through the dict.

    >>> _fold_lower("Trạm BTS Đắk “5G”"), _fold_lower("Straße")
    ('tram bts dak “5g”', None)
    """
    if len(text) >= SHORT_TEXT:
        codes = code_points(text)
        if codes.max() < FOLDED_SPAN:  # ß → ss, İ → i̇, Σ (as its neighbours say): None
            return through_codes(codes, _folding_codes())
    flat = text.translate(_folding_table()).lower()
    return flat if len(flat) == len(text) else None


@lru_cache(maxsize=1)
def _folding_codes() -> np.ndarray:
    """Each code point below FOLDED_SPAN → its folded form in lower case (`Ắ` → `a`, `Д` →
    `д`, `“` → `“`), or NOT_ONE (`fold.through_codes`)."""
    import numpy as np

    # every code point lowered at once, in C (İ, the one that lowers to two, and Σ held apart)
    odd = {ord("İ"), ord("Σ")}
    every = np.arange(FOLDED_SPAN, dtype=np.uint32).tobytes().decode("utf-32-le")
    every = every.replace("İ", "\0").replace("Σ", "\0").lower()
    codes = np.frombuffer(every.encode("utf-32-le"), dtype=np.uint32).copy()
    codes[list(odd)] = NOT_ONE
    folds = _folding_table()
    codes[np.fromiter(folds, np.intp, len(folds))] = [ord(base.lower()) if len(base) == 1 else NOT_ONE
                                                      for base in folds.values()]
    return codes


def find_syllables(text: str, folded: Iterable[str], limit: int | None = None) -> list[Syllable]:
    """The syllables of NFC `text` whose folded form is one of `folded`, in order; the first
    `limit` of them only, when given (the search stops there).

    Same result as filtering `syllables(text)`, but a C-level search finds the candidates,
    so a long article costs little when few of its syllables match.

    >>> text = "Trạm BTS, trăm sỹ"
    >>> [text[s.start:s.end] for s in find_syllables(text, {"tram", "si"})]
    ['Trạm', 'trăm', 'sỹ']
    >>> [s.accented for s in find_syllables("Straße: SỸ QUAN, sĩ quan", {"si", "strasse"})]  # ß: the slow path
    ['straße', 'sĩ', 'sĩ']
    >>> text = "mạng 2-2,5G, 3.5G rồi 5G; 1.000 đồng"
    >>> [text[s.start:s.end] for s in find_syllables(text, {"5g", "2,5g", "1000"})]
    ['2,5G', '5G', '1.000']
    >>> text = "Xlam làm_lam ²lam lam"  # a match begins a word: not inside one
    >>> [text[s.start:s.end] for s in find_syllables(text, {"lam"})]
    ['làm', 'lam', 'lam']
    """
    wanted = frozenset(folded)
    flat = _fold_lower(text)
    if flat is None or not wanted:  # ß → ss, İ → i̇: rare
        return [s for s in syllables(text) if s.folded in wanted][:limit]
    patterns, starts_checked_here = _finder(wanted)
    if len(patterns) == 1:
        spans: Iterable[tuple[int, int]] = (match.span() for match in patterns[0].finditer(flat))
    else:  # a few words, each found on its own: their matches in order
        spans = sorted([match.span() for pattern in patterns for match in pattern.finditer(flat)])
    found: list[Syllable] = []
    done = 0  # where the last run of a number ends: its syllables are all in `found`
    for start, end in spans:
        if start < done or (starts_checked_here and start and flat[start - 1].isalnum()):  # inside a word
            continue
        near = text[start - 1:start] if start else ""
        if (near in ".," or text[end:end + 1] in ".," or "." in flat[start:end] or "," in flat[start:end]) \
                and _by_number(text, start, end):  # '5G' in '2,5G', '2' of '2,5G': only cutting the run says
            done, candidates = _cut_run(text, start)
        else:
            candidates = [(start, end)]
        for start, end in candidates:
            accented, folded_form = forms(text[start:end])
            if folded_form in wanted:
                found.append(_syllable((start, end, accented, folded_form)))
        if limit is not None and len(found) >= limit:
            return found[:limit]
    return found


#: Up to this many words of letters and digits, `find_syllables` looks for each with a
#: pattern of its own, compiled once per word, not once per query (a query's pattern took
#: 40-100 µs to compile, more than scanning ten articles): `re` scans for a word's first
#: letters at C speed, so the few scans cost less than one of a pattern of alternatives.
FEW_WORDS = 8


@lru_cache(maxsize=256)
def _finder(wanted: frozenset[str]) -> tuple[tuple[re.Pattern, ...], bool]:
    """The patterns `find_syllables` looks for, chosen once per set of terms: a page of hits
    marks the same terms in every title and body (a query of many prefixes has thousands);
    and whether the caller checks that a match begins a word.

    Where every term is letters and digits, it does: a pattern that begins with a
    look-behind gets none of `re`'s skipping to the letters a match can begin with, and
    scanned a body in 65 µs instead of 2-30 µs. No match can then begin inside another (a
    match ends where its word does), so checking afterwards finds the same ones, and so do
    FEW_WORDS patterns of one word each, their matches put in order."""
    variants = wanted | {w[:-1] + "y" for w in wanted if w.endswith("i")}  # sĩ is also sỹ
    numbers = sorted((v for v in variants if v[:1].isdecimal()), key=len, reverse=True)
    if not numbers and all(v.isalnum() for v in variants):
        if len(variants) <= FEW_WORDS:
            return tuple(map(_whole_word, sorted(variants))), True
        return (re.compile(r"(?:%s)(?![^\W_])" % _trie_pattern(sorted(variants))),), True
    words = _trie_pattern(sorted(v for v in variants if not v[:1].isdecimal()))
    spelled = "|".join([*map(_spelled, numbers), *([words] if words else [])])
    return (re.compile(r"(?<![^\W_])(?:%s)(?![^\W_])" % spelled),), False


@lru_cache(maxsize=4096)
def _whole_word(word: str) -> re.Pattern:
    """A folded word of letters and digits where it ends a word (the caller checks where it
    begins).

    >>> [m.span() for m in _whole_word("tram").finditer("tram trams xtram tram_")]
    [(0, 4), (12, 16), (17, 21)]
    """
    return re.compile(re.escape(word) + r"(?![^\W_])")


def _trie_pattern(words: Sequence[str]) -> str:
    """One alternation for sorted words, their common beginnings factored out, the longest
    tried first: `re` then reads each letter once instead of trying every word in turn.

    >>> _trie_pattern(["tra", "tram", "trang"])
    'tra(?:m|ng)?'
    >>> bool(re.fullmatch(_trie_pattern(["a", "ai", "b"]), "ai"))
    True
    """
    if not words:
        return ""
    if len(words) == 1:
        return re.escape(words[0])
    ends = words[0] == ""  # sorted: the empty rest comes first
    branches = []
    for letter, group in _grouped([w for w in words if w]):
        branches.append(re.escape(letter) + _trie_pattern([w[1:] for w in group]))
    body = branches[0] if len(branches) == 1 and not ends else "(?:%s)" % "|".join(branches)
    if len(branches) == 1 and ends:
        body = "(?:%s)" % branches[0]
    return body + "?" if ends else body


def _grouped(words: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Sorted words by their first letter."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word)
    return list(groups.items())


def _spelled(term: str) -> str:
    """A pattern for the ways a folded syllable is written in folded text: as it is, and a
    number also with a decimal point and with points between its thousands.

    >>> [bool(re.fullmatch(_spelled(term), written)) for term, written in
    ...  [("tram", "tram"), ("2,5g", "2.5g"), ("2,5g", "2,5g"), ("1000000", "1.000.000")]]
    [True, True, True, True]
    """
    digits = re.match(r"\d*", term).end()
    if not digits:
        return re.escape(term)
    number = term[:digits]
    if digits > 3 and number[0] != "0":
        head = digits % 3 or 3
        number = r"\.?".join([number[:head]] + [number[i:i + 3] for i in range(head, digits, 3)])
    return number + re.escape(term[digits:]).replace(",", "[.,]")


def _by_number(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] holds or touches a point or comma between digits: then only
    cutting the text says whether it is a syllable (the `5G` of `2,5G` is none)."""
    return ("." in text[start:end] or "," in text[start:end]
            or start > 1 and text[start - 1] in ".," and text[start - 2].isdecimal()
            or text[end:end + 1] in (".", ",") and text[end + 1:end + 2].isdecimal())


#: A run of letters and digits with the points and commas between its digits: no syllable
#: crosses its ends.
_RUN = re.compile(r"(?:[^\W_]|(?<=\d)[.,](?=\d))+")


def _cut_run(text: str, at: int) -> tuple[int, list[tuple[int, int]]]:
    """Where the run (`_RUN`) holding offset `at` ends, and its syllables' [start, end), cut
    as `syllables` cuts them.

    >>> _cut_run("mạng 2-2,5G và", 7)
    (11, [(7, 11)])
    """
    begin = at
    while begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] in ".," and begin > 1
                         and text[begin - 2].isdecimal() and text[begin].isdecimal()):
        begin -= 1
    end = _RUN.match(text, begin).end()
    return end, [m.span() for m in SYLLABLE.finditer(text, begin, end) if m.end() - m.start() <= MAX_SYLLABLE_CHARS]
