"""How the web words a library error: its HTTP status, and its message in the page's language
with the fields named as the page names them (not as command-line flags)."""

from __future__ import annotations

from typing import Any

from searchkit.backends import BackendUnavailableError
from searchkit.errors import IndexBusyError, IndexFormatError, IndexNotFoundError, QueryError, SearchkitError
from searchkit.fields import KEYED
from searchkit.messages import error_message, say

#: The parameters of a search as the page's form labels them: catalogue keys.
FIELD_LABELS = {"q": "field.query", "query": "field.query", "since": "field.since", "until": "field.until",
                "sort": "field.sort", "limit": "field.limit", "offset": "field.offset", "facets": "field.facets",
                **{field.name: f"field.{field.name}" for field in KEYED}}


def status_for(error: SearchkitError) -> int:
    """HTTP status of a library error: the user's request (400), the server's index or search
    cluster not ready or not reachable (503), anything else the server's fault (500).

    >>> status_for(QueryError(kind="query.no_words", field="query", value=""))
    400
    >>> status_for(BackendUnavailableError(kind="backend.search_failed", value="typesense://h:1/c"))
    503
    """
    if getattr(error, "http_status", None):  # an error of the web's own (ServerBusyError: 503)
        return error.http_status
    if isinstance(error, QueryError):
        return 400
    if isinstance(error, (IndexNotFoundError, IndexFormatError, IndexBusyError, BackendUnavailableError)):
        return 503
    return 500


def field_labels(lang: str = "vi") -> dict[str, str]:
    """Parameter -> how the page names it, in `lang`: {"since": "“Từ ngày”", …}."""
    return {name: f"“{say(key, lang)}”" for name, key in FIELD_LABELS.items()}


def web_error(error: SearchkitError, lang: str = "vi") -> tuple[int, str]:
    """(HTTP status, the message in `lang` naming the form's fields).

    >>> from searchkit.errors import FilterError
    >>> status, message = web_error(FilterError(kind="filter.not_a_date", field="since", value="hôm qua"))
    >>> status, message.split(";")[0]
    (400, "“Từ ngày”: 'hôm qua' không phải ngày")
    """
    return status_for(error), error_message(error, lang, field_labels(lang))


def api_error(error: SearchkitError) -> dict[str, Any]:
    """The JSON body of an API error: status, type, the English message, and the error's data
    (`kind`, `field`, `value`, `hint`) for a client to word it itself."""
    data = error.to_dict()
    return {"error": {"status": status_for(error), **data}}
