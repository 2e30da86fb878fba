"""searchkit: full-text search for Vietnamese ICT news.

    >>> from searchkit import SearchEngine
    >>> engine = SearchEngine("index")
    >>> engine.index(["corpus"])
    >>> for hit in engine.search("trạm BTS"):
    ...     print(hit.id, hit.title)

`import searchkit` loads only the errors: the engine (numpy, the index reader) and the data
types are imported on first use of their names, so a command that needs neither (`searchkit
--help`, `serve`'s parent process, an indexing worker) does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from searchkit.cpu import prefer_avx2_sorts, quiet_huge_pages
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

if TYPE_CHECKING:
    from searchkit.engine import SearchEngine
    from searchkit.models import Article, Hit, IndexReport, Results, Skipped, Snippet

__all__ = [
    "AbbreviationsError", "Article", "CorpusError", "FilterError", "Hit", "IndexBusyError",
    "IndexDamagedError", "IndexFormatError", "IndexNotFoundError", "IndexReport", "QueryError",
    "Results", "SearchEngine", "SearchkitError", "Skipped", "Snippet", "StorageError",
]
__version__ = "0.1.0"

quiet_huge_pages()  # no huge-page advice for searches; merges turn it on (`searchkit.cpu`)
prefer_avx2_sorts()  # numpy's AVX-512 sorts are five times slower on AMD's Zen 4 (`searchkit.cpu`)

_MODELS = frozenset({"Article", "Hit", "IndexReport", "Results", "Skipped", "Snippet"})


def __getattr__(name: str) -> Any:
    """The public names that import more than the errors, imported on first use (PEP 562)."""
    if name == "SearchEngine":
        from searchkit.engine import SearchEngine as value
    elif name in _MODELS:
        from searchkit import models

        value = getattr(models, name)
    else:
        raise AttributeError(f"module 'searchkit' has no attribute {name!r}")
    globals()[name] = value  # once: later lookups find it without calling here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
