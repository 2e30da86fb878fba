"""The provinces and cities of Vietnam: one canonical name for every spelling, found in text.

The gazetteer ships as ``searchkit/data/provinces.tsv`` (its header documents the format) and
is loaded once, on first use. Lookups ignore case, marks and punctuation, so ``Đăk Nông``,
``Đak Nông`` and ``dak nong`` all resolve to ``Đắk Nông``:

    >>> gazetteer = load_gazetteer()
    >>> gazetteer.resolve("dak nong"), gazetteer.resolve("TP HCM")
    ('Đắk Nông', 'TP Hồ Chí Minh')

Finding a province in running text is stricter (see `Gazetteer.find`): the name must be
capitalised, written with the marks of one of its spellings (or with none at all), and a name
that is also an ordinary phrase (``hòa bình``, peace) counts only after ``tỉnh``/``TP``/
``thành phố`` or as the title prefix.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping, Sequence

from searchkit.text.fold import fold
from searchkit.text.keys import folded_key
from searchkit.text.normalize import TONE_MARKS
from searchkit.text.syllables import MAX_SYLLABLE_CHARS, SYLLABLE, Syllable, forms, syllable_matches, syllables

#: Words before a name that make it a place: 'tỉnh Hòa Bình', 'TP Huế', 'thành phố Huế'.
CONTEXT_WORDS = (("tinh",), ("tp",), ("thanh", "pho"))
#: How much of the body counts as the lead when looking for a province.
LEAD_CHARS = 600
#: Characters of text looked through syllable by syllable (`_named_everywhere`) before the
#: regex that finds where names may start is compiled (`_starts`): compiling it costs 61 ms of
#: CPU, looking everywhere about 0.11 µs a character more than the regex, so the regex pays
#: for itself after some 550,000 characters. An add of ten articles never compiles it.
EVERYWHERE_CHARS = 250_000
#: What may stand between the syllables of one name: spaces, one dash ('Bà Rịa - Vũng Tàu').
_GAP = re.compile(r"[ \t]*(?:[-–][ \t]*)?")


@dataclass(frozen=True)
class _Spelling:
    """The spellings of one province that share a folded key, position by position."""

    canonical: str
    accented: tuple[frozenset[str], ...]  # accented forms seen at each syllable position
    capitals: tuple[bool, ...]  # True where every spelling starts the syllable upper case
    needs_context: bool  # every spelling with this key is also an ordinary phrase


@dataclass(frozen=True, eq=False, repr=False)
class Gazetteer:
    """Canonical province names and every spelling of them; build it with `load_gazetteer`."""

    names: tuple[str, ...]  # canonical names, in file order
    _by_key: Mapping[tuple[str, ...], _Spelling]
    _longest: int
    _first: frozenset[str]  # first folded syllables of every spelling, to skip the rest fast
    _looked: list[int] = field(default_factory=lambda: [0])  # characters `_named_everywhere` read so far

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"<Gazetteer: {len(self)} provinces>"

    def resolve(self, name: str) -> str | None:
        """The canonical name of any spelling, accents and case optional; None when unknown.

        A leading 'tỉnh', 'TP' or 'thành phố' is ignored.

        >>> load_gazetteer().resolve("Tỉnh Đắc Lắc"), load_gazetteer().resolve("Atlantis")
        ('Đắk Lắk', None)
        """
        return self.resolve_folded(folded_key(name).split())

    def resolve_folded(self, folded: Sequence[str]) -> str | None:
        """`resolve` of a name's folded syllables (a query's, split already).

        >>> load_gazetteer().resolve_folded(["tinh", "dak", "lak"])
        'Đắk Lắk'
        """
        key = tuple(folded)
        spelling = self._by_key.get(key)
        if spelling is None:
            context = _leading_context(key)
            spelling = self._by_key.get(key[context:]) if context else None
        return spelling.canonical if spelling else None

    def spellings(self, folded: Sequence[str], limit: int = 8) -> tuple[tuple[str, ...], ...]:
        """The accented syllables a province's name is written with, for its folded syllables
        (at most `limit` spellings); () when they name no province.

        >>> load_gazetteer().spellings(["dak", "nong"])
        (('đắk', 'nông'), ('đak', 'nông'), ('đăk', 'nông'))
        >>> load_gazetteer().spellings(["tp", "hcm"]), load_gazetteer().spellings(["an", "ninh"])
        ((('tp', 'hcm'),), ())
        """
        spelling = self._by_key.get(tuple(folded))
        if spelling is None:
            return ()
        written = [forms(word) for word in spelling.canonical.split()]
        first = tuple(a for a, _ in written) if [f for _, f in written] == list(folded) else None  # 'TP HCM': no
        others = (c for c in itertools.product(*(sorted(seen) for seen in spelling.accented)) if c != first)
        return ((first,) if first else ()) + tuple(itertools.islice(others, limit - bool(first)))

    def find(self, text: str) -> str | None:
        """The first province named in running text (NFC), or None.

        >>> g = load_gazetteer()
        >>> g.find("Sở TT&TT tỉnh Đak Nông tổ chức hội nghị")
        'Đắk Nông'
        >>> g.find("Điện thoại đa năng vì hòa bình"), g.find("Lãnh đạo Tỉnh Hòa Bình làm việc")
        (None, 'Hòa Bình')
        >>> g.find("cáp quang biển Thái Bình Dương"), g.find("Hai phòng máy ở Sài Gòn")
        (None, 'TP Hồ Chí Minh')
        """
        return next(self._named(text), None)

    def find_all(self, text: str) -> tuple[str, ...]:
        """Every province named in running text (NFC), once each, in order of first mention,
        by the same rules as `find`.

        >>> load_gazetteer().find_all("Viettel lắp trạm BTS ở Nghệ An, Hà Tĩnh và lại ở Nghệ An")
        ('Nghệ An', 'Hà Tĩnh')
        """
        return tuple(dict.fromkeys(self._named(text)))

    def expect_many(self) -> None:
        """Compile the regex that finds where names may start now, and look only where it
        points from the first text on: a build's worker reads thousands of texts, far past
        EVERYWHERE_CHARS, and compiles it while it waits for its first batch. Both ways find
        the same names.

        >>> gazetteer = parse_gazetteer("Đắk Nông\\tĐăk Nông\\t")
        >>> gazetteer.expect_many(); gazetteer.find_all("Trạm BTS ở Đăk Nông và Đak Nông")
        ('Đắk Nông',)
        """
        if self._starts is not None:
            self._looked[0] = max(self._looked[0], EVERYWHERE_CHARS)

    def _named(self, text: str) -> Iterator[str]:
        """The canonical name of each province named in `text`, as they come. A name starts
        with a capital wherever all its spellings do, so only the places that `_starts` finds
        (one pass of a regex) are looked at, each with the few syllables after it: a whole
        article's syllables would cost most of its indexing (`_named_everywhere`, for a
        gazetteer with lower-case names or a text with letters the regex is not made for, and
        for the first EVERYWHERE_CHARS of a process's texts: both find the same names)."""
        if self._looked[0] < EVERYWHERE_CHARS:
            self._looked[0] += len(text)
            yield from self._named_everywhere(text)
            return
        starts = self._starts
        if starts is None or starts.odd.search(text):
            yield from self._named_everywhere(text)
            return
        around = _Around(text)
        resume = 0  # past the last name found: 'Thái Bình Dương' is not 'Bình Dương' either
        for candidate in starts.pattern.finditer(text):
            if candidate.start() < resume:
                continue
            found = _Syllables(text, list(itertools.islice(_matches(text, candidate.start()), self._longest)))
            named = self._name_at(text, found, 0)
            if named is not None:
                end, spelling = named
                if not spelling.needs_context or _after_context(text, *around.before(found.matches[:end])):
                    yield spelling.canonical
                resume = found[end - 1].end

    def _named_everywhere(self, text: str) -> Iterator[str]:
        """`_named` looking at every syllable of `text` that starts with a capital (or at every
        syllable, where some name does not)."""
        found = _Syllables(text, syllable_matches(text))
        start = 0
        while start < len(found):
            if (self._capital_first and not text[found.matches[start].start()].isupper()) \
                    or found[start].folded not in self._first:
                start += 1
                continue
            named = self._name_at(text, found, start)
            if named is None:
                start += 1
                continue
            end, spelling = named
            if not spelling.needs_context or _after_context(text, found, start):
                yield spelling.canonical
            start = end  # 'Thái Bình Dương' is not 'Bình Dương' either; nor a name twice

    def _name_at(self, text: str, found: Sequence[Syllable], start: int) -> tuple[int, _Spelling] | None:
        """The end and spelling of the longest name written at syllable `start` of `text`
        (maybe an ordinary phrase there: 'vì hòa bình'), None when none starts there."""
        folded = tuple(s.folded for s in found[start:start + self._longest])
        for end in range(len(folded), 0, -1):
            if folded[:end] in self._by_key:
                spelling = self._spelled(text, found, start, start + end)
                if spelling is not None:
                    return start + end, spelling
        return None

    @cached_property
    def _starts(self) -> _Starts | None:
        """The regex that finds where a name may start, None when some name may start lower case."""
        return _Starts.of(self._by_key) if self._capital_first else None

    @cached_property
    def _capital_first(self) -> bool:
        """Whether every spelling of every name starts with a capital."""
        return all(spelling.capitals[0] for spelling in self._by_key.values())

    def province_of(self, title: str, lead: str = "") -> str | None:
        """The province an article is about: its title prefix, else the first in title or lead.

        >>> load_gazetteer().province_of("Hòa Bình: Triển khai chữ ký số", "Ngày 5/3, …")
        'Hòa Bình'
        """
        prefix, colon, _ = title.partition(":")
        if colon:
            canonical = self.resolve(prefix)
            if canonical:
                return canonical
        return self.find(title) or self.find(lead[:LEAD_CHARS])

    def _spelled(self, text: str, found: Sequence[Syllable], start: int, end: int) -> _Spelling | None:
        """The spelling that syllables [start, end) of `text` are written in, if any."""
        span = found[start:end]
        spelling = self._by_key.get(tuple(s.folded for s in span))
        if spelling is None or not _contiguous(text, span):
            return None
        if any(upper and not text[s.start].isupper() for s, upper in zip(span, spelling.capitals)):
            return None
        if any(s.accented != s.folded for s in span):  # written with marks: they must agree
            if any(s.accented not in forms for s, forms in zip(span, spelling.accented)):
                return None
        return spelling


