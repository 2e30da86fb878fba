"""`SearchEngine`: the library's front door, indexing and searching one index directory."""

from __future__ import annotations

import os
import unicodedata
from bisect import bisect_right
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from searchkit.abbreviations import Abbreviations, load_abbreviations
from searchkit.errors import AbbreviationsError, IndexDamagedError
from searchkit.filters import Filters, check_known, check_page, check_sort
from searchkit.highlight import make_snippets, match_spans
from searchkit.store import open_index
from searchkit.models import Hit, IndexReport, Results
from searchkit.query import ParsedQuery, parse_query
from searchkit.rewrite import Vocabulary, decode_typing, expand_abbreviations, typed_as_abbreviation
from searchkit.suggest import Spellings, Suggester, load_spellings, spelling_evidence
from searchkit.text.fold import has_marks
from searchkit.text.normalize import normalize_text

if TYPE_CHECKING:
    from searchkit.indexer import Progress


class SearchEngine:
    """Index Vietnamese articles and search them.

    >>> engine = SearchEngine("index")
    >>> engine.index(["corpus"]).added
    5
    >>> engine.search("trạm BTS", limit=3).hits[0].title
    'Nghệ An: Tổng kết công tác TT&TT cụm I'
    """

    def __init__(self, path: str | os.PathLike = "index", *,
                 abbreviations: Iterable[str | os.PathLike] = ()):
        """`abbreviations`: extra files in the format of `searchkit/data/abbreviations.tsv`
        (``CNTT<TAB>công nghệ thông tin``), added to the packaged table; read on first search.
        """
        self.path = Path(path)
        self.abbreviation_files = tuple(Path(f) for f in abbreviations)
        self._spellings: tuple[int, Spellings] | None = None
        self._arrays: tuple[int, object] | None = None
        self._searcher: tuple[int, object] | None = None
        self._vocabulary: tuple[object, Vocabulary] | None = None

    def __repr__(self) -> str:
        return f"SearchEngine({str(self.path)!r})"

    def index(self, paths: Iterable[str | os.PathLike], *, rebuild: bool = False,
              remove_missing: bool = True, wait: float = 0.0, workers: int | None = None,
              batch_size: int = 2000, progress: Progress | None = None, follow: bool = False) -> IndexReport:
        """Sync the index with the articles (`.txt`, `.jsonl`, `.html`, `.md`) under `paths`
        (see `indexer.sync`); `follow`: also what symbolic links outside `paths` lead to."""
        from searchkit.indexer import sync  # the indexing machinery: not on the query path

        report = sync(self.path, paths, rebuild=rebuild, remove_missing=remove_missing, wait=wait,
                      workers=workers, batch_size=batch_size, progress=progress, follow=follow)
        if report.total:
            with open_index(self.path).reader() as reader:  # so that no query pays for it
                self._load_spellings(reader)
        return report

    def search(self, query: str, limit: int = 10, *, snippets: int = 3, since: str | None = None,
               until: str | None = None, province: str | None = None, source: str | None = None,
               category: str | None = None, sort: str = "relevance", facets: bool = False,
               offset: int = 0) -> Results:
        """Search; raises QueryError for a query with nothing to look for (or too long), or a
        `limit` (1–1000) or `offset` (0–10,000) out of range, FilterError for a bad filter.

        Filters: `since`/`until` take `2010`, `2010-02`, `2010-02-03` or `03/02/2010` (articles
        without a date are then left out); `province` any spelling ('dak nong'); `source` and
        `category` case and accents optional (one no article has is an error listing the closest).
        `sort="date"` puts the newest first and undated articles last. `facets=True` counts all
        matches by province, year, source and category in `Results.facets`. `offset` skips that
        many hits (the next page: `offset=10`). Every call checks the index's generation and
        opens a new searcher after a commit, so results always reflect the last commit. Not
        thread-safe: use one engine per thread.

        >>> SearchEngine("index").search("trạm BTS", province="dak nong").hits[0].province
        'Đắk Nông'
        >>> SearchEngine("index").search("trạm BTS", facets=True).facets["province"]
        {'An Giang': 1, 'Đắk Nông': 1, 'Nghệ An': 1}
        """
        check_page(limit, offset)
        parsed = parse_query(query)
        chosen = Filters.parse(since=since, until=until, province=province, source=source, category=category)
        check_sort(sort)
        table = self.abbreviations
        from searchkit.ranking import rank

        searcher = self._current_searcher()
        check_known(searcher, chosen)
        arrays = self._arrays_for(searcher.reader())
        vocabulary = self._vocabulary_for(arrays)
        searched, parsed = self._rewrite(query, parsed, vocabulary, table)
        ranked = rank(arrays, parsed, _allowed(searcher, chosen, arrays.size))
        best = _by_date(searcher, ranked, limit + offset) if sort == "date" else ranked.top(limit + offset)
        best = best[offset:]
        hits = tuple(_hit(searcher.stored_fields(doc), score, parsed, snippets) for doc, score in best)
        suggestion = self._suggest(searcher, vocabulary, table, hits, searched or query)
        return Results(query=query, total=ranked.total, hits=hits, searched=searched, suggestion=suggestion,
                       facets=_facet_counts(searcher, ranked) if facets else {})

    @staticmethod
    def _rewrite(query: str, parsed: ParsedQuery, vocabulary: Vocabulary,
                 table: Abbreviations) -> tuple[str | None, ParsedQuery]:
        """Telex/VNI words decoded ('truyeenf' → 'truyền'; the text searched, or None when
        unchanged) and abbreviation alternatives added."""
        text = normalize_text(unicodedata.normalize("NFC", query)).strip()
        decoded = decode_typing(text, vocabulary)
        searched = decoded if decoded != text else None
        return searched, expand_abbreviations(parse_query(searched) if searched else parsed, table)

    def _suggest(self, searcher, vocabulary: Vocabulary, table: Abbreviations, hits, typed: str) -> str | None:
        """Did-you-mean for what was searched: accents restored, misspellings corrected."""
        typed = normalize_text(unicodedata.normalize("NFC", typed)).strip()
        suggester = Suggester(
            vocabulary.frequency, vocabulary.accented_frequency,
            lambda: self._load_spellings(searcher.reader()),
            spelling_evidence(hits) if not has_marks(typed) else None,
            keep=lambda word: typed_as_abbreviation(word, table),
        )
        return suggester.suggest(typed)

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
            raise IndexDamagedError(
                f"cannot read the index at {self.path} ({type(error).__name__}: {error}); it may be damaged: "
                f"rebuild it with: searchkit index --rebuild --index {self.path} CORPUS"
            ) from error

    def _open_searcher(self):
        ix = open_index(self.path)
        generation = ix.latest_generation()
        if self._searcher is None or self._searcher[0] != generation:
            self.close()
            self._searcher = (generation, ix.searcher())
        return self._searcher[1]

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
        from searchkit.ranking import IndexArrays

        generation = reader.generation()
        cached = self._arrays
        if cached is None or cached[0] != generation or cached[1].oversized():
            self._arrays = (generation, IndexArrays(reader))
        else:
            cached[1].rebind(reader)
        return self._arrays[1]

    def _vocabulary_for(self, arrays) -> Vocabulary:
        """Document frequencies for query rewriting, memoised with the arrays' generation."""
        if self._vocabulary is None or self._vocabulary[0] is not arrays:
            self._vocabulary = (arrays, Vocabulary(lambda field, term: len(arrays.postings(field, term)[0])))
        return self._vocabulary[1]

    def _load_spellings(self, reader) -> Spellings:
        """The did-you-mean statistic of the reader's generation, kept while it is current."""
        generation = reader.generation()
        if self._spellings is None or self._spellings[0] != generation:
            self._spellings = (generation, load_spellings(self.path, reader))
        return self._spellings[1]

    @cached_property
    def abbreviations(self) -> Abbreviations:
        """The packaged abbreviations plus the engine's extra files, loaded once."""
        try:
            return load_abbreviations(self.abbreviation_files)
        except OSError as error:
            raise AbbreviationsError(
                f"cannot read the abbreviations file {error.filename}: {error.strerror}"
            ) from error
        except (ValueError, UnicodeDecodeError) as error:
            raise AbbreviationsError(
                f"{error}; fix the file (one 'ABBREVIATION<TAB>expansion' a line, UTF-8)"
            ) from error

    def count(self) -> int:
        """Number of articles in the index."""
        return open_index(self.path).doc_count()

    def stats(self) -> dict:
        """Articles, segments, size on disk and schema version of the index."""
        from searchkit.schema import SCHEMA_VERSION

        ix = open_index(self.path)
        with ix.reader() as reader:
            articles = reader.doc_count()
            segments = len(ix._segments())
            vocabulary = sum(1 for _ in reader.lexicon("body_f"))
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return {"index": str(self.path), "articles": articles, "segments": segments,
                "vocabulary": vocabulary, "size_bytes": size, "schema_version": SCHEMA_VERSION}


