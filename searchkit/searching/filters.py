"""Filters on article metadata (date range, province, source, category) and sort orders.

What users type is checked and normalised here, so that errors name the option at fault:
dates become ISO bounds, a province any spelling of becomes its canonical name, source and
category become folded keys ('Vi tính' → 'vi tinh') compared exactly with the indexed keys.
"""

from __future__ import annotations

import difflib
import weakref
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


def known_values(searcher, name: str) -> dict[str, str]:
    """Folded key -> a spelling as articles write it, of every source or category in the index."""
    return {key: spelled for key, (spelled, _) in keyed_documents(searcher, name).items()}


#: searcher -> {"source": {key: (spelling, doc numbers)}, "category": …}; a searcher stands for
#: one index generation, so what it holds never changes while it lives.
_KEYED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def keyed_documents(searcher, name: str) -> dict:
    """Folded key -> (spelling, numpy array of live doc numbers) of each source or category.

    Whoosh hands out postings one document at a time in Python (0.1 s for 16,000 articles),
    so this is read once per searcher and then counted with numpy (facets, unknown values).
    """
    import numpy as np
    from whoosh import query as q

    cached = _KEYED.setdefault(searcher, {})
    if name in cached:
        return cached[name]
    field = f"{name}_key"
    found: dict = {}
    reader = searcher.reader()
    if field in reader.schema:
        for key in reader.field_terms(field):
            key = key.decode("utf-8") if isinstance(key, bytes) else key
            docs = np.fromiter(searcher.docs_for_query(q.Term(field, key)), dtype=np.int64)
            if len(docs):  # terms of deleted articles only: gone
                found[key] = (searcher.stored_fields(int(docs[0])).get(name) or key, docs)
    cached[name] = found
    return found


def check_known(searcher, chosen: Filters) -> None:
    """FilterError for a source or category no article has, listing the closest known ones."""
    from whoosh import query as q

    for name in ("source", "category"):
        key = getattr(chosen, name)
        if key is None or next(iter(searcher.docs_for_query(q.Term(f"{name}_key", key))), None) is not None:
            continue
        known = known_values(searcher, name)
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