class _Syllables:
    """The syllables of a text, each made (offsets and forms) when first looked at."""

    def __init__(self, text: str, matches: list[re.Match[str]]):
        self.matches = matches
        self._made: dict[int, Syllable] = {}

    def __len__(self) -> int:
        return len(self.matches)

    def __getitem__(self, at):
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        if at not in self._made:
            match = self.matches[at]
            self._made[at] = Syllable(match.start(), match.end(), *forms(match.group()))
        return self._made[at]


#: A character inside no syllable (`syllables.SYLLABLE` keeps points and commas inside numbers).
_OUTSIDE = re.compile(r"[^\w.,]|_")
#: How far back `_Around` looks for the two syllables before a name ('thành phố Huế').
_FARTHEST = 4096


class _Around:
    """The syllables of a text before a name, read from the text near it: the same as that
    part of `syllable_matches(text)`, whose whole list is not made (but once a look back
    went past `_FARTHEST`)."""

    def __init__(self, text: str):
        self.text = text
        self._everywhere: list[re.Match[str]] | None = None

    def before(self, name: list[re.Match[str]]) -> tuple[_Syllables, int]:
        """The syllables of `name` (matches of `SYLLABLE`), after the two before it, if
        any, and the index of its first among them."""
        start = name[0].start()
        before = self._before(start) if self._everywhere is None else None
        if before is None:
            if self._everywhere is None:
                self._everywhere = syllable_matches(self.text)
            at = bisect.bisect_left(self._everywhere, start, key=re.Match.start)
            return _Syllables(self.text, self._everywhere), at
        return _Syllables(self.text, [*before, *name]), len(before)

    def _before(self, start: int) -> list[re.Match[str]] | None:
        """The (at most) two syllables before offset `start`; None when they lie too far back.
        The search for them starts after a character inside no syllable, where the whole
        text's search would have started afresh too."""
        reach = 16
        while reach <= _FARTHEST:
            low = max(0, start - reach)
            outside = _OUTSIDE.search(self.text, low, start) if low else None
            if outside is not None or not low:
                found = list(itertools.takewhile(lambda m: m.start() < start,
                                                 _matches(self.text, outside.end() if outside else 0)))
                if len(found) >= 2 or outside is None:
                    return found[-2:]
            reach *= 4
        return None


