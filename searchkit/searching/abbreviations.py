"""Abbreviations of Vietnamese ICT and administrative news, both ways: CNTT ⇄ công nghệ thông tin.

The table ships as ``searchkit/data/abbreviations.tsv``; users may add files in the same format.

File format (UTF-8), one entry a line::

    # a comment; blank lines are ignored too
    CNTT<TAB>công nghệ thông tin
    BTS<TAB>trạm thu phát sóng di động
    BTS<TAB>trạm gốc

- exactly one TAB separates the abbreviation from its expansion; both must be non-empty;
- an abbreviation may take several lines, one per expansion, the most usual first;
- spelling variants need no line of their own: lookups ignore case, spaces and the separators
  ``& - . ,``, so one ``TT&TT`` line also answers ``tt&tt``, ``TTTT`` and ``TT-TT``; an
  abbreviation of three letters or more with Đ also answers to D when typed without an input
  method (``HDND`` finds ``HĐND``), unless that spelling is an entry of its own;
- a later file adds expansions to the entries of earlier ones (duplicates are dropped).

A malformed line raises ``ValueError`` naming the file and the line number. A file must be a
regular file of at most ``MAX_FILE_BYTES`` (1 MB, some 30,000 entries): anything else (a FIFO,
a device such as ``/dev/zero``, a folder, a larger file) raises ``AbbreviationsError`` before
anything is read, so a wrong path can neither hang a search nor fill the memory.

    >>> table = load_abbreviations()
    >>> table.expand("tt-tt"), table.abbreviate("Cong nghe thong tin")
    (('thông tin và truyền thông',), ('CNTT',))
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from searchkit.errors import AbbreviationsError
from searchkit.text.fold import fold

#: Largest abbreviations file read (the packaged table is 4 KB).
MAX_FILE_BYTES = 1_000_000
_SEPARATORS = re.compile(r"[\s&.,\-]+")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, eq=False, repr=False)
class Abbreviations:
    """An immutable two-way table of abbreviations; build it with `load_abbreviations`."""

    _expansions: Mapping[str, tuple[str, ...]]  # abbreviation key -> expansions
    _abbreviations: Mapping[str, tuple[str, ...]]  # folded expansion -> abbreviations as written
    _d_spellings: Mapping[str, str]  # 'hdnd' -> 'hđnd'
    _written: Mapping[str, str]  # abbreviation key -> as first written
    _first_words: frozenset[str] = frozenset()  # first folded word of every expansion

    def may_start(self, folded_word: str) -> bool:
        """Whether some expansion begins with this folded word ('cong' for công nghệ…):
        only such words start a run worth looking up.

        >>> load_abbreviations().may_start("cong"), load_abbreviations().may_start("cua")
        (True, False)
        """
        return folded_word in self._first_words

    def spelling(self, abbr: str) -> str | None:
        """The abbreviation as the table writes it; None when unknown.

        >>> load_abbreviations().spelling("tttt"), load_abbreviations().spelling("hdnd")
        ('TT&TT', 'HĐND')
        """
        return self._written.get(self._key(abbr))

    def expand(self, abbr: str) -> tuple[str, ...]:
        """Expansions of an abbreviation, in file order; () when unknown.

        >>> load_abbreviations().expand("ĐTDĐ")
        ('điện thoại di động',)
        """
        return self._expansions.get(self._key(abbr), ())

    def abbreviate(self, text: str) -> tuple[str, ...]:
        """Abbreviations of a phrase, accents and punctuation ignored; () when none.

        >>> load_abbreviations().abbreviate("Ủy ban nhân dân")
        ('UBND',)
        """
        return self._abbreviations.get(_phrase_key(text), ())

    def __len__(self) -> int:
        return len(self._expansions)

    def __repr__(self) -> str:
        return f"<Abbreviations: {len(self)} abbreviations>"

    def __contains__(self, abbr: object) -> bool:
        return isinstance(abbr, str) and self._key(abbr) in self._expansions

    def _key(self, abbr: str) -> str:
        """The table's key of an abbreviation as typed: `TT&TT` → tttt; đ typed as d (`HDND`)
        or as Telex dd (`DDTDDD` for ĐTDĐ).

        >>> load_abbreviations().expand("DDTDDD"), load_abbreviations().spelling("hdnd")
        (('điện thoại di động',), 'HĐND')
        """
        key = _abbr_key(abbr)
        if key not in self._expansions and "dd" in key and len(key) <= 12:
            key = next((k for k in _telex_d_readings(key) if k in self._expansions), key)
        return self._d_spellings.get(key, key)


def load_abbreviations(extra: Iterable[str | Path] = ()) -> Abbreviations:
    """The packaged table plus the user's files, in order.

    >>> "UBND" in load_abbreviations(), len(load_abbreviations()) > 60
    (True, True)
    """
    # the package's own folder, as importlib.resources.files("searchkit") names it for an
    # installed package, without importing importlib.resources (tempfile, shutil: 8 ms a start)
    packaged = Path(__file__).parent.parent / "data" / "abbreviations.tsv"
    entries = list(_parse(packaged.read_text(encoding="utf-8"), "abbreviations.tsv (packaged)"))
    for path in extra:
        entries += _parse(read_table_file(path), str(path))
    return _build(entries)


def read_table_file(path: str | os.PathLike) -> str:
    """The UTF-8 text of a user's abbreviations file; AbbreviationsError for anything but a
    regular file of at most MAX_FILE_BYTES (OSError and UnicodeDecodeError as raised).

    Checked before opening (a FIFO would block the open) and again on the open descriptor
    (the path may have changed in between); reading stops past the cap (a file may grow).
    """
    _check_regular(path, os.stat(path))
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as stream:
        _check_regular(path, os.fstat(descriptor))
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        _too_large(path, len(data))
    return data.decode("utf-8")


def _check_regular(path: str | os.PathLike, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        kinds = ((stat.S_ISDIR, "folder", "thư mục"), (stat.S_ISFIFO, "FIFO", "ống (FIFO)"),
                 (stat.S_ISCHR, "device", "thiết bị"), (stat.S_ISBLK, "device", "thiết bị"),
                 (stat.S_ISSOCK, "socket", "socket"))
        what = next((k[1:] for k in kinds if k[0](info.st_mode)), ("special file", "tệp đặc biệt"))
        raise AbbreviationsError(kind="abbreviations.not_a_file", field="abbreviations", value=str(path),
                                 hint={"what": what[0], "what_vi": what[1]})
    if info.st_size > MAX_FILE_BYTES:
        _too_large(path, info.st_size)


def _too_large(path: str | os.PathLike, size: int) -> None:
    raise AbbreviationsError(kind="abbreviations.too_large", field="abbreviations", value=str(path),
                             hint={"size": size, "limit": MAX_FILE_BYTES})


def _parse(text: str, source: str) -> Iterable[tuple[str, str]]:
    """Yield (abbreviation, expansion) pairs of one file, or raise on its first bad line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [field.strip() for field in line.split("\t")]
        if len(fields) != 2 or not all(fields) or not _abbr_key(fields[0]):
            raise ValueError(
                f"{source}, line {number}: expected 'ABBREVIATION<TAB>expansion', got {line!r}"
            )
        yield fields[0], unicodedata.normalize("NFC", fields[1])


