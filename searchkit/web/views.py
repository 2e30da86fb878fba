"""What the results page shows, worked out from `Results` and the request: links for the
facets, the active filters, the pages, `Đã tìm:` and did-you-mean. Pure (no I/O, no HTML)."""

from __future__ import annotations

from dataclasses import dataclass

from searchkit.engine import MAX_OFFSET
from searchkit.models import Results
from searchkit.text.keys import folded_key
from searchkit.web.params import SearchRequest

FACET_LABELS = {"province": "Tỉnh/thành", "year": "Năm", "source": "Nguồn", "category": "Chuyên mục"}
FILTER_LABELS = {"since": "Từ ngày", "until": "Đến ngày", "province": "Tỉnh/thành", "source": "Nguồn",
                 "category": "Chuyên mục"}
#: Values shown per facet; the rest are summed up as "… N more".
FACET_TOP = 12


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


def results_view(search: SearchRequest, results: Results) -> dict:
    """Template context for one page of results."""
    first = search.offset + 1
    return {
        "results": results,
        "first": first,
        "last": search.offset + len(results.hits),
        "page": search.offset // search.limit + 1,
        "pages": -(-results.total // search.limit),
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
        changes = _filter_for(name, value)
        active = changes is not None and all(_same(getattr(search, k), v) for k, v in changes.items())
        href = "?" + search.link(offset=0, **changes) if changes is not None and not active else None
        values.append(FacetValue(value, count, href, active))
    return Facet(name, FACET_LABELS.get(name, name), tuple(values), max(len(counts) - FACET_TOP, 0))


def _filter_for(facet: str, value: str) -> dict[str, str] | None:
    """The filter that keeps only the articles counted under `value`, or None."""
    if facet == "year":
        return {"since": value, "until": value}
    if facet in ("province", "source", "category"):
        return {facet: value}
    return None


def _same(typed: str | None, value: str) -> bool:
    return typed is not None and folded_key(typed) == folded_key(value)


def active_filters(search: SearchRequest) -> list[tuple[str, str, str]]:
    """(label, value, link without it) for each filter in use."""
    return [(label, getattr(search, name), "?" + search.link(offset=0, **{name: None}))
            for name, label in FILTER_LABELS.items() if getattr(search, name)]
