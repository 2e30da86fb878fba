"""The exceptions searchkit raises; each message says what to do next."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SearchkitError(Exception):
    """Base class: a problem the user can fix, carried as data that each interface words itself.

    - `kind`: a stable key of `searchkit.messages.CATALOGUE` ("filter.unknown_province");
    - `field`: the library parameter at fault ("since", "source", "query", "index"), or None;
    - `value`: what was given; `hint`: data for what to do next (known values, a command);
    - `str(error)`: the whole message in English, for library users and logs;
    - `exit_code`: what the command line exits with.

    >>> error = FilterError(kind="filter.unknown_province", field="province", value="Atlantis")
    >>> error.kind, error.field, error.value, error.exit_code
    ('filter.unknown_province', 'province', 'Atlantis', 2)
    >>> print(error)
    province: 'Atlantis' is not a province or city of Vietnam; type its name with or without accents, e.g. "dak nong" or TP.HCM
    """

    exit_code = 1
    kind = "error"  # raised with a message only: no catalogue entry, the message is shown as is

    def __init__(self, message: str | None = None, *, kind: str | None = None, field: str | None = None,
                 value: Any = None, hint: Mapping[str, Any] | None = None):
        if kind is not None:
            self.kind = kind
        self.field, self.value, self.hint = field, value, dict(hint or {})
        if message is None:
            from searchkit.messages import say  # a table of strings: cheap, and imports nothing

            message = say(self.kind, "en", **self.data())
        super().__init__(message)

    def data(self) -> dict[str, Any]:
        """What a message about this error may name: the hint's entries, `field` and `value`."""
        return {**self.hint, "field": self.field, "value": self.value}

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data (values that are not JSON are shown as their repr)."""
        return {"type": type(self).__name__, "kind": self.kind, "field": self.field,
                "value": _plain(self.value), "hint": {k: _plain(v) for k, v in self.hint.items()},
                "message": str(self)}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        return list(value)
    return repr(value)


class QueryError(SearchkitError):
    """The query has nothing to search for (empty, punctuation only, only exclusions)."""

    exit_code = 2


class FilterError(QueryError):
    """A filter or sort option cannot be used: a bad date, an unknown province or sort order."""

    exit_code = 2


class IndexNotFoundError(SearchkitError):
    """There is no index at the given place yet."""

    exit_code = 3


class IndexFormatError(SearchkitError):
    """The directory is not a searchkit index, or was written by another schema version."""

    exit_code = 3


class IndexDamagedError(IndexFormatError):
    """The index is missing files it needs (a deleted table of contents, a lost segment)."""

    exit_code = 3


class IndexBusyError(SearchkitError):
    """Another process is writing to the index."""

    exit_code = 4


class CorpusError(SearchkitError):
    """A path given to index does not exist or holds no articles."""

    exit_code = 2


class AbbreviationsError(SearchkitError):
    """A user abbreviations file cannot be read or has a malformed line."""

    exit_code = 2


class StorageError(SearchkitError):
    """Writing the index failed: the disk is full, read-only, or reports an I/O error.

    The index keeps its last commit; what the failed run had written is swept.
    """

    exit_code = 5


#: What the command line exits with when searchkit itself has a bug (not an input problem):
#: never 1, which means "no match" to scripts.
INTERNAL_ERROR_EXIT = 70
