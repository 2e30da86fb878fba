"""Filters on article metadata (date range, province, source, category) and sort orders.

What users type is checked and normalised here, so that errors name the option at fault:
dates become ISO bounds, a province any spelling of becomes its canonical name, source and
category become folded keys ('Vi tính' → 'vi tinh') compared exactly with the indexed keys.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from searchkit.errors import FilterError, QueryError
from searchkit.text.dates import parse_date_bound
from searchkit.text.keys import folded_key

SORTS = ("relevance", "date")
#: Most hits one page may ask for, and deepest a page may start.
MAX_LIMIT = 1000
MAX_OFFSET = 10_000


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
        for option, value in (("province", province), ("source", source), ("category", category)):
            if value is not None and not isinstance(value, str):
                raise FilterError(kind="filter.not_text", field=option, value=value,
                                  hint={"type": type(value).__name__})
        start, end = _bound("since", since, end=False), _bound("until", until, end=True)
        if start and end and start > end:
            raise FilterError(kind="filter.since_after_until", field="since", value=since,
                              hint={"other": "until", "until": until})
        return cls(start, end, _province(province), _key("source", source), _key("category", category))

    def __bool__(self) -> bool:
        return any((self.since, self.until, self.province, self.source, self.category))

    @property
    def dated(self) -> bool:
        """True when only articles with a date can match."""
        return bool(self.since or self.until)


def check_sort(sort: str) -> str:
    """The sort order, or FilterError listing the ones there are."""
    if not isinstance(sort, str) or sort not in SORTS:
        raise FilterError(kind="filter.bad_sort", field="sort", value=sort, hint={"choices": SORTS})
    return sort


def check_page(limit: object, offset: object = 0) -> None:
    """QueryError unless `limit` is a whole number from 1 to MAX_LIMIT and `offset` one from
    0 to MAX_OFFSET (`"5"`, `None`, `True` and `2.0` are refused, not guessed at).

    >>> check_page(10, 20)
    >>> check_page(0)
    Traceback (most recent call last):
    searchkit.errors.QueryError: limit must be a whole number from 1 to 1,000, not 0
    """
    for name, value, low, high in (("limit", limit, 1, MAX_LIMIT), ("offset", offset, 0, MAX_OFFSET)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise QueryError(kind="page.out_of_range", field=name, value=value, hint={"low": low, "high": high})


def check_known(chosen: Filters, known_values) -> None:
    """FilterError for a source or category no article has, listing the closest known ones
    (`known_values(name)`: folded key -> a spelling, of every one the store holds)."""
    for name in ("source", "category"):
        key = getattr(chosen, name)
        if key is None:
            continue
        known = known_values(name)
        if key in known:
            continue
        close = difflib.get_close_matches(key, list(known), n=5, cutoff=0.5)
        names = [known[k] for k in close or sorted(known)[:5]]
        kind = "filter.unknown_value_close" if close else "filter.unknown_value" if names else "filter.unknown_value_none"
        raise FilterError(kind=kind, field=name, value=key,
                          hint={"name": name, "close" if close else "known": names})


def _bound(option: str, value: str | None, end: bool) -> str | None:
    if value is None or not str(value).strip():
        return None
    try:
        return parse_date_bound(str(value), end=end)
    except ValueError:
        raise FilterError(kind="filter.not_a_date", field=option, value=value) from None


def _province(name: str | None) -> str | None:
    if name is None or not name.strip():
        return None
    from searchkit.text.places import load_gazetteer

    canonical = load_gazetteer().resolve(name)
    if canonical is None:
        raise FilterError(kind="filter.unknown_province", field="province", value=name)
    return canonical


def _key(option: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    key = folded_key(value)
    if not key:
        raise FilterError(kind="filter.no_letters", field=option, value=value)
    return key