def _matches(text: str, start: int) -> Iterator[re.Match[str]]:
    """`syllable_matches(text)` from offset `start`, where no syllable goes on from before it."""
    return (m for m in SYLLABLE.finditer(text, start) if m.end() - m.start() <= MAX_SYLLABLE_CHARS)


@dataclass(frozen=True)
class _Starts:
    """Where a name may start: a capital, where the syllables from it fold to some name
    (capitals, marks and gaps unchecked: a superset, for `Gazetteer._named` to check)."""

    pattern: re.Pattern[str]
    odd: re.Pattern[str]  # a letter or digit the pattern is not made for: look everywhere

    @classmethod
    def of(cls, names: Iterable[tuple[str, ...]]) -> _Starts:
        """The pattern of the folded `names`, each letter a class of every character that
        folds to it: ASCII, and Latin letters with the marks Vietnamese writes (any other
        letter or digit is `odd`); 'y' counts for 'i' too ('Quy Nhơn' is 'qui nhon')."""
        letters = {c: fold(c.lower()) for c in map(chr, range(0x80, 0x1F00)) if _vietnamese(c)}
        letters.update((c, c.lower()) for c in map(chr, range(0x80)) if c.isalnum())

        @lru_cache(maxsize=None)
        def written(letter: str, capital: bool = False) -> str:
            wanted = {"i", "y"} if letter == "i" else {letter}
            chars = "".join(re.escape(c) for c, f in letters.items() if f in wanted and (c.isupper() or not capital))
            return f"[{chars}]"

        ends = {" ": f"(?![^\\W_])(?:{_GAP.pattern}|\\.\\x20?)", "": r"(?![^\W_])"}  # what `_contiguous` allows
        trie: dict = {}
        for key in names:  # a tree of letters, the first the root: shared beginnings written once
            node = trie.setdefault(key[0][0], {})
            for token in [*" ".join(key)[1:], ""]:
                node = node.setdefault(token, {})

        def alternatives(node: dict) -> str:
            branches = [(ends[t] if t in ends else written(t)) + alternatives(rest) for t, rest in node.items()]
            return "" if not branches else branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

        capitals = "".join(written(x, capital=True)[1:-1] for x in trie)
        branches = "|".join(f"(?<={written(x, capital=True)})(?={alternatives(rest)})" for x, rest in trie.items())
        # the capital alone first, for the regex engine to skip to the next one fast; the rest
        # looked ahead, so that a name found but not spelled right hides none after it
        pattern = re.compile(f"[{capitals}](?<![^\\W_].)(?:{branches})")
        odd = re.compile("[^\\W\\x00-\\x7f%s]" % "".join(re.escape(c) for c in letters if not c.isascii()))
        return cls(pattern, odd)