def _allowed(searcher, chosen: Filters, size: int):
    """Mask of the documents the filters let through (None: no filter)."""
    import numpy as np

    if not chosen:
        return None
    allowed = np.zeros(size, dtype=bool)
    allowed[list(searcher.docs_for_query(chosen.to_query()))] = True
    return allowed


def _column(searcher, name: str, docs) -> list:
    """Values of a column for global doc numbers, None where missing. Read per segment:
    Whoosh's multi-segment column reader leaves out segments without the column (no article
    in them had a date) and then reads past the end of the previous one (IndexError)."""
    reader = searcher.reader()
    leaves = [(reader, 0)] if reader.is_atomic() else reader.leaf_readers()
    starts = [start for _, start in leaves]
    columns = [leaf.column_reader(name) if leaf.has_column(name) else None for leaf, _ in leaves]
    values = []
    for doc in docs:
        i = bisect_right(starts, int(doc)) - 1
        column = columns[i]
        values.append((column[int(doc) - starts[i]] or None) if column is not None else None)
    return values


def _by_date(searcher, ranked, limit: int) -> list[tuple[int, float]]:
    """Newest first, undated last; equal dates by relevance."""
    import numpy as np

    docs = np.flatnonzero(ranked.matched)
    dates = _column(searcher, "date", docs)
    order = sorted(range(len(docs)), key=lambda i: (dates[i] is None, _negated(dates[i]), -ranked.scores[docs[i]], docs[i]))
    return [(int(docs[i]), float(ranked.scores[docs[i]])) for i in order[:limit]]


