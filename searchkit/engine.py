"""`SearchEngine`: the library's front door. It checks what the user asked for and runs the
one search pipeline (`searching.pipeline`) on the store it holds: the local index, a
Typesense cluster or memory (`searchkit.backends`, chosen by the location's URL scheme)."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from searchkit.backends import BackendError, choose, open_backend
from searchkit.errors import AbbreviationsError
from searchkit.models import Article, Explanation, IndexReport, Results
from searchkit.searching import pipeline
from searchkit.searching.abbreviations import Abbreviations, load_abbreviations
from searchkit.searching.backend import COMPLETE, OPTIMIZE, REPAIR, SUGGEST, Backend
from searchkit.searching.filters import MAX_OFFSET, Filters, check_page, check_sort
from searchkit.searching.highlight import Highlighting
from searchkit.searching.pipeline import MAX_SNIPPET_HITS
from searchkit.searching.plan import QueryPlan

if TYPE_CHECKING:
    from searchkit.indexing.sync import Progress

__all__ = ["MAX_OFFSET", "MAX_SNIPPET_HITS", "SearchEngine"]


class SearchEngine:
    """Index Vietnamese articles and search them.

    >>> engine = SearchEngine("index")
    >>> engine.index(["corpus"]).added
    5
    >>> engine.search("trạm BTS", limit=3).hits[0].title
    'Nghệ An: Tổng kết công tác TT&TT cụm I'

    The articles live in a store (`searchkit.backends`): the local index at `path` (default),
    or the store a URL names, given as `path` or `backend` (default: $SEARCHKIT_BACKEND), e.g.
    ``typesense://KEY@127.0.0.1:8108/news`` for a search cluster; same methods, same results.

    One engine may be shared by threads (a web server's): on the local index, searches take
    turns on a lock around the open searcher and its decoded arrays. An engine per thread is
    no faster (8 threads in one process: 71 against 154 searches/s; see also bench/serve.py)
    and holds a copy of the decoded postings per thread. To search in parallel, use
    processes, each with its own engine: the memory-mapped postings are shared by the OS.
    """

    def __init__(self, path: str | os.PathLike = "index", *,
                 abbreviations: Iterable[str | os.PathLike] = (), backend: str | None = None):
        """`abbreviations`: extra files in the format of `searchkit/data/abbreviations.tsv`
        (``CNTT<TAB>công nghệ thông tin``), added to the packaged table; read on first search.
        """
        self.location = choose(path, backend)
        self.backend: Backend = open_backend(self.location)
        self.path = Path(path) if self.location == os.fspath(path) else Path("index")
        self.abbreviation_files = tuple(Path(f) for f in abbreviations)

    def __repr__(self) -> str:
        if self.location == os.fspath(self.path):
            return f"SearchEngine({str(self.path)!r})"
        return f"SearchEngine(backend={str(self.backend)!r})"

    @property
    def capabilities(self) -> frozenset[str]:
        """What the store can do besides searching (`searching.backend`: SUGGEST, OPTIMIZE)."""
        return self.backend.capabilities

    def index(self, paths: Iterable[str | os.PathLike], *, rebuild: bool = False,
              remove_missing: bool = True, wait: float = 0.0, workers: int | None = None,
              batch_size: int | None = None, progress: Progress | None = None, follow: bool = False,
              prune: bool = False) -> IndexReport:
        """Sync the store with the articles (`.txt`, `.jsonl`, `.html`, `.md`) under `paths`
        (see `searchkit.indexing.sync`): new ones added, changed ones replaced, vanished ones
        removed, by content hash; `follow`: also what symbolic links outside `paths` lead to;
        `prune`: removing more than half of the store is meant (else a CorpusError)."""
        return self.backend.sync(paths, rebuild=rebuild, remove_missing=remove_missing, wait=wait, workers=workers,
                                 batch_size=batch_size, progress=progress, follow=follow, prune=prune)

    def search(self, query: str, limit: int = 10, *, offset: int = 0, snippets: int = 3,
               since: str | None = None, until: str | None = None, province: str | None = None,
               source: str | None = None, category: str | None = None,
               tag: str | Sequence[str] | None = None, mentions: str | Sequence[str] | None = None,
               sort: str = "relevance", facets: bool = False, explain: bool = False) -> Results:
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
        `category` case and accents optional (one no article has is an error listing the closest);
        `tag` a tag or a list of tags, every one held, case and accents optional (one no
        article has finds nothing); `mentions` a province or a list of them, any spelling, that
        the article names (anywhere, not only as its own province).
        `sort="date"` puts the newest first and undated articles last. `facets=True` counts all
        matches by province, year, source, category, tag and province mentioned in
        `Results.facets`. `explain=True` adds the plan (`Results.plan`) and each hit's score
        breakdown (`Hit.explanation`). Every call
        checks the index's generation and opens a new searcher after a commit, so results
        always reflect the last commit. Safe to call from several threads at once (they take
        turns).

        >>> SearchEngine("index").search("trạm BTS", province="dak nong").hits[0].province
        'Đắk Nông'
        >>> SearchEngine("index").search("Đắk Nông đã làm gì để phát triển trạm BTS?").hits[0].id
        '003_968839511eb7d5a3'
        """
        check_page(limit, offset)
        chosen = Filters.parse(since=since, until=until, province=province, source=source, category=category,
                               tag=tag, mentions=mentions)
        check_sort(sort)
        table = self.abbreviations
        suggest = SUGGEST in self.capabilities
        return self.backend.reading(lambda view: pipeline.search(
            view, table, query, limit=limit, offset=offset, snippets=snippets, chosen=chosen, sort=sort,
            facets=facets, explain=explain, suggest=suggest, name=getattr(self.backend, "name", "")))

    def explain(self, query: str, article_id: str, **filters) -> Explanation | None:
        """Why `article_id` scores what it does for `query` (None when it does not match).

        >>> SearchEngine("index").explain("trạm BTS", "003_968839511eb7d5a3").coverage
        1.0
        """
        chosen = Filters.parse(**filters)
        table = self.abbreviations
        return self.backend.reading(lambda view: pipeline.explain(view, table, query, article_id, chosen))

    def highlighting(self, query: str) -> tuple[Highlighting, Highlighting]:
        """How hits of `query` are marked, for a title and for a body: what a search marks in
        its snippets, to mark a whole article the same way (phrases only where they stand,
        Telex decoded, abbreviations both ways). Raises QueryError as `search` does.

        >>> SearchEngine("index").highlighting("trạm BTS")[1].spans("Hai trạm BTS mới")
        [(4, 12)]
        """
        table, suggest = self.abbreviations, SUGGEST in self.capabilities
        return self.backend.reading(lambda view: pipeline.highlighting(view, table, query, suggest))

    def plan(self, query: str) -> QueryPlan:
        """The query as it will be searched: Telex decoded, abbreviations expanded, required
        and optional words, pairs (see `searchkit.searching.plan`)."""
        table = self.abbreviations
        return self.backend.reading(lambda view: pipeline.make_plan(query, view.vocabulary(query), table))

    def restore_accents(self, text: str) -> str:
        """`text` with accents restored and misspelt words corrected, as the index would
        write it (words typed in lower case in the index's case), without searching
        (did-you-mean uses the same model). BackendError on a store without spelling
        statistics (`capabilities` lacks SUGGEST).

        >>> SearchEngine("index").restore_accents("cntt nghe an")
        'CNTT Nghệ An'
        """
        if SUGGEST not in self.capabilities:
            raise BackendError(kind="backend.no_restore", field="backend", value=str(self.backend))
        table = self.abbreviations
        return self.backend.reading(lambda view: pipeline.restore_accents(view, table, text))

    def complete(self, prefix: str, limit: int = 8) -> list[str]:
        """Words and phrases of the index that complete what is typed, accents optional, most
        written first (`searching.complete`); [] on a store that keeps no completions
        (`capabilities` lacks COMPLETE).

        >>> SearchEngine("index").complete("tram b")
        ['trạm BTS']
        """
        if COMPLETE not in self.capabilities:
            return []
        return self.backend.reading(lambda view: pipeline.complete(view, prefix, limit))

    def article(self, id: str) -> dict | None:
        """The stored fields of the article with this id (full `body` included), or None.

        The id is only ever compared with the store's ids: no path is built from it.

        >>> SearchEngine("index").article("003_968839511eb7d5a3")["province"]
        'Đắk Nông'
        """
        if not isinstance(id, str) or not id:
            return None
        stored = self.backend.reading(lambda view: view.article(id))
        return None if stored is None else Article.from_stored(stored).to_dict()

    def close(self) -> None:
        """Close what the store holds open (searching again reopens it)."""
        self.backend.close()

    def __enter__(self) -> "SearchEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
        """Number of articles in the store."""
        return self.backend.count()

    def optimize(self, *, wait: float = 0.0) -> int:
        """Merge the index into one segment, dropping deleted articles (searches keep working
        meanwhile); returns the number of articles rewritten. Syncs already merge small
        segments as they go: this is for a quiet moment after large changes. BackendError on
        a store that compacts itself (`capabilities` lacks OPTIMIZE)."""
        if OPTIMIZE not in self.capabilities:
            raise BackendError(kind="backend.no_optimize", field="backend", value=str(self.backend))
        return self.backend.optimize(wait)

    def check(self) -> dict:
        """Read every file of the index once: the table of contents, the last commit's
        manifest and every file it lists (size and checksum), each postings file against
        itself, each segment's ids and stored fields, and the caches. Returns {"index",
        "generation", "segments", "articles", "problems", "damaged_segments", "notes"}: no
        problems is a clean index; `notes` name damaged caches (the next search rebuilds them).
        (A cluster reports its nodes' health instead.)

        >>> SearchEngine("index").check()["problems"]
        []
        """
        return self.backend.check()

    def repair(self, paths: Iterable[str | os.PathLike] | None = None, *, wait: float = 0.0) -> dict:
        """Drop the damaged segments and re-index their articles from the corpus paths the
        index was synced from (or `paths`), rebuild it from them when its table of contents is
        damaged, remove damaged caches (see `searchkit.indexing.check.repair_index`). Returns
        what was done and what could not be restored (`not_restored`, `problems`). BackendError
        on a store that repairs itself (`capabilities` lacks REPAIR)."""
        if REPAIR not in self.capabilities:
            raise BackendError(kind="backend.no_optimize", field="backend", value=str(self.backend))
        return self.backend.repair(list(paths) if paths is not None else None, wait)

    def stats(self) -> dict:
        """Articles, segments, vocabulary, size on disk, schema version, and the manifest of
        the last commit (fields with their analysis, segments with their files); a cluster's
        articles and nodes."""
        return self.backend.stats()
