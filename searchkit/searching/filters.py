"""Filters on article metadata (date range and the keyed fields: province, source, category,
tag, mentions) and sort orders.

What users type is checked and normalised here, so that errors name the option at fault:
dates become ISO bounds, a province any spelling of becomes its canonical name, the other
keyed fields become folded keys ('Vi tính' → 'vi tinh') compared exactly with the indexed
keys. Which fields there are, and how each is typed, is the field registry's `KEYED`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from searchkit.errors import FilterError, QueryError
from searchkit.fields import KEYED, KeyedField
from searchkit.text.dates import parse_date_bound
from searchkit.text.keys import folded_key

SORTS = ("relevance", "date")
#: Most hits one page may ask for, and deepest a page may start.
MAX_LIMIT = 1000
MAX_OFFSET = 10_000
#: Most values one filter of several (`tag=[…]`) may hold.
MAX_VALUES = 20


@dataclass(frozen=True)
class Filters:
    """Checked filters; build them with `Filters.parse`. Empty filters match everything.

    One attribute per keyed field (`fields.KEYED`), named as the field: a province is kept
    as its canonical name, the others as folded keys; a field with several values as a
    tuple, every one of which a result must hold."""

    since: str | None = None  # first ISO day included
    until: str | None = None  # last ISO day included
    province: str | None = None  # canonical name, e.g. 'Đắk Nông'
    source: str | None = None  # folded key, e.g. 'mic gov vn'
    category: str | None = None  # folded key, e.g. 'vi tinh'
    tag: tuple[str, ...] = ()  # folded keys, e.g. ('5g', 'viettel')
    mentions: tuple[str, ...] = ()  # canonical names, e.g. ('Nghệ An',)

    @classmethod
    def parse(cls, since: str | None = None, until: str | None = None, **keyed) -> Filters:
        """Check and normalise what the user typed (`keyed`: values of `fields.KEYED` by
        name; a field with several values takes a string or a list of them); raises
        FilterError saying what to fix.

        >>> Filters.parse(since="2010", until="02/2010", province="dak nong", category="Vi tính").province
        'Đắk Nông'
        >>> Filters.parse(tag=["5G", "viettel"], mentions="nghe an")
        Filters(since=None, until=None, province=None, source=None, category=None, tag=('5g', 'viettel'), mentions=('Nghệ An',))
        """
        unknown = set(keyed) - {field.name for field in KEYED}
        if unknown:
            raise TypeError(f"no filter named {sorted(unknown)[0]!r}")
        start, end = _bound("since", since, end=False), _bound("until", until, end=True)
        if start and end and start > end:
            raise FilterError(kind="filter.since_after_until", field="since", value=since,
                              hint={"other": "until", "until": until})
        return cls(start, end, **{field.name: _values(field, keyed.get(field.name)) for field in KEYED})

    def __bool__(self) -> bool:
        return bool(self.since or self.until or any(True for _ in self.keyed()))

    @property
    def dated(self) -> bool:
        """True when only articles with a date can match."""
        return bool(self.since or self.until)

    def keyed(self) -> Iterator[tuple[KeyedField, tuple[str, ...]]]:
        """(field, the folded keys every result must hold) of each keyed filter in use: what
        the stores compare with their `*_key` fields.

        >>> [(f.name, keys) for f, keys in Filters.parse(province="TP HCM", tag="5G").keyed()]
        [('province', ('tp ho chi minh',)), ('tag', ('5g',))]
        """
        for field in KEYED:
            value = getattr(self, field.name)
            values = value if field.many else (value,) if value else ()
            if values:
                yield field, tuple(folded_key(v) for v in values) if field.places else values


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
    for field in KEYED:
        name, key = field.name, getattr(chosen, field.name)
        if not field.closed or not key:
            continue
        known = known_values(name)
        if key in known:
            continue
        import difflib  # only to word this error: not at every start

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


def _values(field: KeyedField, value: object):
    """One keyed filter's value as the store compares it (see `Filters`): None or () when
    not given; FilterError for what is no text, or no province, or has no letters."""
    several = field.many and isinstance(value, (list, tuple))
    typed = list(value) if several else [value]
    if len(typed) > MAX_VALUES:
        raise FilterError(kind="filter.too_many", field=field.name, value=len(typed), hint={"limit": MAX_VALUES})
    for one in typed:
        if one is not None and not isinstance(one, str):
            raise FilterError(kind="filter.not_text", field=field.name, value=one if not several else value,
                              hint={"type": type(value if not several else one).__name__})
    keys = [key for key in ((_province(field.name, one) if field.places else _key(field.name, one))
                            for one in typed) if key]
    return tuple(dict.fromkeys(keys)) if field.many else (keys[0] if keys else None)


def _province(option: str, name: str | None) -> str | None:
    if name is None or not name.strip():
        return None
    from searchkit.text.places import load_gazetteer

    canonical = load_gazetteer().resolve(name)
    if canonical is None:
        raise FilterError(kind="filter.unknown_province", field=option, value=name)
    return canonical


def _key(option: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    key = folded_key(value)
    if not key:
        raise FilterError(kind="filter.no_letters", field=option, value=value)
    return key
