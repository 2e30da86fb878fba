"""Articles kept in this process: `SearchEngine("memory://NAME")`, for tests and examples.

The smallest whole `Backend`: the same analysis as the local index (`indexing.analysis`),
every article a candidate of every search (`searching.candidates.CandidateArrays` with exact
document frequencies, so BM25 weighs words as the local index does), filters and facets read
from the articles. Engines opened on the same name in one process share the store. No
spelling statistics (no did-you-mean), nothing to optimize.

    >>> from searchkit import SearchEngine
    >>> engine = SearchEngine("memory://doctest")
    >>> engine.index(["corpus"]).added
    5
    >>> engine.search("trạm BTS", province="dak nong").hits[0].province
    'Đắk Nông'
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Iterable

import numpy as np

from searchkit.backends.url import BackendError
from searchkit.fields import KEYED_BY_NAME
from searchkit.models import Article, IndexReport, Skipped, day_number
from searchkit.searching.backend import Candidates
from searchkit.searching.candidates import FIELDS, CandidateArrays, encode_tokens, token_count
from searchkit.searching.filters import Filters
from searchkit.searching.rewrite import Vocabulary
from searchkit.text.keys import folded_key

_STORES: dict[str, "MemoryBackend"] = {}
_STORES_LOCK = threading.Lock()


class MemoryBackend:
    """A dict of analysed articles (see the module's docstring)."""

    capabilities: frozenset[str] = frozenset()
    name = "memory"

    def __init__(self, name: str = "memory://"):
        self.location = name
        self.articles: dict[str, tuple[Article, dict, dict]] = {}  # id -> (article, encoded fields, term sets)
        self._lock = threading.RLock()
        self._counts: dict[str, Counter] | None = None  # field -> term -> articles holding it

    @classmethod
    def named(cls, location: str) -> MemoryBackend:
        """The store of this name in this process (created empty on first use)."""
        with _STORES_LOCK:
            return _STORES.setdefault(location, cls(location))

    def __str__(self) -> str:
        return self.location

    # ------------------------------------------------------------------ writing

    def existing(self) -> dict[str, tuple[str, str]]:
        return {key: (held[0].hash, held[0].path) for key, held in self.articles.items()}

    def sync(self, paths: Iterable, *, rebuild: bool = False, remove_missing: bool = True, wait: float = 0.0,
             workers: int | None = None, batch_size: int | None = None, progress=None,
             follow: bool = False, prune: bool = False) -> IndexReport:
        """As the local index syncs (`indexing.sync`): by content hash, vanished ones removed."""
        from searchkit.indexing.analysis import analyzed
        from searchkit.indexing.corpus import iter_articles
        from searchkit.indexing.sync import SyncRun, batches, to_index, vanished
        from searchkit.indexing.walk import check_paths

        started = time.monotonic()
        roots = check_paths(paths)
        with self._lock:
            if rebuild:
                self.articles.clear()
            run = SyncRun(existing=self.existing(), roots=roots, progress=progress, prune=prune)
            for batch in batches(to_index(iter_articles(run.roots, run.existing, follow), run), batch_size or 500, 1):
                for article, fields in analyzed(batch):
                    if isinstance(fields, Exception):
                        run.skipped.append(Skipped(article.path, f"cannot be analysed ({type(fields).__name__}: "
                                                                 f"{fields})", article.line))
                        continue
                    run.updated += article.id in self.articles
                    run.added += article.id not in self.articles
                    self.articles[article.id] = (article, {f: encode_tokens(fields[f]) for f in FIELDS},
                                                 {f: set(filter(None, fields[f])) for f in FIELDS})
                run.report_progress()
            removed = self.remove(vanished(run, run.roots)) if remove_missing else 0
            self._counts = None
        return IndexReport(added=run.added, updated=run.updated, removed=removed, unchanged=run.unchanged,
                           skipped=tuple(run.skipped), seconds=time.monotonic() - started, total=self.count())

    def remove(self, ids: list[str]) -> int:
        with self._lock:
            for key in ids:
                self.articles.pop(key, None)
            self._counts = None
        return len(ids)

    # ------------------------------------------------------------------ reading

    def reading(self, call):
        with self._lock:
            return call(MemoryView(self))

    def counts(self) -> dict[str, Counter]:
        """field -> term -> articles holding it, rebuilt after a write."""
        if self._counts is None:
            self._counts = {f: Counter(t for held in self.articles.values() for t in held[2][f]) for f in FIELDS}
        return self._counts

    def count(self) -> int:
        return len(self.articles)

    def stats(self) -> dict:
        return {"backend": self.location, "articles": self.count()}

    def check(self) -> dict:
        return {"index": self.location, "segments": 0, "articles": self.count(), "problems": []}

    def optimize(self, wait: float = 0.0) -> int:
        raise BackendError(kind="backend.no_optimize", field="backend", value=self.location)

    def repair(self, paths=None, wait: float = 0.0) -> dict:
        raise BackendError(kind="backend.no_optimize", field="backend", value=self.location)

    def close(self) -> None:
        pass


class MemoryView:
    """The store as `searching.backend.View`: every article a candidate, in id order."""

    def __init__(self, store: MemoryBackend):
        self.store = store
        self.ids = sorted(store.articles)

    def frequency(self, field: str, term: str) -> int:
        return self.store.counts()[field].get(term, 0)

    def completions(self, field: str, prefix: str) -> dict[str, int]:
        return {term: count for term, count in self.store.counts()[field].items() if term.startswith(prefix)}

    def vocabulary(self, query: str = "") -> Vocabulary:
        return Vocabulary(self.frequency, self.completions)

    def _arrays(self, plan, docs: list[dict]) -> CandidateArrays:
        averages = {f: (sum(token_count(d[f]) for d in docs) / len(docs)) if docs else 1.0 for f in FIELDS}
        return CandidateArrays(docs, len(self.ids), self.frequency, averages, every=True)

    def statistics(self, plan):
        return self.candidates(plan, Filters()).arrays

    def candidates(self, plan, chosen: Filters, *, sort: str = "relevance", depth: int = 10,
                   facets: bool = False) -> Candidates:
        docs = [self.store.articles[key][1] for key in self.ids]
        arrays = self._arrays(plan, docs)
        allowed = arrays.allowed
        allowed[:len(self.ids)] &= [_passes(self.store.articles[key][0], chosen) for key in self.ids]
        return Candidates(arrays, allowed)

    def stored(self, candidates: Candidates, docs) -> list[dict | None]:
        return [self.article(self.ids[doc]) for doc in docs]

    def docnum(self, candidates: Candidates, article_id: str) -> int | None:
        return self.ids.index(article_id) if article_id in self.store.articles else None

    def article(self, article_id: str) -> dict | None:
        held = self.store.articles.get(article_id)
        return None if held is None else {k: v for k, v in held[0].to_dict().items() if v is not None}

    def known_values(self, name: str) -> dict[str, str]:
        """Folded key -> spelling of each value of a keyed field: the first article's, or for
        a field with several values the one most articles hold (ties: first in Unicode order)."""
        field = KEYED_BY_NAME[name]
        if not field.many:
            known: dict[str, str] = {}
            for key in self.ids:
                value = getattr(self.store.articles[key][0], field.attribute)
                if value:
                    known.setdefault(folded_key(value), value)
            return known
        from searchkit.searching.pipeline import by_key  # the facets' rule: one spelling a key

        counted = Counter(v for key in self.ids for v in getattr(self.store.articles[key][0], field.attribute))
        return {folded_key(spelled): spelled for spelled in by_key(counted)}

    def days(self, candidates: Candidates) -> np.ndarray:
        days = np.zeros(candidates.arrays.size, dtype=np.int64)
        days[:len(self.ids)] = [day_number(self.store.articles[key][0].date) for key in self.ids]
        return days

    def facet_values(self, candidates: Candidates, name: str) -> list:
        """Year from the date; a keyed field's value (`fields.KEYED`) as the local index spells
        it: source and category as the first article, a tag as most articles do."""
        articles = [self.store.articles[key][0] for key in self.ids]
        if name == "year":
            return [article.date[:4] if article.date else None for article in articles]
        field = KEYED_BY_NAME[name]
        spelled = self.known_values(name)
        if field.many:
            return [tuple(spelled[folded_key(v)] for v in getattr(article, field.attribute)) for article in articles]
        return [spelled[folded_key(value)] if (value := getattr(article, field.attribute)) else None
                for article in articles]

    def spellings(self):
        raise BackendError(kind="backend.no_restore", field="backend", value=self.store.location)

    pairs = spellings


def _passes(article: Article, chosen: Filters) -> bool:
    """Whether an article passes the filters, as the local index's filter query decides."""
    if chosen.dated and not (article.date and (chosen.since or "0000-00-00") <= article.date
                             <= (chosen.until or "9999-99-99")):
        return False
    for field, keys in chosen.keyed():
        value = getattr(article, field.attribute)
        held = {folded_key(v) for v in value} if field.many else {folded_key(value or "")}
        if not held.issuperset(keys):
            return False
    return True
