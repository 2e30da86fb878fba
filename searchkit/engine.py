"""`SearchEngine`: the library's front door, indexing and searching one index directory."""

from __future__ import annotations

import os
import unicodedata
from functools import cached_property
from pathlib import Path
from typing import Iterable

from searchkit.abbreviations import Abbreviations, load_abbreviations
from searchkit.errors import AbbreviationsError
from searchkit.highlight import make_snippets, match_spans
from searchkit.indexer import Progress, open_index, sync
from searchkit.models import Hit, IndexReport, Results
from searchkit.query import ParsedQuery, build_query, parse_query
from searchkit.rewrite import Vocabulary, decode_typing, expand_abbreviations, typed_as_abbreviation
from searchkit.suggest import Spellings, Suggester, load_spellings, spelling_evidence
from searchkit.text.fold import has_marks
from searchkit.text.normalize import normalize_text

#: BM25F parameters: titles are short, so length normalisation matters less there.
BM25_K1 = 1.2
BM25_B = {"body": 0.75, "body_f": 0.75, "title": 0.5, "title_f": 0.5}


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

    def __repr__(self) -> str:
        return f"SearchEngine({str(self.path)!r})"

    def index(self, paths: Iterable[str | os.PathLike], *, rebuild: bool = False,
              remove_missing: bool = True, wait: float = 0.0, workers: int | None = None,
              batch_size: int = 2000, progress: Progress | None = None) -> IndexReport:
        """Sync the index with the `.txt` / `.jsonl` articles under `paths` (see `indexer.sync`)."""
        report = sync(self.path, paths, rebuild=rebuild, remove_missing=remove_missing, wait=wait,
                      workers=workers, batch_size=batch_size, progress=progress)
        if report.total:
            with open_index(self.path).reader() as reader:  # so that no query pays for it
                self._load_spellings(reader)
        return report

    def search(self, query: str, limit: int = 10, *, snippets: int = 3) -> Results:
        """Search; raises QueryError for a query with nothing to look for.

        A fresh searcher is opened for every call, so results always reflect the last commit.
        """
        parsed = parse_query(query)
        if limit < 1:
            raise ValueError("limit must be at least 1")
        table = self.abbreviations
        ix = open_index(self.path)
        with ix.searcher(weighting=_weighting()) as searcher:
            vocabulary = Vocabulary(searcher.reader())
            text = normalize_text(unicodedata.normalize("NFC", query)).strip()
            decoded = decode_typing(text, vocabulary)
            searched = decoded if decoded != text else None
            if searched:
                parsed = parse_query(decoded)
            parsed = expand_abbreviations(parsed, table)
            found = searcher.search(build_query(parsed), limit=limit)
            hits = tuple(_hit(result, parsed, snippets) for result in found)
            total = len(found)
            effective = searched or text
            suggester = Suggester(
                vocabulary.frequency, vocabulary.accented_frequency,
                lambda: self._load_spellings(searcher.reader()),
                spelling_evidence(hits) if not has_marks(effective) else None,
                keep=lambda word: typed_as_abbreviation(word, table),
            )
            suggestion = suggester.suggest(effective)
        return Results(query=query, total=total, hits=hits, searched=searched, suggestion=suggestion)

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


def _weighting():
    from whoosh.scoring import BM25F

    return BM25F(K1=BM25_K1, B=0.75, **{f"{name}_B": value for name, value in BM25_B.items()})


def _hit(result, parsed: ParsedQuery, snippets: int) -> Hit:
    fields = result.fields()
    title = fields.get("title", "")
    return Hit(
        id=fields["id"], title=title, score=float(result.score),
        date=fields.get("date"), source=fields.get("source"), category=fields.get("category"),
        url=fields.get("url"), author=fields.get("author"), province=fields.get("province"),
        title_spans=tuple(match_spans(title, parsed.highlight_terms(title=True))),
        snippets=make_snippets(fields.get("body", ""), parsed.highlight_terms(), count=snippets),
    )