def _build(entries: Iterable[tuple[str, str]]) -> Abbreviations:
    """Index the pairs both ways, keeping first-seen order and dropping repeats."""
    expansions: dict[str, list[str]] = {}
    abbreviations: dict[str, list[str]] = {}
    written: dict[str, str] = {}  # key -> the abbreviation as first written
    for abbr, expansion in entries:
        key = _abbr_key(abbr)
        abbr = written.setdefault(key, unicodedata.normalize("NFC", abbr))
        _add(expansions, key, expansion)
        _add(abbreviations, _phrase_key(expansion), abbr)
    d_spellings = {
        key.replace("đ", "d"): key
        for key in expansions
        if "đ" in key and len(key) >= 3 and key.replace("đ", "d") not in expansions
    }
    return Abbreviations(
        _frozen(expansions), _frozen(abbreviations), MappingProxyType(d_spellings),
        MappingProxyType(written), frozenset(key.split(" ")[0] for key in abbreviations if key),
    )


def _add(table: dict[str, list[str]], key: str, value: str) -> None:
    values = table.setdefault(key, [])
    if value not in values:
        values.append(value)


def _frozen(table: dict[str, list[str]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({key: tuple(values) for key, values in table.items()})


def _abbr_key(abbr: str) -> str:
    """'TT&TT', 'tt-tt', 'TTTT' → 'tttt'; 'TP. HCM' → 'tphcm'; đ stays đ (ĐH is not DH)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFC", abbr)).casefold()


def _telex_d_readings(key: str) -> list[str]:
    """Every way to read some `dd` of a typed key as Telex đ: 'ddtddd' → [..., 'đtdđ', ...].

    >>> sorted(_telex_d_readings("ddd"))
    ['ddd', 'dđ', 'đd']
    """
    if len(key) < 2:
        return [key]
    rest = _telex_d_readings(key[1:])
    readings = [key[0] + r for r in rest]
    if key.startswith("dd"):
        readings += ["đ" + r for r in _telex_d_readings(key[2:])] if len(key) > 2 else ["đ"]
    return readings


def _phrase_key(text: str) -> str:
    """'Công nghệ  thông tin' and 'cong nghe thong-tin' → 'cong nghe thong tin'."""
    return " ".join(_NOT_WORD.sub(" ", _fold(text)).split())


def _fold(text: str) -> str:
    """Lower case without tone or vowel marks, đ → d: 'Đường' → 'duong'."""
    return fold(unicodedata.normalize("NFC", text)).lower()
