"""The engines the bench scripts compare, behind one small interface.

    engine = Fts5Engine(path)           # or TantivyEngine(path), SearchkitEngine(path)
    engine.build(records)               # records: dicts with id, title (may be None), body
    engine.search("trạm BTS", limit=10, snippets=True) -> [ids]
    engine.size_bytes()

`index_corpus(path)` builds from a JSONL file (searchkit reads the file itself; the peers parse it
and call build()). `exists()` says whether an index is already at the path.

How the peers are configured (so a reader can judge the comparison):
- User input is NFC-normalized before it reaches either peer, and so are the documents. That is
  ordinary hygiene any integrator would add; without it tantivy's tokenizer splits decomposed (NFD)
  text at every combining mark.
- The query string is read as words and "quoted phrases"; a word that holds punctuation (4G/5G)
  becomes a phrase of its parts. Every piece is quoted, so no user input can be a syntax error.
- Modes (the same built index serves every mode; a mode never rebuilds):
  - "and_or" (default, keys `fts5`, `tantivy`): all pieces are required first (AND); when that
    finds fewer than `limit` documents the list is filled from an OR of the pieces. A pure AND
    returns nothing for a query with one mistyped or foreign word (Telex, abbreviations).
  - "or" (keys `fts5_or`, `tantivy_or`): a pure OR of the pieces, ranked by BM25 — what an
    integrator does for questions, where no word should be required.
  - "or_phrase" (tantivy only, key `tantivy_or_phrase`): the OR of the pieces plus, for every run
    of two or more words typed without quotes, that run as a phrase boosted ×3
    (`"chữ ký số"^3 "chữ" "ký" "số"`): Lucene-style phrase boosting for unquoted concepts.
- Title counts double: FTS5 `bm25(docs, 2.0, 1.0)`, tantivy `field_boosts={"title": 2.0}`.
- Folding: FTS5 `unicode61 remove_diacritics 2`; tantivy a registered analyzer
  simple tokenizer → lowercase → ascii_fold (which maps đ→d too).
"""

from __future__ import annotations

import inspect
import re
import sqlite3
import sys
import time
import unicodedata
from pathlib import Path
from typing import Iterable, Sequence

from common import dir_size, is_built, read_records, record_built, remove_path, words

_PIECE = re.compile(r'"([^"]*)"|(\S+)')
MODES = ("and_or", "or", "or_phrase")


def parse_user_query(query: str) -> list[list[str]]:
    """Split a user string into pieces: each piece is a list of words (more than one = phrase).
    Punctuation ('?', ',') is not a word, so questions are safe to pass.

    >>> parse_user_query('"trạm BTS" Viettel 4G/5G "lẻ')
    [['trạm', 'BTS'], ['Viettel'], ['4G', '5G'], ['lẻ']]
    """
    return [piece for piece, _quoted in _pieces(query)]


def typed_runs(query: str) -> list[list[str]]:
    """Runs of consecutive words typed without quotes (a quoted phrase ends a run).

    >>> typed_runs('Đắk Nông đã làm gì để phát triển "trạm BTS"?')
    [['Đắk', 'Nông', 'đã', 'làm', 'gì', 'để', 'phát', 'triển']]
    """
    runs: list[list[str]] = [[]]
    for piece, quoted in _pieces(query):
        if quoted:
            runs.append([])
        else:
            runs[-1].extend(piece)
    return [run for run in runs if run]


def _pieces(query: str) -> list[tuple[list[str], bool]]:
    query = unicodedata.normalize("NFC", query)
    if query.count('"') % 2:  # an unbalanced quote is read as a plain character
        i = query.rfind('"')
        query = query[:i] + " " + query[i + 1:]
    pieces = []
    for m in _PIECE.finditer(query):
        quoted = m.group(1) is not None
        ws = words(m.group(1) if quoted else m.group(2))
        if ws:
            pieces.append((ws, quoted))
    return pieces


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