def _negated(day: str | None) -> tuple[int, ...]:
    return tuple(-ord(c) for c in day or "")


def _facet_counts(searcher, ranked) -> dict[str, dict[str, int]]:
    """Matches by province, year, source and category, most first (ties by name; years newest
    first); articles without the value left out."""
    import numpy as np

    docs = np.flatnonzero(ranked.matched)
    years: dict[str, int] = {}
    for day in _column(searcher, "date", docs):
        if day:
            years[day[:4]] = years.get(day[:4], 0) + 1
    provinces: dict[str, int] = {}
    for name in _column(searcher, "province", docs):
        if name:
            provinces[name] = provinces.get(name, 0) + 1
    return {"province": _most_first(provinces), "year": dict(sorted(years.items(), reverse=True)),
            "source": _keyed_counts(searcher, "source", ranked.matched),
            "category": _keyed_counts(searcher, "category", ranked.matched)}


def _keyed_counts(searcher, name: str, matched) -> dict[str, int]:
    """Matches per source or category, from the `*_key` postings (these are no columns)."""
    from searchkit.filters import keyed_documents

    counts: dict[str, int] = {}
    for spelled, docs in keyed_documents(searcher, name).values():
        count = int(matched[docs].sum())
        if count:
            counts[spelled] = counts.get(spelled, 0) + count
    return _most_first(counts)


def _most_first(counts: dict[str, int]) -> dict[str, int]:
    from searchkit.text.keys import folded_key

    return dict(sorted(counts.items(), key=lambda item: (-item[1], folded_key(item[0]), item[0])))


def _hit(fields: dict, score: float, parsed: ParsedQuery, snippets: int) -> Hit:
    title = fields.get("title", "")
    return Hit(
        id=fields["id"], title=title, score=score,
        date=fields.get("date"), source=fields.get("source"), category=fields.get("category"),
        url=fields.get("url"), author=fields.get("author"), province=fields.get("province"),
        title_spans=tuple(match_spans(title, parsed.highlight_terms(title=True))),
        snippets=make_snippets(fields.get("body", ""), parsed.highlight_terms(), count=snippets),
    )
