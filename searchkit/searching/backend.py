"""The `Backend` protocol: what a store of articles answers, and nothing more.

A store keeps analysed articles and answers what differs between stores: the statistics and
candidates of a query plan, stored fields, facet and sort values, and the writing side
(listing, writing and removing articles). Everything above it — planning, ranking,
collecting the top hits, date sort, facets, the unknown source/category check, highlighting,
explanations, did-you-mean — is `searching.pipeline`, written once for every store; the
sync around the writing side (what changed, what vanished, batches) is `indexing.sync`.

Stores today: the local index (`backends.local`), a Typesense cluster (`backends.typesense`)
and an in-memory one for tests (`backends.memory`); `backends.open_backend` picks one by the
URL's scheme. A store says what else it can do in `capabilities` (`SUGGEST`, `OPTIMIZE`), so
that the engine refuses what it cannot instead of the store overriding methods to refuse.

Doc numbers are the store's: 0..`arrays.size` of one `Candidates`, meaningful only with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol, Sequence, TypeVar, runtime_checkable

from searchkit.fields import FACETS as _FACETS

if TYPE_CHECKING:
    import numpy as np

    from searchkit.models import IndexReport
    from searchkit.searching.analysed import AnalysedQuery
    from searchkit.searching.filters import Filters
    from searchkit.searching.plan import QueryPlan
    from searchkit.searching.rewrite import Vocabulary

#: Capabilities. SUGGEST: spelling statistics (did-you-mean, `restore_accents`, the restoration
#: that a short unaccented query's names earn); OPTIMIZE: merging the store into one segment;
#: COMPLETE: completions of what is typed in a search box (`View.complete`); REPAIR: dropping
#: damaged segments and re-indexing their articles (`Backend.repair`).
SUGGEST = "suggest"
OPTIMIZE = "optimize"
COMPLETE = "complete"
REPAIR = "repair"
#: The facets every store counts, in the order `Results.facets` lists them (the field registry's).
FACETS = _FACETS

T = TypeVar("T")


@dataclass(frozen=True)
class Candidates:
    """What a store found for a plan: arrays `rank` reads (postings, positions, lengths and
    the store's statistics, over doc numbers) and the doc numbers `rank` may return
    (`allowed`; None: every live one). `complete`: every matching article is a candidate, so
    counts over the candidates are exact; when not, `found` is how many the store matched and
    `facets` its own counts."""

    arrays: Any
    allowed: "np.ndarray | None" = None
    complete: bool = True
    found: int = 0
    facets: dict[str, dict[str, int]] | None = None


@runtime_checkable
class View(Protocol):
    """One consistent state of a store for the length of one call (one index generation)."""

    def vocabulary(self, query: AnalysedQuery | str) -> Vocabulary:
        """Document frequencies for planning `query` (rewriting, Telex, abbreviations): the
        search's analysis of it (a store may fetch its words' statistics in one batch)."""

    def statistics(self, plan: QueryPlan) -> Any:
        """Arrays with the store's statistics for the plan, without searching (highlighting)."""

    def candidates(self, plan: QueryPlan, chosen: Filters, *, sort: str, depth: int,
                   facets: bool) -> Candidates:
        """The articles `rank` orders for the plan within the filters; `depth`: hits wanted."""

    def stored(self, candidates: Candidates, docs: Sequence[int]) -> list[dict | None]:
        """Stored fields (`id`, `title`, `body`, metadata) of these doc numbers (None: gone)."""

    def docnum(self, candidates: Candidates, article_id: str) -> int | None:
        """The doc number of an article id among the candidates, or None."""

    def article(self, article_id: str) -> dict | None:
        """Stored fields of one article by id, or None."""

    def known_values(self, name: str) -> dict[str, str]:
        """Folded key -> a spelling of every `source` or `category` the store holds."""

    def days(self, candidates: Candidates) -> np.ndarray:
        """Each doc number's date as 20100203 (0: undated): what `sort="date"` orders by."""

    def facet_values(self, candidates: Candidates, name: str) -> Sequence[str | tuple[str, ...] | None]:
        """Each doc number's value of a facet (`FACETS`), None where it has none; of a field
        with several values (`KeyedField.many`), a tuple of them."""

    def spellings(self) -> Any:
        """The did-you-mean statistic (only with SUGGEST)."""

    def pairs(self) -> Any:
        """The syllable pair model of accent restoration (only with SUGGEST)."""

    def complete(self, prefix: str, limit: int) -> list[str]:
        """Words and phrases completing `prefix` (only with COMPLETE)."""


@runtime_checkable
class Backend(Protocol):
    """A store of analysed articles (see the module's docstring)."""

    capabilities: frozenset[str]

    def reading(self, call: Callable[[View], T]) -> T:
        """`call` on a view of the store's current state (the store takes any lock it needs,
        and runs `call` again if a commit replaced what it was reading)."""

    def existing(self) -> dict[str, tuple[str, str]]:
        """Listing: article id -> (content hash, path) of every article held."""

    def sync(self, paths: Iterable, *, rebuild: bool, remove_missing: bool, wait: float, workers: int | None,
             batch_size: int | None, progress: Callable[[int], None] | None, follow: bool) -> IndexReport:
        """Writing and removing: bring the store in line with the articles under `paths`
        (through `indexing.sync.sync_store`)."""

    def count(self) -> int: ...

    def stats(self) -> dict: ...

    def check(self) -> dict: ...

    def optimize(self, wait: float) -> int:
        """Only with OPTIMIZE."""

    def repair(self, paths: list | None, wait: float) -> dict:
        """Only with REPAIR."""

    def close(self) -> None: ...
