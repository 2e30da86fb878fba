"""`SearchEngine`: the library's front door, indexing and searching one index directory."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import unicodedata
from contextlib import contextmanager
from functools import cached_property, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from searchkit.errors import AbbreviationsError, IndexDamagedError, QueryError, SearchkitError
from searchkit.indexing.adapter import segment_leaves
from searchkit.indexing.store import open_index
from searchkit.models import Article, Explanation, Hit, IndexReport, Results, heading
from searchkit.searching.abbreviations import Abbreviations, load_abbreviations
from searchkit.searching.filters import MAX_OFFSET, Filters, check_known, check_page, check_sort
from searchkit.searching.highlight import Highlighting
from searchkit.searching.plan import QueryPlan, names_in, plan_query, restored_forms
from searchkit.searching.rewrite import (
    Vocabulary,
    decode_typing,
    expand_abbreviations,
    expand_prefixes,
    typed_as_abbreviation,
)
from searchkit.searching.suggest import (
    CACHE_PREFIX,
    PAIRS_PREFIX,
    Spellings,
    Suggester,
    load_pair_counts,
    load_spellings,
    spelling_evidence,
)
from searchkit.text.fold import fold, has_marks
from searchkit.text.normalize import normalize_text

if TYPE_CHECKING:
    from searchkit.indexing.sync import Progress
    from searchkit.searching.accents import PairModel

#: After another process commits, its did-you-mean statistic appears a moment later (the
#: writer prepares it); meanwhile, for up to this long, the previous one serves, rather than a
#: search spending a second building it while other threads wait (bench/serve.py's p99).
SPELLINGS_GRACE_SECONDS = 30.0
#: Hits of one page that get snippets: past them (a page of 1,000), titles only, so that no
#: page costs more than a fraction of a second to highlight (a page of 1,000 hits of 31
#: prefixes matching nearly every word: 0.4 s of CPU with 200, issue 18).
MAX_SNIPPET_HITS = 100


def _one_at_a_time(method):
    """Hold the engine's lock for the call. Whoosh readers share zlib and file state, so
    one searcher used by two threads at once gives zlib errors and silently wrong hits."""

    @wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


#: Runs of a search at most while commits keep replacing what it reads.
COMMIT_RETRIES = 4


def _again_after_a_commit(method):
    """Run a search again when it failed because a commit replaced what it was reading; tell
    damage from a bug when it failed otherwise.

    Whoosh deletes a merged segment's files right after the commit that drops it. A search
    whose searcher was opened before then and that reads one of those files for the first
    time finds it gone: Whoosh fails on the missing file (a TypeError on a column it could
    not open, an OSError), or verifying the generation at opening finds it missing (an
    IndexDamagedError). When the index's generation has moved meanwhile, the file went
    because a newer commit replaced it: the search runs again on the new commit. Otherwise
    the error is real: an IndexDamagedError stands, and any other unexpected error is
    followed by a check of the index, whose damage, when found, is what is reported."""

    @wraps(method)
    def retried(self, *args, **kwargs):
        for attempt in range(COMMIT_RETRIES):
            try:
                return method(self, *args, **kwargs)
            except SearchkitError as error:
                if not isinstance(error, IndexDamagedError):
                    raise
                failure: Exception = error
            except Exception as error:  # noqa: BLE001 - sorted out below
                failure = error
            if not _generation_moved(self) or attempt == COMMIT_RETRIES - 1:
                if isinstance(failure, SearchkitError):
                    raise failure
                _raise_damage_found(self.path, failure)
                raise failure

    return retried


@contextmanager
def _naming_damage(path: Path):
    """An unexpected error within is reported as the damage check finds, if any."""
    try:
        yield
    except SearchkitError:
        raise
    except Exception as error:  # noqa: BLE001 - damage, or a bug when check finds none
        _raise_damage_found(path, error)
        raise


def _generation_moved(engine) -> bool:
    """Whether a commit came after the generation the engine's searcher reads."""
    seen = engine._searcher[0] if engine._searcher is not None else None
    try:
        return seen is not None and open_index(engine.path).latest_generation() != seen
    except Exception:  # noqa: BLE001 - the first error is the one to report
        return False


def _raise_damage_found(path: Path, error: Exception) -> None:
    """Raise IndexDamagedError (from `error`) naming the first damage `searchkit check`
    finds in the index; return when it finds none (then `error` is a bug)."""
    from searchkit.indexing.check import damage_of
    from searchkit.indexing.manifest import damaged_file

    problems = damage_of(path)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise damaged_file(path, problems[0] + more) from error


