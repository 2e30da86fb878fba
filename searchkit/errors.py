"""The exceptions searchkit raises; each message says what to do next."""

from __future__ import annotations


class SearchkitError(Exception):
    """Base class: a problem the user can fix. `exit_code` is what the CLI exits with."""

    exit_code = 1


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


class IndexBusyError(SearchkitError):
    """Another process is writing to the index."""

    exit_code = 4


class CorpusError(SearchkitError):
    """A path given to index does not exist or holds no articles."""

    exit_code = 2


class AbbreviationsError(SearchkitError):
    """A user abbreviations file cannot be read or has a malformed line."""

    exit_code = 2
