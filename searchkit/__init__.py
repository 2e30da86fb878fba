"""searchkit: full-text search for Vietnamese ICT news.

    >>> from searchkit import SearchEngine
    >>> engine = SearchEngine("index")
    >>> engine.index(["corpus"])
    >>> for hit in engine.search("trạm BTS"):
    ...     print(hit.id, hit.title)
"""

from searchkit.engine import SearchEngine
from searchkit.errors import (
    AbbreviationsError,
    CorpusError,
    FilterError,
    IndexBusyError,
    IndexDamagedError,
    IndexFormatError,
    IndexNotFoundError,
    QueryError,
    SearchkitError,
    StorageError,
)
from searchkit.models import Article, Hit, IndexReport, Results, Skipped, Snippet

__all__ = [
    "AbbreviationsError", "Article", "CorpusError", "FilterError", "Hit", "IndexBusyError",
    "IndexDamagedError", "IndexFormatError", "IndexNotFoundError", "IndexReport", "QueryError",
    "Results", "SearchEngine", "SearchkitError", "Skipped", "Snippet", "StorageError",
]
__version__ = "0.1.0"