class SearchEngine:
    """Index Vietnamese articles and search them.

    >>> engine = SearchEngine("index")
    >>> engine.index(["corpus"]).added
    5
    >>> engine.search("trạm BTS", limit=3).hits[0].title
    'Nghệ An: Tổng kết công tác TT&TT cụm I'

    One engine may be shared by threads (a web server's): searches on it take turns on a
    lock around the open searcher and its decoded arrays. An engine per thread is no faster
    (8 threads in one process: 71 against 154 searches/s; see also bench/serve.py) and holds
    a copy of the decoded postings per thread. To search in parallel, use processes, each
    with its own engine: the memory-mapped postings are shared by the OS.
    """

    def __new__(cls, path: str | os.PathLike = "index", *, backend: str | None = None, **options):
        """`backend` (default: $SEARCHKIT_BACKEND): a URL such as
        ``typesense://KEY@127.0.0.1:8108/news``, for articles kept by a search cluster instead
        of the local index at `path` (see `searchkit.backends`); same methods, same results."""
        from searchkit.backends import BACKEND_VARIABLE

        backend = backend if backend is not None else os.environ.get(BACKEND_VARIABLE, "")
        if cls is SearchEngine and backend:
            from searchkit.backends.typesense import TypesenseEngine

            return super().__new__(TypesenseEngine)
        return super().__new__(cls)

    def __init__(self, path: str | os.PathLike = "index", *,
                 abbreviations: Iterable[str | os.PathLike] = (), backend: str | None = None):
        """`abbreviations`: extra files in the format of `searchkit/data/abbreviations.tsv`
        (``CNTT<TAB>công nghệ thông tin``), added to the packaged table; read on first search.
        """
        self.path = Path(path)
        self.abbreviation_files = tuple(Path(f) for f in abbreviations)
        self._statistics: dict[str, tuple[int, object]] = {}  # name -> (generation, value)
        self._awaiting: tuple[int, float] | None = None  # generation whose statistics are awaited, since
        self._arrays: tuple[int, object] | None = None
        self._searcher: tuple[int, object] | None = None
        self._vocabulary: tuple[object, Vocabulary] | None = None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"SearchEngine({str(self.path)!r})"

    def index(self, paths: Iterable[str | os.PathLike], *, rebuild: bool = False,
              remove_missing: bool = True, wait: float = 0.0, workers: int | None = None,
              batch_size: int = 2000, progress: Progress | None = None, follow: bool = False,
              prune: bool = False) -> IndexReport:
        """Sync the index with the articles (`.txt`, `.jsonl`, `.html`, `.md`) under `paths`
        (see `searchkit.indexing.sync`); `follow`: also what symbolic links outside `paths` lead to;
        `prune`: removing more than half of the index is meant (else a CorpusError)."""
        from searchkit.indexing.sync import sync  # the indexing machinery: not on the query path

        with _naming_damage(self.path):
            report = sync(self.path, paths, rebuild=rebuild, remove_missing=remove_missing, wait=wait,
                          workers=workers, batch_size=batch_size, progress=progress, follow=follow, prune=prune)
        if report.total:
            self._warm_statistics()
        return report

    def _warm_statistics(self) -> None:
        """Build the last commit's did-you-mean statistics and pair counts now, so that no
        query pays for them, and list them in its manifest."""
        from searchkit.indexing.manifest import record_caches

        with _naming_damage(self.path), open_index(self.path).reader() as reader, self._lock:
            self._load_spellings(reader, wait_for_writer=False)
            self._load_pairs(reader, wait_for_writer=False)
        record_caches(self.path)

    @_again_after_a_commit
    @_one_at_a_time
    def search(self, query: str, limit: int = 10, *, offset: int = 0, snippets: int = 3,
               since: str | None = None, until: str | None = None, province: str | None = None,
               source: str | None = None, category: str | None = None, sort: str = "relevance",
               facets: bool = False, explain: bool = False) -> Results:
        """Search; raises QueryError for a query with nothing to look for (or too long), or a
        `limit` (1–1000) or `offset` (0–10,000) out of range, FilterError for a bad filter.

        Free words are optional: articles holding all of them come first when there are
        enough, then those holding most of them (weighted by how telling each word is);
        `+word`, "quoted phrases" and `title:` are required. Words typed side by side rank
        articles that have them side by side first. When nothing matches, the did-you-mean
        is searched instead (`Results.corrected`, `Results.searched`). `offset` skips that
        many of the best hits (page 3 of 10: `offset=20`), at most `MAX_OFFSET`; `total`
        still counts every match.

        Filters: `since`/`until` take `2010`, `2010-02`, `2010-02-03` or `03/02/2010` (articles
        without a date are then left out); `province` any spelling ('dak nong'); `source` and
        `category` case and accents optional (one no article has is an error listing the closest).
        `sort="date"` puts the newest first and undated articles last. `facets=True` counts all
        matches by province, year, source and category in `Results.facets`. `explain=True` adds
        the plan (`Results.plan`) and each hit's score breakdown (`Hit.explanation`). Every call
        checks the index's generation and opens a new searcher after a commit, so results
        always reflect the last commit. Safe to call from several threads at once (they take
        turns).

        >>> SearchEngine("index").search("trạm BTS", province="dak nong").hits[0].province
        'Đắk Nông'
        >>> SearchEngine("index").search("Đắk Nông đã làm gì để phát triển trạm BTS?").hits[0].id
        '003_968839511eb7d5a3'
        """
        check_page(limit, offset)
        chosen = Filters.parse(since=since, until=until, province=province, source=source, category=category)
        check_sort(sort)
        from searchkit.searching.ranking import Trace, rank

        searcher = self._current_searcher()
        check_known(searcher, chosen)
        arrays = self._arrays_for(searcher.reader())
        vocabulary = self._vocabulary_for(arrays)
        plan = self._with_restoration(searcher, vocabulary, self._plan(query, vocabulary))
        allowed = _allowed(searcher, chosen, arrays.size)
        trace = Trace() if explain else None
        ranked = rank(arrays, plan, allowed, trace)
        if not ranked.total:
            plan, ranked = self._retry(searcher, arrays, vocabulary, plan, allowed, trace) or (plan, ranked)
        best = _by_date(searcher, arrays, ranked, limit, offset) if sort == "date" else ranked.top(limit, offset)
        marks = _highlighting(plan, arrays, ranked.matches)
        hits = tuple(_hit(searcher.stored_fields(doc), score, marks, snippets if place < MAX_SNIPPET_HITS else 0,
                          _explanation(ranked, trace, doc) if trace else None)
                     for place, (doc, score) in enumerate(best))
        suggestion = None if plan.corrected else self._suggest(
            searcher, vocabulary, hits, plan.searched or query)
        return Results(query=query, total=ranked.total, hits=hits, searched=_searched(plan, ranked.matches),
                       suggestion=suggestion, facets=_facet_counts(searcher, arrays, ranked) if facets else {},
                       corrected=plan.corrected, complete=ranked.complete, offset=offset,
                       plan={**plan.to_dict(), "weights": trace.weights,
                             "accents": [m.to_dict() for m in ranked.matches.values()]} if trace else None)

    @_one_at_a_time
    def explain(self, query: str, article_id: str, **filters) -> Explanation | None:
        """Why `article_id` scores what it does for `query` (None when it does not match).

        >>> SearchEngine("index").explain("trạm BTS", "003_968839511eb7d5a3").coverage
        1.0
        """
        from searchkit.searching.ranking import Trace, rank

        searcher = self._current_searcher()
        arrays = self._arrays_for(searcher.reader())
        plan = self._plan(query, self._vocabulary_for(arrays))
        chosen = Filters.parse(**filters)
        trace = Trace()
        ranked = rank(arrays, plan, _allowed(searcher, chosen, arrays.size), trace)
        doc = _docnum(searcher, article_id)
        if doc is None or not ranked.matched[doc]:
            return None
        return _explanation(ranked, trace, doc)

    @_one_at_a_time
    def highlighting(self, query: str) -> tuple[Highlighting, Highlighting]:
        """How hits of `query` are marked, for a title and for a body: what a search marks in
        its snippets, to mark a whole article the same way (phrases only where they stand,
        Telex decoded, abbreviations both ways). Raises QueryError as `search` does.

        >>> SearchEngine("index").highlighting("trạm BTS")[1].spans("Hai trạm BTS mới")
        [(4, 12)]
        """
        searcher = self._current_searcher()
        arrays = self._arrays_for(searcher.reader())
        vocabulary = self._vocabulary_for(arrays)
        return _highlighting(self._with_restoration(searcher, vocabulary, self._plan(query, vocabulary)), arrays)

    @_one_at_a_time
    def plan(self, query: str) -> QueryPlan:
        """The query as it will be searched: Telex decoded, abbreviations expanded, required
        and optional words, pairs (see `searchkit.searching.plan`)."""
        searcher = self._current_searcher()
        return self._plan(query, self._vocabulary_for(self._arrays_for(searcher.reader())))

    def _plan(self, query: str, vocabulary: Vocabulary, corrected: bool = False) -> QueryPlan:
        table = self.abbreviations
        plan = plan_query(query, decode=lambda text: decode_typing(text, vocabulary),
                          expand=lambda parsed: expand_prefixes(expand_abbreviations(parsed, table), vocabulary),
                          frequency=vocabulary.frequency)
        return dataclasses.replace(plan, searched=query, corrected=True) if corrected else plan

    def _with_restoration(self, searcher, vocabulary: Vocabulary, plan: QueryPlan) -> QueryPlan:
        """A short query typed without accents gains the names its restoration writes with
        capitals (`cntt tay nguyen` → *CNTT Tây Nguyên*): ranking then counts `tay nguyen`
        whole only where the two words stand together, whatever their accents; and the words
        typed side by side earn their bonus where they stand as restored (`chu ky so`: *chữ
        ký số*, not *chu kỳ số*)."""
        from searchkit.searching.ranking import LONG_QUERY

        if plan.searched or len(plan.optional) > LONG_QUERY or has_marks(plan.query) or not plan.neighbours:
            return plan
        restored = self._suggester(searcher, vocabulary).suggest(plan.parsed.text)
        if not restored:
            return plan
        return dataclasses.replace(plan, restored_names=names_in(restored, plan),
                                   restored_forms=restored_forms(restored, plan))

    def _retry(self, searcher, arrays, vocabulary: Vocabulary, plan: QueryPlan, allowed, trace):
        """(plan, ranked) of the did-you-mean when the query found nothing and it finds
        something, else None: like Meilisearch and Typesense, no retyping needed."""
        from searchkit.searching.ranking import rank

        suggestion = self._suggest(searcher, vocabulary, (), plan.searched or plan.query)
        if not suggestion:
            return None
        try:
            retried = self._plan(suggestion, vocabulary, corrected=True)
        except QueryError:
            return None
        ranked = rank(arrays, retried, allowed, trace)
        return (retried, ranked) if ranked.total else None

    def _suggest(self, searcher, vocabulary: Vocabulary, hits, typed: str) -> str | None:
        """Did-you-mean for what was searched: accents restored, misspellings corrected."""
        typed = normalize_text(unicodedata.normalize("NFC", typed)).strip()
        return self._suggester(searcher, vocabulary, spelling_evidence(hits) if not has_marks(typed)
                               else None).suggest(typed)

    def _suggester(self, searcher, vocabulary: Vocabulary, evidence=None) -> Suggester:
        table = self.abbreviations
        return Suggester(
            vocabulary.frequency, vocabulary.accented_frequency,
            lambda: self._load_spellings(searcher.reader()), evidence,
            keep=lambda word: typed_as_abbreviation(word, table),
            pairs=lambda: self._load_pairs(searcher.reader()),
        )

    @_one_at_a_time
    def restore_accents(self, text: str) -> str:
        """`text` with accents restored and misspelt words corrected, as the index would
        write it (words typed in lower case in the index's case), without searching
        (did-you-mean uses the same model).

        >>> SearchEngine("index").restore_accents("cntt nghe an")
        'CNTT Nghệ An'
        """
        searcher = self._current_searcher()
        vocabulary = self._vocabulary_for(self._arrays_for(searcher.reader()))
        typed = normalize_text(unicodedata.normalize("NFC", text)).strip()
        return self._suggester(searcher, vocabulary).rewrite(typed)

    @_again_after_a_commit
    @_one_at_a_time
    def complete(self, prefix: str, limit: int = 8) -> list[str]:
        """Words and phrases of the index that complete what is typed, accents optional, most
        written first (`searching.complete`).

        >>> SearchEngine("index").complete("tram b")
        ['trạm BTS']
        """
        from searchkit.searching.complete import completer_for

        searcher = self._current_searcher()
        return completer_for(self._arrays_for(searcher.reader()), self._load_pairs(searcher.reader())).complete(
            prefix, limit)

    def _current_searcher(self):
        """A searcher on the last commit. Every commit writes a new generation, and a new
        searcher is opened for it (never `refresh()`, which returns duplicates after merges);
        while the generation stays the same, the open one is reused."""
        for _ in range(2):
            try:
                return self._open_searcher()
            except (OSError, EOFError, IndexDamagedError):  # a commit replaced the table of
                continue  # contents meanwhile
        try:
            return self._open_searcher()
        except (OSError, EOFError) as error:
            raise IndexDamagedError(kind="index.unreadable", field="index", value=str(self.path), hint={
                "problem": f"{type(error).__name__}: {error}",
                "command": f"searchkit index --rebuild --index {self.path} CORPUS"}) from error

    def _open_searcher(self):
        ix = open_index(self.path)
        generation = ix.latest_generation()
        if self._searcher is None or self._searcher[0] != generation:
            self.close()
            self._searcher = (generation, ix.searcher())
        return self._searcher[1]

    @_again_after_a_commit
    @_one_at_a_time
    def article(self, id: str) -> dict | None:
        """The stored fields of the article with this id (full `body` included), or None.

        The id is only ever compared with the index's `id` terms: no path is built from it.

        >>> SearchEngine("index").article("003_968839511eb7d5a3")["province"]
        'Đắk Nông'
        """
        if not isinstance(id, str) or not id:
            return None
        searcher = self._current_searcher()
        docnum = _docnum(searcher, id)
        return None if docnum is None else Article.from_stored(searcher.stored_fields(docnum)).to_dict()

    @_one_at_a_time
    def close(self) -> None:
        """Close the open searcher (searching again reopens one)."""
        if self._searcher is not None:
            self._searcher[1].close()
            self._searcher = None

    def __enter__(self) -> "SearchEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _arrays_for(self, reader):
        """Posting arrays of the reader's generation. Segments never change within a
        generation, so what earlier searches decoded is reused until the next commit."""
        from searchkit.searching.ranking import IndexArrays

        generation = reader.generation()
        cached = self._arrays
        if cached is None or cached[0] != generation:
            self._arrays = (generation, IndexArrays(reader))
        else:
            cached[1].rebind(reader)
        return self._arrays[1]

    def _vocabulary_for(self, arrays) -> Vocabulary:
        """Document frequencies for query rewriting, memoised with the arrays' generation."""
        if self._vocabulary is None or self._vocabulary[0] is not arrays:
            self._vocabulary = (arrays, Vocabulary(arrays.document_frequency, arrays.completions))
        return self._vocabulary[1]

    def _load_spellings(self, reader, wait_for_writer: bool = True) -> Spellings:
        """The did-you-mean statistic of the reader's generation (see `_statistic`)."""
        return self._statistic("spellings", reader, load_spellings, f"{CACHE_PREFIX}{{}}.json", wait_for_writer)

    def _load_pairs(self, reader, wait_for_writer: bool = True) -> PairModel:
        """The syllable pair model of the reader's generation (see `_statistic`)."""
        return self._statistic("pairs", reader, load_pair_counts, f"{PAIRS_PREFIX}{{}}.npz", wait_for_writer)

    def _statistic(self, name: str, reader, load, cache: str, wait_for_writer: bool):
        """A statistic of the reader's generation, kept while it is current. While a writer is
        still saving the new generation's (`cache` names its file), the previous one serves:
        a few added articles barely move it, and building it here would hold every waiting
        search for up to a second (bench/serve.py's p99)."""
        generation = reader.generation()
        kept = self._statistics.get(name)
        if kept is not None and kept[0] != generation and wait_for_writer \
                and self._writer_preparing(generation, cache.format(generation)):
            return kept[1]
        if kept is None or kept[0] != generation:
            self._statistics[name] = kept = (generation, load(self.path, reader))
        return kept[1]

    def _writer_preparing(self, generation: int, name: str) -> bool:
        """True while the file `name` of `generation` is not cached yet, within the grace period."""
        if (self.path / name).exists():
            return False
        if self._awaiting is None or self._awaiting[0] != generation:
            self._awaiting = (generation, time.monotonic())
        return time.monotonic() - self._awaiting[1] < SPELLINGS_GRACE_SECONDS

    @cached_property
    def abbreviations(self) -> Abbreviations:
        """The packaged abbreviations plus the engine's extra files, loaded once."""
        try:
            return load_abbreviations(self.abbreviation_files)
        except OSError as error:
            raise AbbreviationsError(kind="abbreviations.unreadable", field="abbreviations", value=error.filename,
                                     hint={"reason": error.strerror}) from error
        except (ValueError, UnicodeDecodeError) as error:
            raise AbbreviationsError(kind="abbreviations.malformed", field="abbreviations",
                                     hint={"reason": str(error)}) from error

    def count(self) -> int:
        """Number of articles in the index."""
        return open_index(self.path).doc_count()

    def optimize(self, *, wait: float = 0.0) -> int:
        """Merge the index into one segment, dropping deleted articles (searches keep working
        meanwhile); returns the number of articles rewritten. Syncs already merge small
        segments as they go: this is for a quiet moment after large changes."""
        from searchkit.indexing.sync import optimize_index

        with _naming_damage(self.path):
            rewritten = optimize_index(self.path, wait)
        self._warm_statistics()
        return rewritten

    def check(self) -> dict:
        """Read every file of the index once: the table of contents, the last commit's
        manifest and every file it lists (size and checksum), each postings file against
        itself, each segment's ids and stored fields, and the caches. Returns {"index",
        "generation", "segments", "articles", "problems", "damaged_segments", "notes"}: no
        problems is a clean index; `notes` name damaged caches (the next search rebuilds them).

        >>> SearchEngine("index").check()["problems"]
        []
        """
        from searchkit.indexing.check import check_index

        return check_index(self.path)

    def repair(self, paths: Iterable[str | os.PathLike] | None = None, *, wait: float = 0.0) -> dict:
        """Drop the damaged segments and re-index their articles from the corpus paths the
        index was synced from (or `paths`), rebuild it from them when its table of contents is
        damaged, remove damaged caches (see `searchkit.indexing.check.repair_index`). Returns
        what was done and what could not be restored (`not_restored`, `problems`)."""
        from searchkit.indexing.check import repair_index

        self.close()
        return repair_index(self.path, list(paths) if paths is not None else None, wait)

    def stats(self) -> dict:
        """Articles, segments, vocabulary, size on disk, schema version, and the manifest of
        the last commit (fields with their analysis, segments with their files)."""
        from searchkit.indexing.check import index_stats

        return index_stats(self.path)