class PeerEngine:
    """What every engine in the comparison offers."""

    name = "?"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.exists()

    def build(self, records: Sequence[dict]) -> None:
        raise NotImplementedError

    def index_corpus(self, corpus: Path) -> None:
        self.build(read_records(corpus))

    def search(self, query: str, limit: int = 10, snippets: bool = True) -> list[str]:
        raise NotImplementedError

    def size_bytes(self) -> int:
        return dir_size(self.path) + sum(dir_size(Path(str(self.path) + s)) for s in ("-wal", "-shm")
                                         if Path(str(self.path) + s).exists())

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- SQLite FTS5


class Fts5Engine(PeerEngine):
    """SQLite FTS5, unicode61 with diacritics removed, ranked by bm25 with the title weighted ×2."""

    SNIPPET_SQL = "snippet(docs, 1, '[', ']', '…', 16)"

    def __init__(self, path: Path, mode: str = "and_or") -> None:
        super().__init__(path)
        if mode not in ("and_or", "or"):
            raise ValueError(f"FTS5 mode must be 'and_or' or 'or', not {mode!r}")
        self.mode = mode
        self.name = "FTS5" if mode == "and_or" else "FTS5 OR"
        self._db: sqlite3.Connection | None = None
        self.last_snippets: list[str] = []

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(str(self.path))
        return self._db

    def build(self, records: Sequence[dict]) -> None:
        self.close()
        remove_path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self._conn()
        db.execute("CREATE VIRTUAL TABLE docs USING fts5("
                   "title, body, id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')")
        with db:
            db.executemany("INSERT INTO docs(title, body, id) VALUES (?, ?, ?)",
                           ((_nfc(r.get("title")), _nfc(r.get("body")), r["id"]) for r in records))
        with db:
            db.execute("INSERT INTO docs(docs) VALUES ('optimize')")

    @staticmethod
    def match_expression(pieces: list[list[str]], operator: str) -> str:
        quoted = ['"' + " ".join(p).replace('"', '""') + '"' for p in pieces]
        return f" {operator} ".join(quoted)

    def search(self, query: str, limit: int = 10, snippets: bool = True) -> list[str]:
        pieces = parse_user_query(query)
        self.last_snippets = []
        if not pieces:
            return []
        cols = f"id, {self.SNIPPET_SQL}" if snippets else "id, ''"
        sql = f"SELECT {cols} FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 2.0, 1.0) LIMIT ?"
        db = self._conn()
        first = "OR" if self.mode == "or" else "AND"
        rows = db.execute(sql, (self.match_expression(pieces, first), limit)).fetchall()
        if self.mode == "and_or" and len(rows) < limit and len(pieces) > 1:
            seen = {r[0] for r in rows}
            more = db.execute(sql, (self.match_expression(pieces, "OR"), limit + len(rows))).fetchall()
            rows += [r for r in more if r[0] not in seen][: limit - len(rows)]
        self.last_snippets = [r[1] for r in rows]
        return [r[0] for r in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# --------------------------------------------------------------------------- tantivy


class TantivyEngine(PeerEngine):
    """tantivy with a lowercase + ASCII-folding analyzer on title and body, title boosted ×2."""

    ANALYZER = "vi_fold"
    NAMES = {"and_or": "tantivy", "or": "tantivy OR", "or_phrase": "tantivy OR+phrase"}
    PHRASE_BOOST = 3

    def __init__(self, path: Path, mode: str = "and_or") -> None:
        super().__init__(path)
        if mode not in MODES:
            raise ValueError(f"tantivy mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.name = self.NAMES[mode]
        self._index = None
        self._searcher = None
        self.last_snippets: list[str] = []
        self.parse_fallbacks = 0

    def exists(self) -> bool:
        return (self.path / "meta.json").exists()

    @staticmethod
    def _analyzer():
        import tantivy
        return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.lowercase())
                .filter(tantivy.Filter.ascii_fold())
                .build())

    def _schema(self):
        import tantivy
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name=self.ANALYZER)
        sb.add_text_field("body", stored=True, tokenizer_name=self.ANALYZER)
        return sb.build()

    def _open(self, create: bool = False):
        import tantivy
        if self._index is None or create:
            self.path.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self._schema(), path=str(self.path), reuse=not create)
            self._index.register_tokenizer(self.ANALYZER, self._analyzer())
            self._searcher = None
        return self._index

    def build(self, records: Sequence[dict]) -> None:
        import tantivy
        self.close()
        remove_path(self.path)
        index = self._open(create=True)
        writer = index.writer()  # default heap; num_threads=0 lets tantivy pick (2 on this machine)
        for r in records:
            writer.add_document(tantivy.Document(id=r["id"], title=_nfc(r.get("title")), body=_nfc(r.get("body"))))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()

    def _query(self, pieces: list[list[str]], conjunction: bool, phrases: list[list[str]] = ()):
        """Every piece quoted (words are \\w+ only: nothing to escape); `phrases` are added as
        boosted phrase clauses ('"chữ ký số"^3')."""
        index = self._open()
        boosted = [f'"{" ".join(p)}"^{self.PHRASE_BOOST}' for p in phrases if len(p) > 1]
        text = " ".join(boosted + ['"' + " ".join(p) + '"' for p in pieces])
        try:
            return index.parse_query(text, ["title", "body"], field_boosts={"title": 2.0},
                                     conjunction_by_default=conjunction)
        except ValueError:
            self.parse_fallbacks += 1
            return self._term_query(pieces, conjunction)

    def _term_query(self, pieces: list[list[str]], conjunction: bool):
        """Plain term queries built without the parser: the fallback when parsing fails."""
        import tantivy
        schema = self._open().schema
        analyzer = self._analyzer()
        clauses = []
        for piece in pieces:
            for token in analyzer.analyze(" ".join(piece)):
                per_field = [(tantivy.Occur.Should, tantivy.Query.boost_query(
                    tantivy.Query.term_query(schema, "title", token), 2.0)),
                    (tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", token))]
                clauses.append((tantivy.Occur.Must if conjunction else tantivy.Occur.Should,
                                tantivy.Query.boolean_query(per_field)))
        return tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.empty_query()

    def _searcher_(self):
        if self._searcher is None:
            self._searcher = self._open().searcher()
        return self._searcher

    def search(self, query: str, limit: int = 10, snippets: bool = True) -> list[str]:
        pieces = parse_user_query(query)
        self.last_snippets = []
        if not pieces:
            return []
        searcher = self._searcher_()
        phrases = typed_runs(query) if self.mode == "or_phrase" else []
        q = self._query(pieces, conjunction=self.mode == "and_or", phrases=phrases)
        hits = searcher.search(q, limit, count=False).hits
        if self.mode == "and_or" and len(hits) < limit and len(pieces) > 1:
            q = self._query(pieces, conjunction=False)  # its terms highlight every hit's snippet
            seen = {(a.segment_ord, a.doc) for _, a in hits}
            more = searcher.search(q, limit + len(hits), count=False).hits
            hits = hits + [h for h in more if (h[1].segment_ord, h[1].doc) not in seen][: limit - len(hits)]
        docs = [searcher.doc(addr) for _score, addr in hits]
        if snippets and docs:
            import tantivy
            gen = tantivy.SnippetGenerator.create(searcher, q, self._open().schema, "body")
            gen.set_max_num_chars(150)
            self.last_snippets = [gen.snippet_from_doc(d).fragment() for d in docs]
        return [d["id"][0] for d in docs]

    def close(self) -> None:
        self._searcher = None
        self._index = None


# --------------------------------------------------------------------------- searchkit


class SearchkitEngine(PeerEngine):
    """searchkit's public API behind the same interface (imported lazily: it may not exist yet)."""

    name = "searchkit"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._engine = None
        self._search_kwargs: dict | None = None
        self.last_snippets: list = []
        self.query_errors = 0

    @staticmethod
    def available() -> bool:
        try:
            from searchkit import SearchEngine  # noqa: F401
        except Exception:
            return False
        return True

    def engine(self):
        if self._engine is None:
            from searchkit import SearchEngine
            self._engine = SearchEngine(str(self.path))
        return self._engine

    def exists(self) -> bool:
        """An index this searchkit can read (one from an older schema version needs a rebuild)."""
        from searchkit import SearchkitError
        try:
            self.engine().count()
        except SearchkitError:
            return False
        return True

    def index_paths(self, paths: Iterable[Path], rebuild: bool = False):
        """Run searchkit's own sync; returns its IndexReport."""
        return self.engine().index([str(p) for p in paths], rebuild=rebuild)

    def index_corpus(self, corpus: Path) -> None:
        self.close()
        remove_path(self.path)
        self.index_paths([corpus], rebuild=True)

    def build(self, records: Sequence[dict]) -> None:
        """searchkit reads files, so the records are written to a JSONL beside the index first."""
        from common import write_records
        source = self.path.parent / (self.path.name + "-input.jsonl")
        write_records(source, records)
        self.index_corpus(source)

    def search(self, query: str, limit: int = 10, snippets: bool = True) -> list[str]:
        from searchkit import QueryError

        engine = self.engine()
        if self._search_kwargs is None:  # `snippets` is a count in searchkit; 0 turns them off
            takes_snippets = "snippets" in inspect.signature(engine.search).parameters
            self._search_kwargs = {"snippets": 0} if takes_snippets else {}
        kwargs = {} if snippets else self._search_kwargs
        try:
            results = engine.search(query, limit=limit, **kwargs)
        except QueryError:  # nothing to look for in the query: no hits, as the peers answer
            self.query_errors += 1
            return []
        hits = list(results.hits)
        self.last_snippets = [h.snippets for h in hits] if snippets else []
        return [h.id for h in hits]

    def close(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None and hasattr(engine, "close"):
            engine.close()


ENGINES = {"searchkit": SearchkitEngine, "fts5": Fts5Engine, "tantivy": TantivyEngine}
INDEX_NAMES = {"searchkit": "searchkit-index", "fts5": "fts5.sqlite", "tantivy": "tantivy-index"}
#: Engine keys that are another engine's index searched in another mode.
MODE_KEYS = {"fts5_or": ("fts5", "or"), "tantivy_or": ("tantivy", "or"),
             "tantivy_or_phrase": ("tantivy", "or_phrase")}


def base_key(key: str) -> str:
    """The engine whose index `key` searches ('tantivy_or' → 'tantivy')."""
    return MODE_KEYS.get(key, (key, None))[0]


def engine_at(workdir: Path, key: str) -> PeerEngine:
    """The engine `key` with its index at the standard place in the workdir."""
    base, mode = MODE_KEYS.get(key, (key, None))
    path = Path(workdir) / INDEX_NAMES[base]
    return ENGINES[base](path, mode=mode) if mode else ENGINES[base](path)


def ensure_index(key: str, corpus: Path, workdir: Path, fingerprint: str) -> PeerEngine:
    """The engine's index in the workdir, built from `corpus` unless indexing.py already did that
    (a mode key reuses its base engine's index)."""
    engine, base = engine_at(workdir, key), base_key(key)
    if not (is_built(workdir, base, fingerprint) and engine.exists()):
        print(f"building the {base} index in {workdir} ...", file=sys.stderr)
        record_built(workdir, base, None)
        engine.index_corpus(corpus)
        record_built(workdir, base, fingerprint)
    return engine


# --------------------------------------------------------------------------- searchkit on Typesense


class TypesenseBackendEngine(SearchkitEngine):
    """searchkit with its articles in a Typesense collection (`SearchEngine(backend=URL)`): the
    same analysis and query understanding, Typesense for storage and candidates. What it was
    built from is recorded in `state_dir` (beside the server's data, not in the workdir, which
    may hold read-only local indexes)."""

    name = "searchkit on Typesense"

    def __init__(self, url: str, state_dir: Path) -> None:
        super().__init__(Path(state_dir))
        self.url = url
        self.state = Path(state_dir) / "built.json"

    def engine(self):
        if self._engine is None:
            from searchkit import SearchEngine
            self._engine = SearchEngine(backend=self.url)
        return self._engine

    def built_from(self) -> str | None:
        import json
        try:
            state = json.loads(self.state.read_text())
        except (OSError, ValueError):
            return None
        same = state.get("collection") == self.collection_name and state.get("layout") == _typesense_layout()
        return state.get("fingerprint") if same else None

    @property
    def collection_name(self) -> str:
        """The collection (a local server's port changes from run to run; its data does not)."""
        return self.url.rsplit("/", 1)[-1]

    def index_corpus(self, corpus: Path, fingerprint: str | None = None):
        self.state.unlink(missing_ok=True)
        report = self.engine().index([str(corpus)], rebuild=True)
        if fingerprint:
            self.record_built(fingerprint)
        return report

    def record_built(self, fingerprint: str) -> None:
        """Note that the collection holds the corpus of this fingerprint (`ensure` reads it)."""
        import json

        self.state.parent.mkdir(parents=True, exist_ok=True)
        self.state.write_text(json.dumps({"collection": self.collection_name, "fingerprint": fingerprint,
                                          "layout": _typesense_layout()}))

    def ensure(self, corpus: Path, fingerprint: str) -> "TypesenseBackendEngine":
        """Build the collection unless it holds this corpus already."""
        if self.built_from() != fingerprint or not self.exists():
            print(f"building the Typesense collection {self.url.split('@')[-1]} ...", file=sys.stderr)
            report = self.index_corpus(corpus, fingerprint)
            print(f"  built in {report.seconds:.1f}s: {report.total} articles", file=sys.stderr)
        return self

    def size_bytes(self) -> int:
        return dir_size(self.path)


def _typesense_layout() -> int:
    """How this searchkit lays out a Typesense store (a collection of another layout is rebuilt)."""
    from searchkit.backends.typesense import LAYOUT

    return LAYOUT


def typesense_from_args(args, workdir: Path):
    """(engine, server or None) for --backend URL or --typesense (a local server started for
    this run, its data kept in --typesense-dir so the next run reuses the collection)."""
    if not (getattr(args, "backend", None) or getattr(args, "typesense", False)):
        return None, None
    state_dir = Path(args.typesense_dir or Path(workdir) / "typesense").resolve()
    server = None
    url = args.backend
    if not url:
        from searchkit.backends.typesense_server import LocalTypesense
        server = LocalTypesense(state_dir, nodes=1)
        server.start()
        url = server.url("searchkit_bench")
        _wait_until_loaded(url)
    return TypesenseBackendEngine(url, state_dir), server


def _wait_until_loaded(url: str, settle: int = 5, limit: float = 600.0) -> None:
    """A restarted server answers before it has loaded its collection from disk, and the
    first queries would then miss articles: wait until the count holds still (`settle`
    polls a second apart)."""
    from searchkit import SearchEngine

    engine, last, still, started = SearchEngine(backend=url), -1, 0, time.monotonic()
    while still < settle and time.monotonic() < started + limit:
        try:
            count = engine.count()
        except Exception:  # noqa: BLE001 - no collection (yet): a first run builds it
            count = -1
        if count < 0 and time.monotonic() > started + 30:
            return  # nothing to load
        still = still + 1 if count == last and count > 0 else 0
        last = count
        time.sleep(1.0)


def add_typesense_options(parser) -> None:
    parser.add_argument("--backend", help="also measure searchkit on this backend "
                        "(typesense://KEY@HOST:PORT/COLLECTION)")
    parser.add_argument("--typesense", action="store_true",
                        help="also measure searchkit on a local Typesense server started for this run")
    parser.add_argument("--typesense-dir", type=Path, help="the local server's data (default: WORKDIR/typesense)")