#: The marks Vietnamese writes: five tones (no mark is the sixth), circumflex, breve, horn.
_MARKS = TONE_MARKS | frozenset("\u0302\u0306\u031b")


def _vietnamese(char: str) -> bool:
    """True for đ/Đ and a Latin letter written with Vietnamese marks ('ệ', 'Ư'; also 'ñ').

    >>> [_vietnamese(c) for c in "ệƯđñöa"]
    [True, True, True, True, False, False]
    """
    decomposed = unicodedata.normalize("NFD", char)
    return char in "đĐ" or (len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha()
                            and _MARKS.issuperset(decomposed[1:]))


def _leading_context(key: tuple[str, ...]) -> int:
    """How many syllables of `key` are a leading 'tỉnh' / 'TP' / 'thành phố' (0 if none)."""
    for words in CONTEXT_WORDS:
        if key[: len(words)] == words and len(key) > len(words):
            return len(words)
    return 0


def _contiguous(text: str, span: Sequence[Syllable]) -> bool:
    """True when only spaces or one dash separate the syllables (not a comma or a full stop)."""
    for left, right in zip(span, span[1:]):
        gap = text[left.end:right.start]
        if _GAP.fullmatch(gap) is None and not (gap in (".", ". ") and left.folded == "tp"):
            return False
    return True