def _docnum(searcher, article_id: str) -> int | None:
    """The document number of an article id (compared with the indexed ids only), or None."""
    from whoosh.query import Term

    return next(iter(searcher.docs_for_query(Term("id", article_id))), None)


def _allowed(searcher, chosen: Filters, size: int):
    """Mask of the documents the filters let through (None: no filter)."""
    import numpy as np

    if not chosen:
        return None
    allowed = np.zeros(size, dtype=bool)
    allowed[list(searcher.docs_for_query(chosen.to_query()))] = True
    return allowed


def _values(searcher, arrays, name: str) -> list:
    """A column's value for every document (None where missing), read whole once per index
    generation and segment by segment: Whoosh's multi-segment column reader leaves out
    segments without the column (no article in them had a date) and then reads past the end
    of the previous one (IndexError)."""
    key = f"column:{name}"
    if key not in arrays.memo:
        values: list = []
        for leaf, _ in segment_leaves(searcher.reader()):
            values += ([v or None for v in leaf.column_reader(name)] if leaf.has_column(name)
                       else [None] * leaf.doc_count_all())
        arrays.memo[key] = values
    return arrays.memo[key]


def _by_date(searcher, arrays, ranked, limit: int, offset: int = 0) -> list[tuple[int, float]]:
    """Newest first, undated last; equal dates by relevance, then doc number."""
    import numpy as np

    docs = np.flatnonzero(ranked.matched)
    days = _days(searcher, arrays)[docs]
    order = np.lexsort((docs, -ranked.scores[docs], -days, days == 0))[offset:offset + limit]
    return [(int(docs[i]), float(ranked.scores[docs[i]])) for i in order]


