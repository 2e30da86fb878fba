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
