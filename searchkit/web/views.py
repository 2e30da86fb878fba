"""What the results page shows, worked out from `Results` and the request: links for the
facets, the active filters, the numbered pages, `Đã tìm:` and did-you-mean, the values of the
date inputs. Pure (no I/O, no HTML); labels come from `searchkit.messages` (`web.field.*`)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from searchkit.engine import MAX_OFFSET
from searchkit.fields import KEYED_BY_NAME
from searchkit.messages import CATALOGUE, say
from searchkit.models import Results
from searchkit.text.keys import folded_key
from searchkit.web.params import FILTERS, SearchRequest

#: Values shown per facet; the rest are summed up as "… N more".
FACET_TOP = 12
#: Page numbers shown on each side of the current one (then `…` and the first or last).
PAGE_WINDOW = 2
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    href: str | None  # None: this facet has no matching filter
    active: bool


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: tuple[FacetValue, ...]
    hidden: int  # values left out


def label(name: str, lang: str = "vi") -> str:
    """A filter's or facet's label in the page's language.

    >>> label("province"), label("since", "en")
    ('Tỉnh/thành', 'From')
    """
    key = f"field.{name}"
    return say(key if key in CATALOGUE else f"web.facet.{name}", lang)


def results_view(search: SearchRequest, results: Results) -> dict:
    """Template context for one page of results."""
    first = search.offset + 1
    return {
        "results": results,
        "first": first,
        "last": search.offset + len(results.hits),
        "page": search.offset // search.limit + 1,
        "pages": -(-min(results.total, MAX_OFFSET + search.limit) // search.limit),
        "numbers": page_numbers(search, results.total),
        "previous": "?" + search.link(offset=max(search.offset - search.limit, 0)) if search.offset else None,
        "next": "?" + search.link(offset=search.offset + search.limit) if _has_next(search, results) else None,
        "searched": "?" + search.link(q=results.searched, offset=0) if results.searched else None,
        "suggestion": "?" + search.link(q=results.suggestion, offset=0) if results.suggestion else None,
        "facets": [_facet(search, name, counts) for name, counts in results.facets.items() if counts],
        "active": active_filters(search),
        "highlight": results.searched or results.query,
    }


def _has_next(search: SearchRequest, results: Results) -> bool:
    following = search.offset + search.limit
    return following < results.total and following <= MAX_OFFSET


def _facet(search: SearchRequest, name: str, counts: dict[str, int]) -> Facet:
    values = []
    for value, count in list(counts.items())[:FACET_TOP]:
        changes = _filter_for(search, name, value)
        active = changes is not None and _active(search, name, value)
        href = "?" + search.link(offset=0, **changes) if changes is not None and not active else None
        values.append(FacetValue(value, count, href, active))
    return Facet(name, label(name, search.lang), tuple(values), max(len(counts) - FACET_TOP, 0))


def _filter_for(search: SearchRequest, facet: str, value: str) -> dict | None:
    """The filter that keeps only the articles counted under `value` (for a field with
    several values, beside those already chosen: `tag=5G&tag=Viettel`), or None."""
    if facet == "year":
        return {"since": value, "until": value}
    field = KEYED_BY_NAME.get(facet)
    if field is None:
        return None
    return {facet: (*getattr(search, facet), value)} if field.many else {facet: value}


def _active(search: SearchRequest, facet: str, value: str) -> bool:
    """Whether the search already filters on this facet value."""
    if facet == "year":
        return _same(search.since, value) and _same(search.until, value)
    chosen = getattr(search, facet)
    return any(_same(typed, value) for typed in (chosen if isinstance(chosen, tuple) else (chosen,)))


def _same(typed: str | None, value: str) -> bool:
    return typed is not None and folded_key(typed) == folded_key(value)


def active_filters(search: SearchRequest) -> list[tuple[str, str, str]]:
    """(label, value, link without it) for each filter in use; one for each of several values
    (`tag=5G&tag=Viettel`: two, each removing only itself)."""
    shown = []
    for name in FILTERS:
        chosen = getattr(search, name)
        if isinstance(chosen, tuple):
            shown += [(label(name, search.lang), value,
                       "?" + search.link(offset=0, **{name: tuple(v for v in chosen if v != value)}))
                      for value in chosen]
        elif chosen:
            shown.append((label(name, search.lang), chosen, "?" + search.link(offset=0, **{name: None})))
    return shown


def filter_examples(facets: dict[str, dict[str, int]]) -> dict[str, list[str]]:
    """The values the index holds for each text filter (most common first), from the facets of
    a search: placeholders and choices that exist, never one that would find nothing.

    >>> filter_examples({"source": {"Mic.gov.vn": 3}, "year": {"2010": 3}})
    {'source': ['Mic.gov.vn']}
    """
    return {name: list(counts)[:FACET_TOP] for name, counts in facets.items() if name in KEYED_BY_NAME and counts}


def last_offset(total: int, limit: int) -> int:
    """The offset of the last page of `total` hits that a search reaches (MAX_OFFSET at most).

    >>> last_offset(63, 10), last_offset(60, 10), last_offset(0, 10), last_offset(10**6, 10)
    (60, 50, 0, 10000)
    """
    return min(max(total - 1, 0) // limit, MAX_OFFSET // limit) * limit


def page_numbers(search: SearchRequest, total: int) -> list[tuple[int, str | None]]:
    """(number, link) of the pages to offer: the first, the last and a few around the current
    one, whose link is None; 0 stands for a gap (`…`).

    >>> [n for n, _ in page_numbers(SearchRequest("5G", offset=60), 200)]
    [1, 0, 5, 6, 7, 8, 9, 0, 20]
    """
    last = last_offset(total, search.limit) // search.limit + 1
    current = search.offset // search.limit + 1
    if last <= 1:
        return []
    shown = sorted({1, last, *range(max(current - PAGE_WINDOW, 1), min(current + PAGE_WINDOW, last) + 1)})
    numbers: list[tuple[int, str | None]] = []
    for number in shown:
        if numbers and number > numbers[-1][0] + 1:
            numbers.append((0, None))
        link = None if number == current else "?" + search.link(offset=(number - 1) * search.limit)
        numbers.append((number, link))
    return numbers


def date_input(value: str | None, end: bool = False) -> str:
    """The value of a date input (yyyy-mm-dd) for a date filter: a year or month stands for its
    first day, or its last one as the `until` filter (`end`); '' for what is no date.

    >>> date_input("2010"), date_input("2010", end=True), date_input("2012-02", end=True)
    ('2010-01-01', '2010-12-31', '2012-02-29')
    >>> date_input("03/02/2010"), date_input("2010-2-3"), date_input("hôm qua")
    ('2010-02-03', '2010-02-03', '')
    """
    text = (value or "").strip()
    if found := _DAY_FIRST.match(text):
        day, month, year = (int(g) for g in found.groups())
    elif found := _ISO.match(text):
        year = int(found.group(1))
        month = int(found.group(2) or (12 if end else 1))
        day = int(found.group(3)) if found.group(3) else 0
    else:
        return ""
    if not 1 <= month <= 12:
        return ""
    days = calendar.monthrange(year, month)[1]
    day = day or (days if end else 1)
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= day <= days else ""


def number(value: int, lang: str = "vi") -> str:
    """A whole number with the page language's thousands separator.

    >>> number(16183), number(16183, "en")
    ('16.183', '16,183')
    """
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "vi" else text


def took(seconds: float, lang: str = "vi") -> str:
    """Seconds a search took, as the page's language writes them.

    >>> took(0.0123), took(0.0123, "en"), took(1.5)
    ('0,012', '0.012', '1,50')
    """
    text = f"{seconds:.3f}" if seconds < 1 else f"{seconds:.2f}"
    return text.replace(".", ",") if lang == "vi" else text