def _days(searcher, arrays):
    """Every document's date as a number (20100203; 0 when undated), once per generation:
    sorting a whole result list by date is then a numpy sort."""
    import numpy as np

    if "days" not in arrays.memo:
        arrays.memo["days"] = np.array([int(d.replace("-", "")) if d and d[:4].isdigit() else 0
                                        for d in _values(searcher, arrays, "date")], dtype=np.int64)
    return arrays.memo["days"]


def _facet_counts(searcher, arrays, ranked) -> dict[str, dict[str, int]]:
    """Matches by province, year, source and category, most first (ties by name; years newest
    first); articles without the value left out."""
    from collections import Counter

    import numpy as np

    docs = np.flatnonzero(ranked.matched).tolist()
    dates, places = _values(searcher, arrays, "date"), _values(searcher, arrays, "province")
    years = Counter(dates[d][:4] for d in docs if dates[d])
    provinces = Counter(places[d] for d in docs if places[d])
    return {"province": _most_first(dict(provinces)), "year": dict(sorted(years.items(), reverse=True)),
            "source": _keyed_counts(searcher, "source", ranked.matched),
            "category": _keyed_counts(searcher, "category", ranked.matched)}


def _keyed_counts(searcher, name: str, matched) -> dict[str, int]:
    """Matches per source or category, from the `*_key` postings (these are no columns)."""
    from searchkit.searching.filters import keyed_documents

    counts: dict[str, int] = {}
    for spelled, docs in keyed_documents(searcher, name).values():
        count = int(matched[docs].sum())
        if count:
            counts[spelled] = counts.get(spelled, 0) + count
    return _most_first(counts)


