"""Filters on article metadata (date range, province, source, category) and sort orders.

What users type is checked and normalised here, so that errors name the option at fault:
dates become ISO bounds, a province any spelling of becomes its canonical name, source and
category become folded keys ('Vi tính' → 'vi tinh') compared exactly with the indexed keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from searchkit.errors import FilterError
from searchkit.text.dates import parse_date_bound
from searchkit.text.keys import folded_key

SORTS = ("relevance", "date")


@dataclass(frozen=True)
class Filters:
    """Checked filters; build them with `Filters.parse`. Empty filters match everything."""

    since: str | None = None  # first ISO day included
    until: str | None = None  # last ISO day included
    province: str | None = None  # canonical name, e.g. 'Đắk Nông'
    source: str | None = None  # folded key, e.g. 'mic gov vn'
    category: str | None = None  # folded key, e.g. 'vi tinh'

    @classmethod
    def parse(cls, since: str | None = None, until: str | None = None, province: str | None = None,
              source: str | None = None, category: str | None = None) -> Filters:
        """Check and normalise what the user typed; raises FilterError saying what to fix.

        >>> Filters.parse(since="2010", until="02/2010", province="dak nong", category="Vi tính")
        Filters(since='2010-01-01', until='2010-02-28', province='Đắk Nông', source=None, category='vi tinh')
        """
        start, end = _bound("since", since, end=False), _bound("until", until, end=True)
        if start and end and start > end:
            raise FilterError(f"--since {since} is after --until {until}; swap them")
        return cls(start, end, _province(province), _key("source", source), _key("category", category))

    def __bool__(self) -> bool:
        return any((self.since, self.until, self.province, self.source, self.category))

    @property
    def dated(self) -> bool:
        """True when only articles with a date can match."""
        return bool(self.since or self.until)

    def to_query(self):
        """The Whoosh query every result must also match (None when there is no filter)."""
        from whoosh import query as q

        parts = []
        if self.dated:
            parts.append(q.TermRange("date", self.since or "0000-00-00", self.until or "9999-99-99"))
        if self.province:
            parts.append(q.Term("province_key", folded_key(self.province)))
        if self.source:
            parts.append(q.Term("source_key", self.source))
        if self.category:
            parts.append(q.Term("category_key", self.category))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else q.And(parts)


def check_sort(sort: str) -> str:
    """The sort order, or FilterError listing the ones there are."""
    if sort not in SORTS:
        raise FilterError(f"cannot sort by {sort!r}; use one of: {', '.join(SORTS)}")
    return sort


def _bound(option: str, value: str | None, end: bool) -> str | None:
    if value is None or not str(value).strip():
        return None
    try:
        return parse_date_bound(str(value), end=end)
    except ValueError as error:
        raise FilterError(f"--{option}: {error}") from None


def _province(name: str | None) -> str | None:
    if name is None or not name.strip():
        return None
    from searchkit.places import load_gazetteer

    canonical = load_gazetteer().resolve(name)
    if canonical is None:
        raise FilterError(
            f"--province: {name!r} is not a province or city of Vietnam; "
            "type its name with or without accents, e.g. --province \"dak nong\" or --province TP.HCM"
        )
    return canonical


def _key(option: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    key = folded_key(value)
    if not key:
        raise FilterError(f"--{option}: {value!r} has no letters or digits to match")
    return key
