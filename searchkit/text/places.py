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

import itertools
import re
import zlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping, Sequence

from searchkit.text.keys import folded_key
from searchkit.text.syllables import Syllable, forms, syllable_matches, syllables

#: Words before a name that make it a place: 'tỉnh Hòa Bình', 'TP Huế', 'thành phố Huế'.
CONTEXT_WORDS = (("tinh",), ("tp",), ("thanh", "pho"))
#: How much of the body counts as the lead when looking for a province.
LEAD_CHARS = 600
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

    def _named(self, text: str) -> Iterator[str]:
        """The canonical name of each province named in `text`, as they come. A name starts
        with a capital wherever all its spellings do, so only such syllables are folded and
        looked up (a whole article's syllables would cost most of its indexing)."""
        found = _Syllables(text, syllable_matches(text))
        start = 0
        while start < len(found):
            if (self._capital_first and not text[found.matches[start].start()].isupper()) \
                    or found[start].folded not in self._first:
                start += 1
                continue
            for end in range(min(len(found), start + self._longest), start, -1):
                if tuple(s.folded for s in found[start:end]) not in self._by_key:
                    continue
                spelling = self._spelled(text, found, start, end)
                if spelling is None:
                    continue
                if not spelling.needs_context or _after_context(text, found, start):
                    yield spelling.canonical
                start = end - 1  # 'Thái Bình Dương' is not 'Bình Dương' either; nor a name twice
                break
            start += 1

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