def _most_first(counts: dict[str, int]) -> dict[str, int]:
    from searchkit.text.keys import folded_key

    return dict(sorted(counts.items(), key=lambda item: (-item[1], folded_key(item[0]), item[0])))


def _hit(fields: dict, score: float, marks: tuple[Highlighting, Highlighting], snippets: int,
         explanation: Explanation | None = None) -> Hit:
    title = heading(fields.get("title", ""), fields.get("body", ""))  # untitled: the first sentence
    return Hit(
        id=fields["id"], title=title, score=score,
        date=fields.get("date"), source=fields.get("source"), category=fields.get("category"),
        url=fields.get("url"), author=fields.get("author"), province=fields.get("province"),
        title_spans=tuple(marks[0].spans(title)),
        snippets=marks[1].snippets(fields.get("body", ""), count=snippets),
        explanation=explanation,
    )


def _searched(plan: QueryPlan, matches: dict) -> str | None:
    """What was searched when it differs from what was typed: Telex decoded, the did-you-mean,
    and words typed with accents that the index (almost) lacks, searched without them
    (`trám BTS` → `tram BTS`)."""
    text = plan.searched or plan.parsed.text
    fallen = {(m.accented, m.folded) for m in matches.values() if m.fallback}
    if not fallen:
        return plan.searched
    from searchkit.text.syllables import syllables

    pieces, last = [], 0
    for syllable in syllables(text):
        if (syllable.accented, syllable.folded) in fallen:
            pieces += [text[last:syllable.start], fold(text[syllable.start:syllable.end])]
            last = syllable.end
    return "".join(pieces) + text[last:]


