"""Query-string parameters of a search, checked: what the HTTP API and the page accept.

Pure: a mapping of strings in, a `SearchRequest` (or a QueryError saying what to fix) out.
The engine checks the filters themselves (dates, provinces); here only what HTTP adds:
numbers that arrive as text, bounds on sizes, on/off flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from searchkit.engine import MAX_OFFSET
from searchkit.errors import QueryError
from searchkit.fields import KEYED
from searchkit.searching.query import MAX_QUERY_CHARS as LIBRARY_MAX_QUERY_CHARS

#: A query longer than this is refused with 400: the library's own bound (a pasted paragraph
#: fits, a pasted article does not).
MAX_QUERY_CHARS = LIBRARY_MAX_QUERY_CHARS
#: A filter value longer than this is refused (no province or source name comes close).
MAX_FILTER_CHARS = 100
#: Hits per request at most; a larger `limit` is lowered to this.
MAX_LIMIT = 100
DEFAULT_LIMIT = 10
#: The filters a search takes: dates, then the field registry's keyed fields (`fields.KEYED`);
#: those with several values (`tag`) may be repeated: `&tag=5G&tag=Viettel`.
FILTERS = ("since", "until", *(field.name for field in KEYED))
SEVERAL = tuple(field.name for field in KEYED if field.many)
#: Languages of the pages and messages, the first the default (`searchkit.messages.LANGUAGES`).
LANGUAGES = ("vi", "en")
SORTS = ("relevance", "date")
_YES, _NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class SearchRequest:
    """One checked search: the keyword arguments of `SearchEngine.search` and the query."""

    q: str
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    since: str | None = None
    until: str | None = None
    province: str | None = None
    source: str | None = None
    category: str | None = None
    tag: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    sort: str = "relevance"
    facets: bool = False
    lang: str = "vi"

    @classmethod
    def parse(cls, params: Mapping[str, str], *, facets: bool | None = None) -> SearchRequest:
        """Check query-string parameters; raises QueryError naming the parameter at fault.

        >>> SearchRequest.parse({"q": "tram bts", "limit": "500", "province": "dak nong"}).limit
        100
        >>> from starlette.datastructures import QueryParams
        >>> SearchRequest.parse(QueryParams("q=5G&tag=Viettel&tag=&tag=VNPT")).tag
        ('Viettel', 'VNPT')
        """
        query = params.get("q", "")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(kind="query.too_long", field="q", value=query[:40] + "…",
                             hint={"length": len(query), "limit": MAX_QUERY_CHARS})
        filters = {name: _filter(name, params.get(name)) for name in FILTERS if name not in SEVERAL}
        for name in SEVERAL:  # repeated in a query string (a plain mapping holds one)
            given = params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]
            filters[name] = tuple(value for value in (_filter(name, one) for one in given) if value)
        return cls(
            q=query,
            limit=min(_whole("limit", params.get("limit"), DEFAULT_LIMIT, 1, None), MAX_LIMIT),
            offset=_whole("offset", params.get("offset"), 0, 0, MAX_OFFSET),
            sort=_sort(params.get("sort")),
            facets=_flag("facets", params.get("facets")) if facets is None else facets,
            lang=language_of(params),
            **filters,
        )

    @property
    def keyed(self) -> tuple[str, ...]:
        """The keyed filters' names (`fields.KEYED`), in order: the page's text filter inputs."""
        return FILTERS[2:]

    @property
    def filtered(self) -> bool:
        """Whether any filter is chosen, or an order other than relevance."""
        return any(getattr(self, name) for name in FILTERS) or self.sort != "relevance"

    def engine_options(self) -> dict[str, Any]:
        """Keyword arguments for `SearchEngine.search`."""
        options = self._values()
        del options["q"], options["lang"]
        return options

    def _values(self) -> dict[str, Any]:
        """The fields by name, shallow: `dataclasses.asdict` deep-copies every value, a cost
        paid per request and per link of the results page (the values are all immutable)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def link(self, **changes: Any) -> str:
        """This search as the query string of a page link, with `changes` (None drops a
        parameter); defaults are left out, so links stay short.

        >>> SearchRequest("tram bts", offset=10).link(province="Đắk Nông")
        'q=tram+bts&offset=10&province=%C4%90%E1%BA%AFk+N%C3%B4ng'
        >>> SearchRequest("5G", tag=("Viettel",)).link(tag=("Viettel", "VNPT"))
        'q=5G&tag=Viettel&tag=VNPT'
        """
        from urllib.parse import urlencode

        values = {**self._values(), **changes}
        del values["facets"]  # the page always counts them
        defaults = {"limit": DEFAULT_LIMIT, "offset": 0, "sort": "relevance", "lang": LANGUAGES[0]}
        return urlencode({k: v for k, v in values.items() if v not in (None, "", ()) and defaults.get(k) != v},
                         doseq=True)


def language_of(params: Mapping[str, str]) -> str:
    """The page's language: `lang=en` for English; anything else is Vietnamese.

    >>> language_of({"lang": "en"}), language_of({"lang": "fr"}), language_of({})
    ('en', 'vi', 'vi')
    """
    wanted = (params.get("lang") or "").strip().lower()
    return wanted if wanted in LANGUAGES else LANGUAGES[0]


def _whole(name: str, value: str | None, default: int, low: int, high: int | None) -> int:
    if value is None or value == "":
        return default
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 30:
        raise QueryError(kind="page.not_a_number", field=name, value=value[:20])
    number = int(text)
    if number < low or (high is not None and number > high):
        raise QueryError(kind="page.outside" if high is not None else "page.too_small", field=name,
                         value=number, hint={"low": low, "high": high})
    return number


def _filter(name: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_FILTER_CHARS:
        raise QueryError(kind="param.too_long", field=name, value=value[:40] + "…",
                         hint={"length": len(value), "limit": MAX_FILTER_CHARS})
    return value.strip()


def _sort(value: str | None) -> str:
    if value is None or value == "":
        return "relevance"
    if value not in SORTS:
        raise QueryError(kind="filter.bad_sort", field="sort", value=value[:20], hint={"choices": SORTS})
    return value


def _flag(name: str, value: str | None) -> bool:
    text = (value or "").strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise QueryError(kind="param.not_a_flag", field=name, value=value[:20])