def _after_context(text: str, found: Sequence[Syllable], start: int) -> bool:
    """True when 'tỉnh', 'TP' or 'thành phố' stands right before syllable `start`."""
    for words in CONTEXT_WORDS:
        first = start - len(words)
        if first >= 0 and tuple(s.folded for s in found[first:start]) == words:
            if _contiguous(text, found[first:start + 1]):
                return True
    return False


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The packaged gazetteer, parsed once: read from its packed form (`provinces_table.py`)
    when that was written from this very file, else parsed. Raises ValueError naming a
    malformed line."""
    # the package's folder without importing importlib.resources (8 ms at every start)
    text = (Path(__file__).parent.parent / "data" / "provinces.tsv").read_text(encoding="utf-8")
    packed = _unpack(text)
    return packed if packed is not None else parse_gazetteer(text, "provinces.tsv")


def parse_gazetteer(text: str, name: str = "<gazetteer>") -> Gazetteer:
    """Build a Gazetteer from the TSV format documented in ``data/provinces.tsv``."""
    names: list[str] = []
    spellings: dict[tuple[str, ...], list[tuple[str, str, bool]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) > 3 or not columns[0].strip():
            raise ValueError(f"{name}:{number}: expected 'canonical<TAB>variants<TAB>context variants'")
        canonical = columns[0].strip()
        variants = _split(columns[1] if len(columns) > 1 else "")
        ambiguous = _split(columns[2] if len(columns) > 2 else "")
        names.append(canonical)
        for variant in dict.fromkeys([canonical, *variants, *ambiguous]):
            key = tuple(folded_key(variant).split())
            if not key:
                raise ValueError(f"{name}:{number}: the spelling {variant!r} has no letters")
            spellings.setdefault(key, []).append((canonical, variant, variant in ambiguous))
    return _gazetteer(names, {key: _spelling(key, entries, name) for key, entries in spellings.items()})


def _gazetteer(names: Sequence[str], by_key: dict[tuple[str, ...], _Spelling]) -> Gazetteer:
    longest = max(map(len, by_key), default=1)
    return Gazetteer(tuple(names), MappingProxyType(by_key), longest, frozenset(key[0] for key in by_key))


def _unpack(text: str) -> Gazetteer | None:
    """The gazetteer packed from `text` (`provinces_table.py`), None when that was packed from
    another text: the file was edited since (a test then asks for the pack to be written)."""
    from searchkit.text import provinces_table as packed

    if packed.SOURCE_CRC32 != zlib.crc32(text.encode("utf-8")):
        return None
    return _gazetteer(packed.NAMES, {key: _Spelling(canonical, tuple(map(frozenset, accented)), capitals, needs)
                                     for key, (canonical, accented, capitals, needs) in packed.SPELLINGS.items()})


def pack_module(text: str) -> str:
    """The source of `searchkit/text/provinces_table.py`: `parse_gazetteer(text)` written out."""
    gazetteer = parse_gazetteer(text, "provinces.tsv")
    lines = ['"""The packaged gazetteer (`data/provinces.tsv`) parsed, read at a cold start instead of',
             "parsing the file (issue 21, item 6). Generated by",
             "`python -m searchkit.text.places > searchkit/text/provinces_table.py`; tests/test_packed_gazetteer.py",
             'checks it is current; `places.load_gazetteer` parses the file when its checksum differs."""',
             "", "# fmt: off", f"SOURCE_CRC32 = {zlib.crc32(text.encode('utf-8'))}", f"NAMES = {gazetteer.names!r}",
             "#: Folded key -> (canonical name, accented forms at each syllable, capitals, needs context).",
             "SPELLINGS = {"]
    for key, spelling in gazetteer._by_key.items():
        accented = tuple(tuple(sorted(forms)) for forms in spelling.accented)
        lines.append(f"    {key!r}: ({spelling.canonical!r}, {accented!r}, {spelling.capitals!r}, "
                     f"{spelling.needs_context!r}),")
    return "\n".join([*lines, "}", ""])


def _split(column: str) -> list[str]:
    return [part.strip() for part in column.split("|") if part.strip()]


def _spelling(key: tuple[str, ...], entries: list[tuple[str, str, bool]], name: str) -> _Spelling:
    canonicals = sorted({canonical for canonical, _, _ in entries})
    if len(canonicals) > 1:
        raise ValueError(f"{name}: {' '.join(key)!r} is a spelling of both {' and '.join(canonicals)}")
    written = [list(syllables(variant)) for _, variant, _ in entries]
    accented = tuple(frozenset(found[i].accented for found in written) for i in range(len(key)))
    capitals = tuple(
        all(variant[found[i].start].isupper() for (_, variant, _), found in zip(entries, written))
        for i in range(len(key))
    )
    return _Spelling(canonicals[0], accented, capitals, all(needs for _, _, needs in entries))


if __name__ == "__main__":
    print(pack_module((Path(__file__).parent.parent / "data" / "provinces.tsv").read_text(encoding="utf-8")), end="")