def _highlighting(plan: QueryPlan, arrays, matches: dict | None = None) -> tuple[Highlighting, Highlighting]:
    """How to mark titles and bodies: a word typed with accents marks its exact forms (unless
    it fell back to any); a long query's words found in most articles are marked only beside
    a telling word."""
    from searchkit.searching.ranking import COMMON_SHARE, LONG_QUERY, accent_matches

    if matches is None:
        matches = accent_matches(arrays, plan)

    glue: frozenset[str] = frozenset()
    if len(plan.optional) > LONG_QUERY:
        common = arrays.count * COMMON_SHARE
        glue = frozenset(s.folded for c in plan.optional_clauses for s in c.syllables
                         if arrays.document_frequency("body_f", s.folded) > common)
    return plan.highlighting(title=True, glue=glue, matches=matches), plan.highlighting(glue=glue, matches=matches)


def _explanation(ranked, trace, doc: int) -> Explanation:
    from searchkit.searching.ranking import COVERAGE_POWER

    covered = float(trace.coverage[doc]) if trace.coverage is not None else 1.0
    parts = trace.of(doc)
    return Explanation(
        score=float(ranked.scores[doc]), relevance=sum(parts.values()), coverage=covered,
        power=COVERAGE_POWER, complete=bool(trace.complete[doc]) if trace.complete is not None else True,
        first=bool(ranked.first[doc]) if ranked.first is not None else False,
        parts=tuple(parts.items()),
    )
