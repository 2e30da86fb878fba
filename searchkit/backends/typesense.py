"""searchkit on a Typesense cluster: `SearchEngine(backend="typesense://KEY@HOST:PORT,…/COLLECTION")`.

Typesense stores, replicates (Raft: every node holds every article) and finds; searchkit keeps
what makes Vietnamese work:

- **Indexing** reads and analyses the corpus exactly as the local index does; each article
  goes in with its token fields pre-analysed — folded syllables (`title_f`, `body_f`),
  marked syllables (`title`, `body`), pyvi words (`words`) — each token encoded as plain
  ASCII (`candidates.encode_token`: *trạm* → `trx1ea1m`) and joined by spaces, so
  Typesense's tokenizer keeps every token whole and folds nothing itself. A store is two
  collections: COLLECTION holds what a candidate search reads (the folded tokens, facet and
  filter fields, the day, the token counts, the content hash), and COLLECTION`__text` the
  rest (the marked syllables, the pyvi words, the stored text and metadata), because
  Typesense reads each hit's whole document: hits of 2.6 KB cost less than half of those
  of 10.8 KB (`split_document`). A sync adds, updates and deletes by hash like the local
  one, importing in batches (the text first, then what is searched; removing the other way
  round), each retried while the cluster elects a leader; an article one collection lacks
  is sent again (`existing`). Typesense's document id is a hash of the article id: a
  retried or resumed batch overwrites (`upsert`), never duplicates.
- **Searching** is the one pipeline every store shares (`searching.pipeline`): the query is
  planned on the collection's vocabulary (Telex/VNI, abbreviations, i/y, tone placement,
  phrases, exclusions); this module answers its `View`: candidates from Typesense (`q`,
  `query_by` with the field registry's weights, `filter_by`, `facet_by`, `sort_by`), ranked
  with searchkit's own ranking on the collection's statistics (`searching.candidates`), and
  stored text by id, from which searchkit's highlighter makes snippets and spans.

Did-you-mean needs the index's spelling statistics, which the collection does not hold: the
store's `capabilities` lack SUGGEST, so it is off and `Results.note` says so; `optimize` is
refused the same way, and `check` reports the nodes' health.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from typing import Callable, Iterable, Iterator, TypeVar

import numpy as np

from searchkit.backends.token_cache import TokenCache
from searchkit.backends.url import BackendError, BackendUnavailableError, BackendURL
from searchkit.errors import IndexFormatError, IndexNotFoundError
from searchkit.fields import (ACCENTED, FOLDED, KEYED, KEYED_BY_NAME, WORDS, KeyedField, accented_field, fields_of,
                              folded_field)
from searchkit.models import Article, IndexReport, Skipped, day_number
from searchkit.searching.analysed import AnalysedQuery
from searchkit.searching.backend import FACETS, Candidates
from searchkit.searching.candidates import FIELDS, PLACE_HOLDER, CandidateArrays, encode_token, encode_tokens
from searchkit.searching.filters import Filters
from searchkit.searching.plan import QueryPlan
from searchkit.searching.query import Clause
from searchkit.searching.rewrite import Vocabulary

T = TypeVar("T")

#: Candidates asked for with the whole query, and with each of the most telling words alone.
MAIN_CANDIDATES = 150
WORD_CANDIDATES = 100
TELLING_WORDS = 6
#: Typesense answers at most this many hits a page, and this many searches in one request.
MAX_PER_PAGE = 250
MAX_SEARCHES = 50
#: A query's candidate searches go to the node in up to this many requests at once (`_share`).
PARALLEL_REQUESTS = 3
#: Candidates whose token fields are asked in one request at least (`_with_tokens`).
MIN_FETCHED = 25
#: The second collection of a store, beside COLLECTION: COLLECTION + this (`text_collection`).
TEXT_SUFFIX = "__text"
#: How the store's documents are laid out: a collection whose layout differs is rebuilt.
LAYOUT = 2
#: What rebuilds a store whose collections are missing or laid out otherwise.
REBUILD = "searchkit --backend URL index --rebuild CORPUS"



def _whole(boosts: list[float]) -> list[int]:
    """Weights in the same ratios as whole numbers, as Typesense takes them (2.5, 1 → 5, 2).

    >>> _whole([2.5, 1.0]), _whole([1.0, 0.5, 0.25])
    ([5, 2], [4, 2, 1])
    """
    for scale in range(1, 101):
        if all(abs(b * scale - round(b * scale)) < 1e-9 for b in boosts):
            return [round(b * scale) for b in boosts]
    return [max(1, round(b * 100)) for b in boosts]


#: The candidate search: the folded fields, weighted as the field registry weighs them.
FOLDED_FIELDS = tuple(f.name for f in fields_of(FOLDED))  # title_f, body_f
ACCENTED_FIELDS = tuple(f.name for f in fields_of(ACCENTED))  # title, body
WORDS_FIELDS = tuple(f.name for f in fields_of(WORDS))  # words
BODY = folded_field("body").name  # how telling a word is: its frequency in bodies
QUERY_BY = ",".join(FOLDED_FIELDS)
QUERY_WEIGHTS = ",".join(str(w) for w in _whole([f.boost for f in fields_of(FOLDED)]))
#: Statistics (document frequencies, averages) are dropped when the collection's version moves
#: (`Statistics`), and at the latest after this long.
STATISTICS_SECONDS = 600.0
#: The token fields whose summed lengths (with the article count) make the collection's version.
VERSION_FIELDS = FOLDED_FIELDS
#: A batch import is retried for this long while nodes fail and a new leader is elected.
RETRY_SECONDS = 90.0
STORED = ("article_id", "text_title", "text_body", "date", "source", "category", "url", "author",
          "province", "path", "hash", "line", *(f.name for f in KEYED if f.many))
#: Where each token field lives: the searched ones in the collection, the others in its text
#: collection (see `split_document`).
TEXT_FIELDS = ACCENTED_FIELDS + WORDS_FIELDS
#: What a candidate search reads of each hit besides its token fields: kept in the collection.
HIT_FIELDS = ("id", "article_id", "hash", "path", "day", *(f"len_{f}" for f in FIELDS), *FACETS,
              *(f.key_field for f in KEYED))


def text_collection(collection: str) -> str:
    """The collection beside `collection` holding its articles' stored text and unsearched tokens.

    >>> text_collection("tin_tuc")
    'tin_tuc__text'
    """
    return collection + TEXT_SUFFIX


def schema(name: str) -> dict:
    """The collection searched for candidates: the folded token fields, the facet and filter
    fields, the day and the token counts; nothing else, because Typesense reads each hit's
    whole document (a hit of a 10.8 KB document cost more than twice one of 2.6 KB)."""
    text = [{"name": f, "type": "string"} for f in FOLDED_FIELDS]
    facet = [{"name": f, "type": _type(KEYED_BY_NAME.get(f)), "facet": True, "optional": True} for f in FACETS]
    keys = [{"name": f.key_field, "type": _type(f), "facet": True, "optional": True} for f in KEYED]
    numbers = [{"name": "day", "type": "int32"}] + [
        {"name": f"len_{f}", "type": "int32", "facet": True} for f in FIELDS]
    return {"name": name, "fields": [{"name": "article_id", "type": "string"}, *text, *facet, *keys, *numbers],
            "token_separators": [], "symbols_to_index": []}


def text_schema(name: str) -> dict:
    """The text collection (`text_collection`): the marked syllables and pyvi words, indexed
    only so that their document frequencies can be counted; the stored text and metadata are
    kept without an index (not declared)."""
    text = [{"name": f, "type": "string"} for f in TEXT_FIELDS]
    return {"name": name, "fields": [{"name": "article_id", "type": "string"}, *text],
            "token_separators": [], "symbols_to_index": []}


def split_document(doc: dict) -> tuple[dict, dict]:
    """(the collection's part, the text collection's part) of a document (`to_document`): the
    first what a candidate search reads (`HIT_FIELDS`: every token count, for the collection's
    version and averages) and the folded tokens; the second everything else, with its id,
    content hash and path (a sync compares both) and the counts of its token fields (the token
    cache checks them).

    >>> main, text = split_document({"id": "1", "article_id": "a", "hash": "h", "title_f": "tram",
    ...                              "title": "trx1ea1m", "len_title": 1, "text_title": "Trạm", "day": 9})
    >>> sorted(main)
    ['article_id', 'day', 'hash', 'id', 'len_title', 'title_f']
    >>> sorted(text)
    ['article_id', 'hash', 'id', 'len_title', 'text_title', 'title']
    """
    main = {key: value for key, value in doc.items() if key in _MAIN_KEYS}
    text = {key: value for key, value in doc.items() if key not in main or key in _SHARED_KEYS}
    text.update((f"len_{f}", doc[f"len_{f}"]) for f in TEXT_FIELDS if f"len_{f}" in doc)
    return main, text


_MAIN_KEYS = frozenset((*HIT_FIELDS, *FOLDED_FIELDS))
_SHARED_KEYS = frozenset(("id", "article_id", "hash", "path", *FACETS))


def _type(field: KeyedField | None) -> str:
    """A facet's or filter's Typesense type: a list of strings for a field with several values."""
    return "string[]" if field is not None and field.many else "string"


def document_id(article_id: str) -> str:
    """Typesense's id for an article: a hash of searchkit's id (any length, any character)."""
    return hashlib.blake2b(article_id.encode("utf-8"), digest_size=12).hexdigest()


def to_document(article: Article, tokens: dict[str, list[str]]) -> dict:
    """One article as a Typesense document (`tokens`: `analysis.analyze_article`'s fields)."""
    from searchkit.text.keys import folded_key

    doc = {"id": document_id(article.id), "article_id": article.id, "day": day_number(article.date),
           "text_title": article.title, "text_body": article.body}
    for field in FIELDS:
        doc[field] = encode_tokens(tokens[field])
        doc[f"len_{field}"] = sum(1 for token in tokens[field] if token)  # place holders are no tokens
    for name in ("date", "source", "category", "url", "author", "province", "path", "hash", "line"):
        value = getattr(article, name)
        if value is not None and value != "":
            doc[name] = value
    if article.date:
        doc["year"] = article.date[:4]
    for field in KEYED:
        value = getattr(article, field.attribute)
        if field.many and value:  # spellings under the facet's name ('tag'), keys to filter
            doc[field.name], doc[field.key_field] = list(value), [folded_key(v) for v in value]
        elif not field.many and value:
            doc[field.key_field] = folded_key(value)
    return doc


def analyse_batch(articles: list[Article]) -> tuple[list[dict], list[Skipped]]:
    """Documents of a batch (in a worker process), and the articles analysis refused."""
    from searchkit.indexing.analysis import analyzed

    docs, failed = [], []
    for article, fields in analyzed(articles):  # tagged together: much faster than one by one
        try:
            if isinstance(fields, Exception):
                raise fields
            docs.append(to_document(article, fields))
        except Exception as error:  # noqa: BLE001 - one bad article never stops the others
            failed.append(Skipped(article.path, f"cannot be analysed ({type(error).__name__}: {error})",
                                  article.line))
    return docs, failed


def stored_fields(doc: dict) -> dict:
    """The stored fields of a Typesense document, named as the local index names them."""
    stored = {name: doc.get(name) for name in STORED if name in doc}
    stored["id"] = stored.pop("article_id", doc.get("id"))
    stored["title"] = stored.pop("text_title", "")
    stored["body"] = stored.pop("text_body", "")
    for field in KEYED:
        if field.many and field.name in stored:
            stored[field.attribute] = stored.pop(field.name)
    return stored


def quoted(value: str) -> str:
    """A filter value as Typesense reads it whole (backquoted; keys hold letters, digits, spaces)."""
    return "`" + value.replace("`", "") + "`"


def filter_by(chosen: Filters) -> str:
    """The filters as Typesense's `filter_by`."""
    parts = []
    if chosen.since or chosen.until:
        low = int((chosen.since or "0001-01-01").replace("-", ""))
        high = int((chosen.until or "9999-12-31").replace("-", ""))
        parts.append(f"day:[{max(low, 1)}..{high}]")
    for field, keys in chosen.keyed():  # on a list field, `:=` is "holds": one clause a key
        parts += [f"{field.key_field}:={quoted(key)}" for key in keys]
    return " && ".join(parts)


class Statistics:
    """Document frequencies of terms in the collection's fields, the collection's size and
    average field lengths, kept while the collection's *version* holds.

    The version is the article count and the summed lengths of the folded title and body
    (Typesense's facet stats over every article), read in the same multi-search as each
    query's candidates (`version_search`), so checking it costs no round trip of its own. Any
    write that adds or removes an article, or changes the number of syllables of a title or a
    body, moves it, and then every statistic is asked again (the averages of every token
    field in one more request). Faceting two fields costs the server a few ms a query; all
    five took 20-30 ms (`version_search(full=True)`, asked only when the version moves). A
    sync by this process drops every statistic at once (`expire(now=True)`). As a backstop
    against a rewrite that keeps those lengths (a word for another of as many syllables,
    marks alone), they are also dropped after STATISTICS_SECONDS. Missing frequencies are
    asked in batches (`need`, or `searches` to ride along with the candidates' request)."""

    def __init__(self, backend: "TypesenseBackend"):
        self.backend = backend
        self._counts: dict[tuple[str, str], int] = {}
        self._born = time.monotonic()
        self._size: tuple[int, dict[str, float]] | None = None
        self._version: tuple | None = None

    def expire(self, now: bool = False) -> None:
        if now or time.monotonic() - self._born > STATISTICS_SECONDS:
            self.backend.tokens.clear()
            self._counts.clear()
            self._size = self._version = None
            self._born = time.monotonic()

    def missing(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        return list(dict.fromkeys(p for p in pairs if p not in self._counts and p[1]))

    def searches(self, missing: list[tuple[str, str]]) -> list[dict]:
        """One count-only search a (field, term), of the collection that holds the field: how
        many articles hold it."""
        texts = self.backend.texts
        return [{"q": encode_token(term), "query_by": field, "per_page": 0, "num_typos": 0, "prefix": False,
                 "drop_tokens_threshold": 0, "typo_tokens_threshold": 0,
                 **({"collection": texts} if field in TEXT_FIELDS else {})} for field, term in missing]

    def record(self, missing: list[tuple[str, str]], results: list[dict]) -> None:
        for pair, result in zip(missing, results):
            self._counts[pair] = int(result.get("found", 0))

    def need(self, pairs: Iterable[tuple[str, str]], size: bool = False) -> None:
        """Fetch the frequencies of the (field, term) pairs not known yet, and with `size` the
        collection's size and averages if not kept, in one round trip."""
        missing = self.missing(pairs)
        version = [self.version_search(full=True)] if size and self._size is None else []
        if missing or version:
            results = self.backend.multi_search(self.searches(missing) + version, {})
            if version:
                self.observe(results[-1])  # first: a new version drops what was kept, not these
            self.record(missing, results[:len(missing)])

    def frequency(self, field: str, term: str) -> int:
        if (field, term) not in self._counts:
            self.need([(field, term)])
        return self._counts.get((field, term), 0)

    def version_search(self, full: bool | None = None) -> dict:
        """Every article, none returned: its count and the version's length fields' stats;
        `full` (by default: when no averages are kept) every token field's, for the averages."""
        full = self._size is None if full is None else full
        return {"q": "*", "facet_by": ",".join(f"len_{f}" for f in (FIELDS if full else VERSION_FIELDS)), "per_page": 0}

    def observe(self, result: dict) -> None:
        """Take the collection's version (and, from a full `version_search`, its size and
        averages) from `version_search`'s result; statistics kept under another version are
        dropped (the averages too, when `result` does not hold them: `size` asks again)."""
        stats = {facet["field_name"][4:]: facet.get("stats", {}) for facet in result.get("facet_counts", [])}
        found = int(result.get("found", 0))
        version = (found, tuple(stats.get(field, {}).get("sum") for field in VERSION_FIELDS))
        if version != self._version:
            if self._version is not None:
                self._counts.clear()
            self._version, self._size = version, None
        if all(field in stats for field in FIELDS):
            self._size = (found, {field: float(stats[field].get("avg") or 1.0) for field in FIELDS})

    def size(self) -> tuple[int, dict[str, float]]:
        """(articles in the collection, average length of each token field)."""
        if self._size is None:
            self.observe(self.backend.multi_search([self.version_search(full=True)], {})[0])
        return self._size


class TypesenseArrays(CandidateArrays):
    """`CandidateArrays` whose scans are `str.find` calls over each field's candidates joined
    into one string, one wanted token at a time, when ranking first asks for it.

    The positions and lengths are the same as `CandidateArrays` gives: a candidate's field is
    its encoded tokens joined by single spaces, so a token's position is the number of spaces
    before it. Which tokens a field's scan "looked for" follows `CandidateArrays` exactly too:
    a field's set is the wanted tokens when it was first read, and is renewed only when an
    unforeseen token is asked of it; a token another field added meanwhile stays unseen in
    this one until then. That set is kept here as a set, without re-scanning: the base class
    scanned every wanted token again at each unforeseen one, which made a query with marks
    (each marked spelling accent matching weighs is unforeseen) re-read the candidates' bodies
    dozens of times. A scan's finds become candidates and positions in numpy (`_scan`), as
    the `doc << 32 | position` keys ranking reads (`postings`, `occurrences`).

    `single_spaced`: every field is known to be tokens joined by single spaces (`_with_tokens`
    makes them so), and is not looked over again for other spacing at each search."""

    def __init__(self, *args, single_spaced: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self._single_spaced = single_spaced
        self._joined: dict[str, _Joined] = {}
        self._found: dict[tuple[str, str], np.ndarray] = {}

    def _keys(self, field: str, term: str) -> np.ndarray:
        """Sorted `doc << 32 | position` keys of the term in the field, as far as the field's
        scans look for it (the class docstring); kept."""
        code = encode_token(term)
        if field not in self._scanned:
            self._scanned[field] = set(self._wanted)
        if code not in self._wanted:
            self._wanted.add(code)
            self._scanned[field] = set(self._wanted)
        if code not in self._scanned[field]:
            return _NO_KEYS  # as CandidateArrays: another field's token, not looked for in this one yet
        key = (field, code)
        if key not in self._found:
            self._found[key] = self._scan(field, code)
        return self._found[key]

    def _scan(self, field: str, code: str) -> np.ndarray:
        """Sorted `doc << 32 | position` keys of one encoded token in a field."""
        if not code:
            return _NO_KEYS
        joined = self._join(field)
        keys = joined.keys(joined.find(code))
        if joined.odd:
            odd = [(doc << 32) | n for doc in joined.odd
                   for n, token in enumerate((self.docs[doc].get(field) or "").split()) if token == code]
            keys = np.sort(np.concatenate([keys, np.array(odd, dtype=np.int64)]))
        return keys

    def _join(self, field: str) -> "_Joined":
        if field not in self._joined:
            self._joined[field] = _Joined([doc.get(field) or "" for doc in self.docs], self._single_spaced)
        return self._joined[field]

    def lengths(self, field: str) -> np.ndarray:
        if field not in self._lengths:
            average = float(self._averages.get(field) or 1.0)
            lengths = np.full(self.size, average, dtype=np.float32)
            lengths[:self.candidates] = [_length(d, field) for d in self.docs]
            self._lengths[field] = lengths
        return self._lengths[field]


def _odd(text: str) -> bool:
    """Whether a field is other than tokens joined by single spaces (another writer's).

    >>> _odd("tram bts"), _odd(""), _odd(" tram"), _odd("tram  bts"), _odd("tram bts ")
    (False, False, True, True, False)
    """
    return bool(text) and ("  " in text or text[0] == " ")


def _single_spaced(doc: dict, fields: Iterable[str]) -> None:
    """Make the token fields of a document fetched tokens joined by single spaces, as this
    searchkit writes them (the same tokens, in the same order, at the same positions)."""
    for field in fields:
        text = doc.get(field)
        if isinstance(text, str) and _odd(text):
            doc[field] = " ".join(text.split())


def _length(doc: dict, field: str) -> int:
    """A candidate's field length, `candidates.token_count` of its text: the `len_` number
    the document was written with (the same count, without splitting the text), else counted.
    A field that was not fetched has none (as `CandidateArrays` reads it).

    >>> _length({"body_f": "tram x bts", "len_body_f": 2}, "body_f"), _length({"body_f": "tram x bts"}, "body_f")
    (2, 2)
    >>> _length({"len_body_f": 2}, "body_f")
    0
    """
    text = doc.get(field)
    if not text:
        return 0
    known = doc.get(f"len_{field}")
    return known if isinstance(known, int) else _count(text)


def _count(encoded: str) -> int:
    """`candidates.token_count` without a Python loop: tokens, place holders left out."""
    tokens = encoded.split()
    return len(tokens) - tokens.count(PLACE_HOLDER)


_NO_KEYS = np.zeros(0, dtype=np.int64)


class _Joined:
    """A field of every candidate as one string (each ` tokens ` then a line break), to find a
    token in all of them at once, and what turns the tokens found into candidates and
    positions: where each space is (the n-th space stands before token n; a line break is a
    token that no encoded token equals) and each candidate's first token. A candidate whose
    field is not single-spaced tokens is left empty here, and listed in `odd` (read token by
    token)."""

    def __init__(self, texts: list[str], single_spaced: bool = False):
        self.odd = [] if single_spaced else [doc for doc, text in enumerate(texts) if _odd(text)]
        for doc in self.odd:
            texts[doc] = ""
        self.text = " " + " \n ".join(texts) + " \n" if texts else ""
        self.starts = np.cumsum([0] + [len(text) + 3 for text in texts[:-1]], dtype=np.int64)
        self._chars: np.ndarray | None = None  # the text's code points (a byte each: encoded tokens are ASCII)
        self._spaces: np.ndarray | None = None
        self._lengths: np.ndarray | None = None  # of each token but the last line break
        self._firsts: np.ndarray | None = None

    @property
    def spaces(self) -> np.ndarray:
        """Where each space is, counted in characters."""
        if self._spaces is None:
            ascii_only = self.text.isascii()  # else another writer's tokens: four bytes a character
            self._chars = np.frombuffer(self.text.encode("ascii" if ascii_only else "utf-32-le"),
                                        np.uint8 if ascii_only else np.uint32)
            self._spaces = np.flatnonzero(self._chars == 32)
        return self._spaces

    def find(self, code: str) -> np.ndarray:
        """The numbers of the tokens equal to `code`, in order: the tokens of its length, then
        those with its first character, its second... each a gather over fewer of them (a
        common token's thousands of `str.find` calls cost twice as much).

        >>> joined = _Joined(["tram bts", "bts tram", "btsx bts bts"])
        >>> joined.find("bts").tolist(), joined.spaces[joined.find("bts")].tolist()
        ([1, 3, 7, 8], [5, 11, 27, 31])
        >>> _Joined(["trạm bts", "bts trạm"]).find("trạm").tolist()  # another writer's tokens, as written
        [0, 4]
        """
        spaces = self.spaces
        if not code or not len(spaces) or max(map(ord, code)) > np.iinfo(self._chars.dtype).max:
            return _NO_KEYS  # a character the text cannot hold
        if self._lengths is None:
            self._lengths = np.diff(spaces) - 1
        chars, at = self._chars, np.flatnonzero(self._lengths == len(code))
        for k, char in enumerate(code, start=1):
            at = at[chars[spaces[at] + k] == ord(char)]
        return at

    def keys(self, found: np.ndarray) -> np.ndarray:
        """`doc << 32 | position` of the tokens of these numbers: its candidate (the last whose
        first token is not after it), and its distance from that candidate's first token."""
        if not len(found):
            return _NO_KEYS
        if self._firsts is None:
            self._firsts = np.searchsorted(self.spaces, self.starts)
        docs = np.searchsorted(self._firsts, found, side="right") - 1
        return (docs << 32) | (found - self._firsts[docs])


class TypesenseBackend:
    """A Typesense collection as a `searching.backend.Backend` (see the module's docstring):
    no spelling statistics (no did-you-mean, no `restore_accents`), no `optimize`."""

    capabilities: frozenset[str] = frozenset()
    name = "Typesense"

    def __init__(self, url: BackendURL):
        self.url = url
        self._clients: dict[float, object] = {}
        self._sessions: dict[float, object] = {}
        self.tokens = TokenCache()
        self.statistics = Statistics(self)
        self._pool: ThreadPoolExecutor | None = None

    def __str__(self) -> str:
        return str(self.url)

    def __repr__(self) -> str:
        return f"SearchEngine(backend={str(self.url)!r})"

    def reading(self, call):
        """`call` on the collection (Typesense serves concurrent reads itself: no lock)."""
        return call(TypesenseView(self))

    # ------------------------------------------------------------------ talking to Typesense

    def client(self, timeout: float = 10.0):
        """The official client over every node (it moves to the next node when one fails)."""
        if timeout not in self._clients:
            try:
                import typesense
            except ImportError as error:
                raise BackendError(kind="backend.no_client", field="backend", value="typesense",
                                   hint={"command": "pip install 'searchkit[typesense]'"}) from error

            nodes = [{"host": host, "port": port, "protocol": "http"} for host, port in self.url.nodes]
            config = {"api_key": self.url.api_key, "nodes": nodes, "connection_timeout_seconds": timeout,
                      "num_retries": 2 * len(nodes), "retry_interval_seconds": 0.2}
            session = self._sessions[timeout] = _session(timeout)
            try:
                self._clients[timeout] = typesense.Client(config, http_client=session)
            except TypeError:  # a client before 2.1 builds its own session (gzip, still kept alive)
                self._clients[timeout] = typesense.Client(config)
        return self._clients[timeout]

    @property
    def collection(self):
        return self.client().collections[self.url.collection]

    def call(self, what: str, function, *args, **kwargs):
        """Run a client call; a missing collection is IndexNotFoundError, nodes that do not
        answer BackendUnavailableError, both saying what to do."""
        import httpx
        from typesense import exceptions

        try:
            return function(*args, **kwargs)
        except exceptions.ObjectNotFound as error:
            raise IndexNotFoundError(kind="backend.no_collection", field="backend", value=str(self.url), hint={
                "collection": self.url.collection, "problem": str(error),
                "command": "searchkit --backend URL index CORPUS"}) from error
        except exceptions.RequestUnauthorized as error:
            raise BackendUnavailableError(kind="backend.bad_key", field="backend", value=str(self.url),
                                          hint={"action": what}) from error
        except (exceptions.TypesenseClientError, httpx.HTTPError, OSError) as error:
            raise BackendUnavailableError(kind="backend.unreachable", field="backend", value=str(self.url),
                                          hint={"action": what, "problem": f"{type(error).__name__}: {error}"}) from error

    @property
    def texts(self) -> str:
        """The name of the text collection (`text_collection`)."""
        return text_collection(self.url.collection)

    def multi_search(self, searches: list[dict], common: dict) -> list[dict]:
        """Results of several searches, MAX_SEARCHES to a request: of the collection, or of the
        text collection for a search that names it (`"collection": self.texts`)."""
        # Typesense lets the URL's common parameters override each search's own: merged here instead
        searches = [{"collection": self.url.collection, "query_by": QUERY_BY, **common, **search}
                    for search in searches]
        results: list[dict] = []
        for start in range(0, len(searches), MAX_SEARCHES):
            body = {"searches": searches[start:start + MAX_SEARCHES]}
            answer = self.call("search", self.client().multi_search.perform, body, {})
            for result, search in zip(answer["results"], body["searches"]):
                if "error" in result:
                    if result.get("code") == 404:
                        self._not_found(search["collection"])
                    raise BackendUnavailableError(kind="backend.search_failed", field="backend", value=str(self.url),
                                                  hint={"problem": result["error"]})
                results.append(result)
        return results

    def _not_found(self, name: str) -> None:
        """What a search of a missing collection means: no store (IndexNotFoundError), or a
        store an older searchkit laid out in one collection, without a text collection
        (IndexFormatError: rebuild it)."""
        self.call("search", self.client().collections[self.url.collection].retrieve)
        if name == self.texts:
            raise self._laid_out_otherwise(self.url.collection)

    def _laid_out_otherwise(self, name: str) -> IndexFormatError:
        """The error for a collection of the store that is not as this searchkit lays it out."""
        return IndexFormatError(kind="backend.foreign_collection", field="backend", value=str(self.url), hint={
            "collection": name, "command": REBUILD})

    def _layout_problem(self, name: str, wanted: dict) -> str | None:
        """None when collection `name` is laid out as `wanted`, else 'missing' or 'laid out
        otherwise' (another program's, or an older searchkit's)."""
        found = self._collection_info(name)
        if found is None:
            return "missing"
        return None if {f["name"] for f in found.get("fields", [])} == {f["name"] for f in wanted["fields"]} \
            else "laid out otherwise"

    def _collections(self) -> tuple[tuple[str, dict], ...]:
        """The store's two collections with their schemas, in the order they are written."""
        return (self.texts, text_schema(self.texts)), (self.url.collection, schema(self.url.collection))

    def _at_once(self, calls: list[Callable[[], T]]) -> list[T]:
        """The results of these calls, in order: the first on this thread, the others at the
        same time on the store's threads."""
        if len(calls) <= 1:
            return [call() for call in calls]
        self.client()  # made once, before the threads share it
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=4 * PARALLEL_REQUESTS, thread_name_prefix="typesense")
        later = [self._pool.submit(call) for call in calls[1:]]
        return [calls[0]()] + [future.result() for future in later]

    def searches_at_once(self, searches: list[dict]) -> list[dict]:
        """`multi_search` of these searches, sent as up to PARALLEL_REQUESTS requests at the same
        time, each about as many hits as the others (`_share`): a node runs the searches of one
        request one after another, on one thread, and most of a candidate search's time is
        spent on its hits (reading each from disk, writing it out), so two or three requests
        answer sooner wherever the node has cores to spare. The results come back in order."""
        groups = _share(searches, PARALLEL_REQUESTS)
        if len(groups) == 1:
            return self.multi_search(searches, {})
        answers = self._at_once([partial(self.multi_search, [searches[n] for n in group], {}) for group in groups])
        results: list[dict] = [{}] * len(searches)
        for group, answer in zip(groups, answers):
            for n, result in zip(group, answer):
                results[n] = result
        return results

    # ------------------------------------------------------------------ indexing

    def sync(self, paths: Iterable, *, rebuild: bool = False, remove_missing: bool = True, wait: float = 0.0,
             workers: int | None = None, batch_size: int | None = None, progress=None, follow: bool = False,
             resending: bool = False, prune: bool = False) -> IndexReport:
        """Sync the collection with the articles under `paths`, as `SearchEngine.index` does the
        local index: new ones added, changed ones replaced, vanished ones removed, by content
        hash. An interrupted sync (a node lost for longer than RETRY_SECONDS) resumes where it
        stopped when run again. `wait` is not used: Typesense takes concurrent writes."""
        import os

        from searchkit.indexing.corpus import iter_articles
        from searchkit.indexing.sync import SyncRun, batches, in_workers, to_index, vanished
        from searchkit.indexing.walk import check_paths

        started = time.monotonic()
        roots = check_paths(paths)
        self._prepare_collection(rebuild)
        existing = (self._held_everywhere() or {}) if resending else self.existing()
        run = SyncRun(existing=existing, roots=roots, progress=progress, prune=prune)
        articles = to_index(iter_articles(run.roots, run.existing, follow), run)
        workers = workers or os.cpu_count() or 1
        batch_size = batch_size or 500
        sent: dict[str, str] = {}
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for docs, failed in in_workers(pool, analyse_batch, batches(articles, batch_size, workers), workers + 1):
                self._import(docs)
                sent.update((doc["article_id"], doc.get("hash", "")) for doc in docs)
                run.skipped.extend(failed)
                replaced = sum(doc["article_id"] in run.existing for doc in docs)
                run.updated += replaced
                run.added += len(docs) - replaced
                run.report_progress()
        removed = self.remove(vanished(run, run.roots)) if remove_missing else 0
        if sent and not resending and self._lost(sent):  # see `_lost`: sent once more, counted once
            self.sync(run.roots, remove_missing=False, workers=workers, batch_size=batch_size, follow=follow,
                       resending=True)
        self.statistics.expire(now=True)
        return IndexReport(added=run.added, updated=run.updated, removed=removed, unchanged=run.unchanged,
                           skipped=tuple(run.skipped), seconds=time.monotonic() - started, total=self.count())

    def _lost(self, sent: dict[str, str]) -> bool:
        """Whether a node that answers lacks any article this sync sent (or holds another
        version): a leader that dies right after acknowledging a batch can take it with it,
        and a follower has been seen to stay 20 articles short while the other held them all,
        so every node is asked, not whichever the client picks. Waits a little for followers
        to apply what the leader committed before deciding."""
        for attempt in range(5):
            held = self._held_everywhere()
            if held is not None and all(held.get(article_id, ("",))[0] == digest for article_id, digest in sent.items()):
                return False
            time.sleep(1.0 + attempt)
        return True

    def _held_everywhere(self) -> dict[str, tuple[str, str]] | None:
        """`existing` of the articles every answering node holds alike; None when none answers."""
        held = None
        for node in self.url.nodes:
            alone = TypesenseBackend(dataclasses.replace(self.url, nodes=(node,)))
            try:
                existing = alone.existing()
            except BackendUnavailableError:  # a node that is down is not asked
                continue
            held = existing if held is None else {key: value for key, value in held.items() if existing.get(key) == value}
        return held

    def _prepare_collection(self, rebuild: bool) -> None:
        """Create the collection and its text collection (anew with `rebuild`);
        IndexFormatError for a collection of another shape (another program's, or one an
        older searchkit laid out otherwise)."""
        for name, wanted in self._collections():
            problem = self._layout_problem(name, wanted)
            if problem != "missing" and rebuild:
                self._drop(name)
                problem = "missing"
            if problem == "missing":
                self._create(wanted)
            elif problem:
                raise self._laid_out_otherwise(name)

    def _collection_info(self, name: str) -> dict | None:
        try:
            return self.call("read the collection", self.client().collections[name].retrieve)
        except IndexNotFoundError:
            return None

    def _drop(self, name: str) -> None:
        try:
            self.call("drop the collection", self.client().collections[name].delete)
        except IndexNotFoundError:  # dropped meanwhile (another sync, a half-dropped one)
            pass

    def _create(self, wanted: dict) -> None:
        from typesense import exceptions

        try:
            self.call("create the collection", self.client().collections.create, wanted)
        except BackendUnavailableError as error:
            if not isinstance(error.__cause__, exceptions.ObjectAlreadyExists):
                raise
        self._until_visible(wanted["name"])

    def _until_visible(self, name: str) -> None:
        """Wait (bounded) until every node answering reads knows the new collection: a
        follower applies the leader's write a moment later."""
        deadline = time.monotonic() + RETRY_SECONDS
        seen = 0
        while seen < 2 * len(self.url.nodes):  # the client spreads reads over the nodes
            try:
                self.call("read the collection", self.client().collections[name].retrieve)
                seen += 1
            except (IndexNotFoundError, BackendUnavailableError):
                if time.monotonic() > deadline:
                    raise
                seen = 0
                time.sleep(0.1)

    def existing(self) -> dict[str, tuple[str, str]]:
        """article id -> (content hash, path) of every article the store holds. An article
        missing from one of its two collections, or held there in another version (a sync
        stopped between them), has no hash: the next sync sends it again, or removes it from
        both when its file is gone."""
        searched, texts = self._exported(self.url.collection), self._exported(self.texts)
        existing = {}
        for article_id in [*searched, *(key for key in texts if key not in searched)]:
            main, text = searched.get(article_id), texts.get(article_id)
            whole = main is not None and text is not None and main[0] == text[0]
            existing[article_id] = (main[0] if whole else "", (main or text)[1])
        return existing

    def _exported(self, name: str) -> dict[str, tuple[str, str]]:
        """article id -> (content hash, path) of every document in one collection."""
        docs = self._documents(name, {"include_fields": "article_id,hash,path"}, "export the collection")
        return {doc["article_id"]: (doc.get("hash", ""), doc.get("path", "")) for doc in docs}

    def _import(self, docs: list[dict]) -> None:
        """Upsert a batch of documents (`to_document`): their text first, then what is
        searched, so that a candidate found has its text (`split_document`)."""
        parts = [split_document(doc) for doc in docs]
        self._upsert(self.texts, [text for _, text in parts])
        self._upsert(self.url.collection, [main for main, _ in parts])

    def _upsert(self, name: str, docs: list[dict]) -> None:
        """Upsert documents into one collection; what fails (a node lost, a leader being
        elected) is sent again until RETRY_SECONDS pass, then BackendUnavailableError: the
        next sync resumes."""
        pending, deadline, pause = docs, time.monotonic() + RETRY_SECONDS, 0.2
        writer = self.client(timeout=120.0).collections[name].documents
        reason = ""
        while pending:
            try:
                answers = writer.import_(pending, {"action": "upsert"})
                failed = [doc for doc, answer in zip(pending, answers) if not answer.get("success")]
                reason = next((a.get("error", "") for a in answers if not a.get("success")), "")
            except Exception as error:  # noqa: BLE001 - the client's errors and the network's
                failed, reason = pending, f"{type(error).__name__}: {error}"
            if failed and time.monotonic() > deadline:
                raise BackendUnavailableError(kind="backend.not_taken", field="backend", value=str(self.url), hint={
                    "count": len(failed), "seconds": RETRY_SECONDS, "problem": reason[:200]})
            if failed:
                time.sleep(pause)
                pause = min(pause * 2, 3.0)
            pending = failed

    def remove(self, gone: list[str]) -> int:
        """Delete these articles (by article id) from what is searched, then their text;
        returns how many were asked for."""
        for start in range(0, len(gone), 200):
            ids = ",".join(document_id(doc_id) for doc_id in gone[start:start + 200])
            for name in (self.url.collection, self.texts):
                documents = self.client().collections[name].documents
                self._retrying("delete articles", lambda: documents.delete({"filter_by": f"id:[{ids}]"}))
        return len(gone)

    def _retrying(self, what: str, call):
        deadline, pause = time.monotonic() + RETRY_SECONDS, 0.2
        while True:
            try:
                return self.call(what, call)
            except BackendUnavailableError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 3.0)

    # ------------------------------------------------------------------ searching

    def _candidates(self, plan: QueryPlan, chosen: Filters, sort: str, depth: int,
                    facets: bool) -> tuple[list[dict], int, dict]:
        """(candidates' token fields, matches Typesense counts, facet counts): the whole query,
        then each of its most telling words (and abbreviations' spellings) alone — in one
        multi-search with the statistics ranking will need and the collection's version, sent
        as a few requests at once (`searches_at_once`)."""
        needed = _needed_fields(plan)
        include = ",".join(("id", "hash", "day", *(f"len_{f}" for f in needed), *FACETS))  # tokens: `_with_tokens`
        common = {"num_typos": 0, "prefix": False, "typo_tokens_threshold": 0, "include_fields": include,
                  "query_by_weights": QUERY_WEIGHTS, "highlight_fields": "none", "highlight_full_fields": "none",
                  "prioritize_exact_match": False}
        if chosen:
            common["filter_by"] = filter_by(chosen)
        if sort == "date":
            common["sort_by"] = "day:desc,_text_match:desc"
        pages = max(1, -(-max(depth, MAIN_CANDIDATES) // MAX_PER_PAGE))
        main = {"q": _q(plan.required, plan.optional, plan.excluded), "per_page": min(MAX_PER_PAGE, max(depth, MAIN_CANDIDATES)),
                "drop_tokens_threshold": MAX_PER_PAGE}
        searches = [{**common, **main, "page": page} for page in range(1, pages + 1)]
        if facets:
            searches[0].update(facet_by=",".join(FACETS), max_facet_values=50)
        self.statistics.need(_rarity_terms(plan))  # known from planning, as a rule: no request
        for q in _word_queries(plan, self.statistics):
            searches.append({**common, "q": q, "per_page": WORD_CANDIDATES, "drop_tokens_threshold": 0})
        missing = self.statistics.missing([*_plan_terms(plan), *_variant_terms(plan)])
        results = self.searches_at_once(searches + self.statistics.searches(missing) + [self.statistics.version_search()])
        self.statistics.observe(results[-1])  # first: a new version drops what was kept, not these
        self.statistics.record(missing, results[len(searches):-1])
        results = results[:len(searches)]
        seen: dict[str, dict] = {}
        for result in results:
            for hit in result.get("hits", []):
                seen.setdefault(hit["document"]["id"], hit["document"])
        counts = {f["field_name"]: {c["value"]: int(c["count"]) for c in f.get("counts", [])}
                  for f in results[0].get("facet_counts", [])}
        return self._with_tokens(list(seen.values()), needed), int(results[0].get("found", 0)), counts

    def _with_tokens(self, docs: list[dict], fields: tuple[str, ...]) -> list[dict]:
        """The candidates with their token `fields`: those kept (`token_cache`), the others
        read by id (`_by_id`), the folded fields from the collection and the others from the
        text collection, in up to PARALLEL_REQUESTS requests for each at once, each field made
        single-spaced tokens once here (`_single_spaced`), not at every search. A candidate
        written again meanwhile comes with its new text (kept only when both collections agree
        on it); one removed meanwhile is left out."""
        missing = [doc for doc in docs if not self.tokens.fill(doc, fields)]
        if not missing:
            return docs
        ids = [doc["id"] for doc in missing]
        groups = [(name, part) for name, part in ((self.url.collection, tuple(f for f in fields if f not in TEXT_FIELDS)),
                                                  (self.texts, tuple(f for f in fields if f in TEXT_FIELDS))) if part]
        fetched = self._by_id([(name, ("id", "hash", *part, *(f"len_{f}" for f in part))) for name, part in groups],
                              ids, PARALLEL_REQUESTS, MIN_FETCHED)
        gone = set()
        for doc in missing:
            parts = [found.get(doc["id"]) for found in fetched]
            if any(part is None for part in parts):
                gone.add(doc["id"])
                continue
            for part in parts:
                doc.update(part)
            _single_spaced(doc, fields)
            if len({part.get("hash") for part in parts}) == 1:
                self.tokens.keep(doc, fields)
        return [doc for doc in docs if doc["id"] not in gone] if gone else docs

    def _candidate_arrays(self, plan: QueryPlan, docs: list[dict]) -> CandidateArrays:
        pairs = list(_plan_terms(plan))
        self.statistics.need(pairs, size=True)
        count, averages = self.statistics.size()
        return TypesenseArrays(docs, count, self.statistics.frequency, averages, wanted={t for _, t in pairs},
                               single_spaced=True)  # as `_with_tokens` made them

    def _stored(self, ids: list[str]) -> dict[str, dict]:
        """Typesense id -> stored fields of these documents (read from the text collection)."""
        return {key: stored_fields(doc) for key, doc in self._by_id([(self.texts, ("id",) + STORED)], ids)[0].items()}

    def _by_id(self, wanted: list[tuple[str, tuple[str, ...]]], ids: list[str], ways: int = 1,
               least: int = 1) -> list[dict[str, dict]]:
        """For each (collection, fields) wanted: Typesense id -> those fields of the documents
        (those that exist), read in up to `ways` parts of at least `least` ids each (`_parts`),
        every part of every collection at once. An export filtered by id, not a search: the
        node reads the documents without ranking them (65 documents of the text collection:
        5.7 ms against 10 ms for a search by id)."""
        jobs = [(n, name, part, fields) for n, (name, fields) in enumerate(wanted) for part in _parts(ids, ways, least)]
        found: list[dict[str, dict]] = [{} for _ in wanted]
        answers = self._at_once([partial(self._export, name, part, fields) for _, name, part, fields in jobs]) if ids else []
        for (n, *_), docs in zip(jobs, answers):
            found[n].update((doc["id"], doc) for doc in docs)
        return found

    def _export(self, name: str, ids: list[str], fields: tuple[str, ...]) -> list[dict]:
        """These fields of the documents of these ids in one collection (those that exist)."""
        return self._documents(name, {"filter_by": f"id:[{','.join(ids)}]", "include_fields": ",".join(fields)},
                               "read articles")

    def _documents(self, name: str, params: dict, what: str) -> list[dict]:
        """The documents of one collection an export with `params` gives."""
        documents = self.client().collections[name].documents
        try:
            text = self.call(what, documents.export, params)
        except IndexNotFoundError:
            self._not_found(name)  # the store is gone, or laid out by an older searchkit
            raise
        lines = text.strip()  # JSON lines: a line break inside a value is escaped, so one parse reads them all
        return json.loads(f"[{lines.replace(chr(10), ',')}]") if lines else []

    def known_keys(self, name: str) -> list[str]:
        """The folded keys of every source or category in the collection."""
        result = self.multi_search([{"q": "*", "per_page": 0, "facet_by": f"{name}_key", "max_facet_values": 500}],
                                   {})[0]
        return [c["value"] for f in result.get("facet_counts", []) for c in f.get("counts", [])]

    def count(self) -> int:
        return int(self.call("read the collection", self.collection.retrieve).get("num_documents", 0))

    def stats(self) -> dict:
        info = self.call("read the collection", self.collection.retrieve)
        nodes = []
        for host, port in self.url.nodes:
            nodes.append({"node": f"{host}:{port}", **_node_state(host, port, self.url.api_key)})
        return {"backend": str(self.url), "articles": int(info.get("num_documents", 0)),
                "collection": self.url.collection, "nodes": nodes}

    def check(self) -> dict:
        """The cluster's view: every node's health and Raft state; a node down is a problem,
        and so is a collection of the store missing or laid out otherwise (rebuild it)."""
        info = self.stats()
        problems = [f"node {n['node']}: {n.get('error') or 'not healthy'}" for n in info["nodes"] if not n.get("ok")]
        for name, wanted in reversed(self._collections()):  # what is searched first
            problem = self._layout_problem(name, wanted)
            if problem:
                problems.append(f"collection {name!r}: {problem}; rebuild the store with {REBUILD}")
        return {"index": info["backend"], "segments": 0, "articles": info["articles"], "problems": problems}

    def optimize(self, wait: float = 0.0) -> int:
        raise BackendError(kind="backend.no_optimize", field="backend", value=str(self.url))

    def repair(self, paths=None, wait: float = 0.0) -> dict:
        raise BackendError(kind="backend.no_optimize", field="backend", value=str(self.url))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for session in self._sessions.values():
            session.close()  # ours (`_session`): the Typesense client leaves it open
        self._clients.clear()
        self._sessions.clear()


class TypesenseView:
    """The collection as `searching.backend.View`: candidates found by Typesense, ranked on
    the collection's statistics (`searching.candidates`); stored fields asked by id."""

    def __init__(self, store: TypesenseBackend):
        self.store = store

    def vocabulary(self, query: str | AnalysedQuery) -> Vocabulary:
        """The collection's frequencies, those of the typed words fetched in one batch first."""
        statistics = self.store.statistics
        statistics.expire()
        statistics.need(_typed_terms(query))
        return Vocabulary(statistics.frequency)

    def statistics(self, plan: QueryPlan) -> CandidateArrays:
        return self.store._candidate_arrays(plan, [])

    def candidates(self, plan: QueryPlan, chosen: Filters, *, sort: str = "relevance", depth: int = 10,
                   facets: bool = False) -> Candidates:
        docs, found, facet_counts = self.store._candidates(plan, chosen, sort, depth, facets)
        arrays = self.store._candidate_arrays(plan, docs)
        return Candidates(arrays, arrays.allowed, complete=found <= len(docs), found=found, facets=facet_counts)

    def stored(self, candidates: Candidates, docs) -> list[dict | None]:
        ids = [candidates.arrays.docs[doc]["id"] for doc in docs]
        stored = self.store._stored(ids)
        return [stored.get(key) for key in ids]

    def docnum(self, candidates: Candidates, article_id: str) -> int | None:
        key = document_id(article_id)
        return next((n for n, doc in enumerate(candidates.arrays.docs) if doc["id"] == key), None)

    def article(self, article_id: str) -> dict | None:
        return self.store._stored([document_id(article_id)]).get(document_id(article_id))

    def known_values(self, name: str) -> dict[str, str]:
        return {key: key for key in self.store.known_keys(name)}

    def days(self, candidates: Candidates):
        days = np.zeros(candidates.arrays.size, dtype=np.int64)
        days[:candidates.arrays.candidates] = [doc.get("day", 0) for doc in candidates.arrays.docs]
        return days

    def facet_values(self, candidates: Candidates, name: str) -> list:
        return [tuple(value) if isinstance(value := doc.get(name), list) else value
                for doc in candidates.arrays.docs]

    def spellings(self):
        raise BackendError(kind="backend.no_restore", field="backend", value=str(self.store.url))

    pairs = spellings


# ---------------------------------------------------------------------- helpers


def _session(timeout: float):
    """One HTTP session a client, its connections kept alive between searches, asking for
    answers uncompressed: the candidates' token fields are megabytes, and compressing them
    costs the server more time than sending them over a data centre's network does."""
    import httpx

    return httpx.Client(timeout=httpx.Timeout(timeout), headers={"Accept-Encoding": "identity"},
                        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))


def _node_state(host: str, port: int, key: str) -> dict:
    import urllib.request

    def get(path: str):
        request = urllib.request.Request(f"http://{host}:{port}{path}", headers={"X-TYPESENSE-API-KEY": key})
        with urllib.request.urlopen(request, timeout=2) as response:
            return json.loads(response.read())

    try:
        state = get("/debug").get("state")
        return {"ok": bool(get("/health").get("ok")), "role": {1: "leader", 4: "follower"}.get(state, str(state))}
    except (OSError, ValueError) as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def _parts(items: list, ways: int, least: int) -> list[list]:
    """`items` cut in order into up to `ways` parts of about the same size, none under
    `least` items (but one), none over MAX_PER_PAGE.

    >>> [len(p) for p in _parts(list(range(100)), 3, 25)], [len(p) for p in _parts(list(range(30)), 3, 25)]
    ([34, 33, 33], [30])
    >>> [len(p) for p in _parts(list(range(600)), 2, 25)]
    [200, 200, 200]
    """
    count = max(1, min(ways, len(items) // least), -(-len(items) // MAX_PER_PAGE))
    size, extra = divmod(len(items), count)
    cuts = [n * size + min(n, extra) for n in range(count + 1)]
    return [items[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


def _share(searches: list[dict], ways: int) -> list[list[int]]:
    """The searches' indexes in up to `ways` groups of about as many hits asked (`per_page`;
    a count-only search weighs one), each group in the searches' order; the first group holds
    the first search. One group when there is only one search asking for hits.

    >>> _share([{"per_page": 150}, {"per_page": 100}, {"per_page": 100}, {"per_page": 0}], 3)
    [[0], [1, 3], [2]]
    >>> _share([{"per_page": 150}, {"per_page": 0}, {"per_page": 0}], 3)
    [[0, 1, 2]]
    """
    weights = [max(1, int(search.get("per_page", 10))) for search in searches]
    heavy = sum(1 for search in searches if search.get("per_page", 10))
    groups: list[list[int]] = [[] for _ in range(max(1, min(ways, heavy)))]
    loads = [0] * len(groups)
    for n in sorted(range(len(searches)), key=lambda n: (-weights[n], n)):
        lightest = 0 if n == 0 else loads.index(min(loads))
        groups[lightest].append(n)
        loads[lightest] += weights[n]
    return [sorted(group) for group in groups if group]


def _typed_terms(query: str | AnalysedQuery) -> Iterator[tuple[str, str]]:
    """(field, term) of each typed syllable (as the query's analysis split it) and its
    Telex/VNI reading, as planning asks of them."""
    from searchkit.searching.query import MAX_QUERY_CHARS
    from searchkit.text.keystrokes import decode_keystrokes
    from searchkit.text.syllables import forms

    query = query if isinstance(query, AnalysedQuery) else AnalysedQuery.of(query[:MAX_QUERY_CHARS])
    for syllable in query.syllables:
        word = query.text[syllable.start:syllable.end]
        for spelled in filter(None, (word, decode_keystrokes(word))):
            accented, folded = forms(spelled)
            yield from ((field, folded) for field in FOLDED_FIELDS)
            if accented != folded:
                yield from ((field, accented) for field in ACCENTED_FIELDS)


def _needed_fields(plan: QueryPlan) -> tuple[str, ...]:
    """The token fields ranking reads for this plan: the marked ones only when accents were
    typed, pyvi words only when typed syllables may form one (they are most of the bytes)."""
    clauses = [c for g in plan.required + plan.optional for c in g]
    accents = any(s.accented != s.folded for c in clauses for s in c.syllables)
    return FOLDED_FIELDS + (ACCENTED_FIELDS if accents else ()) + (WORDS_FIELDS if plan.compounds else ())


def _plan_terms(plan: QueryPlan) -> Iterator[tuple[str, str]]:
    """(field, term) of every statistic ranking the plan needs."""
    clauses = [c for g in plan.required + plan.optional for c in g] + list(plan.excluded)
    for clause in clauses:
        for syllable in clause.syllables:
            yield from ((field, syllable.folded) for field in FOLDED_FIELDS)
            if syllable.accented != syllable.folded:
                yield from ((field, syllable.accented) for field in ACCENTED_FIELDS)
        for alternative in clause.alternatives:
            for folded in alternative.folded:
                yield from ((field, folded) for field in FOLDED_FIELDS)
    for neighbours in plan.neighbours:
        for word in neighbours.words:
            yield from ((field, word) for field in FOLDED_FIELDS)
    for word in plan.compounds:
        yield from ((field, word) for field in WORDS_FIELDS)


def _variant_terms(plan: QueryPlan) -> Iterator[tuple[str, str]]:
    """(field, term) that ranking's accent matching (`exact.decide`) asks of a query typed
    with some marks: which marked spellings of each unmarked syllable bodies hold (`an`: *ăn*,
    *ẩn*, *án*, …), asked with the candidates rather than one request each."""
    from searchkit.searching.ranking import LONG_QUERY
    from searchkit.text.spelling import is_valid_syllable
    from searchkit.text.variants import marked_variants

    clauses = [c for g in plan.required + plan.optional for c in g] + list(plan.excluded)
    syllables = [s for c in clauses for s in c.syllables]
    if len(plan.optional) > LONG_QUERY or all(s.accented == s.folded for s in syllables):
        return
    body = accented_field("body").name
    for syllable in syllables:
        if syllable.accented == syllable.folded and is_valid_syllable(syllable.folded):
            yield from ((body, variant) for variant in marked_variants(syllable.folded))


def _clause_q(clause: Clause, folded: tuple[str, ...] | None = None, quote: bool = True) -> str:
    """A clause's encoded folded tokens; quoted (a Typesense phrase, which every hit must
    hold) only when it must stand so: a required phrase, an exclusion."""
    folded = folded or clause.folded
    codes = " ".join(encode_token(s) for s in folded)
    return f'"{codes}"' if len(folded) > 1 and quote else codes


def _q(required, optional, excluded, replace: dict | None = None, phrases: bool = False) -> str:
    """Typesense's `q`: required phrases quoted, words as typed (folded, encoded), exclusions
    with `-`; `phrases`: optional phrases quoted too (a search for one of them alone). A group
    of several clauses (`a OR b`) contributes its first."""
    parts = []
    for group in required + optional:
        clause = group[0]
        parts.append(_clause_q(clause, (replace or {}).get(id(clause)), quote=clause.required or phrases))
    for clause in excluded:
        parts.append("-" + _clause_q(clause))
    return " ".join(parts) or "*"


def _rarity_terms(plan: QueryPlan) -> Iterator[tuple[str, str]]:
    """(field, term) of what `_word_queries` weighs the optional words by."""
    for group in plan.optional:
        for clause in group:
            yield from ((BODY, s) for s in clause.folded)


def _word_queries(plan: QueryPlan, statistics: Statistics) -> list[str]:
    """Searches for candidates the whole query's may miss: each of the most telling optional
    words alone (with the required parts and exclusions), each other clause of an `a OR b`
    group, and each spelling of an abbreviation (CNTT → "công nghệ thông tin")."""
    def rarity(group) -> int:
        return min(max((statistics.frequency(BODY, s) for s in c.folded), default=0) for c in group)

    queries: list[str] = []
    groups = sorted(plan.optional, key=rarity)[:TELLING_WORDS] if len(plan.optional) > 1 else []
    for group in groups:
        queries.append(_q(plan.required, ((group[0],),), plan.excluded, phrases=True))
    for group in plan.required + plan.optional:
        for clause in group[1:]:
            queries.append(_q(plan.required, ((clause,),), plan.excluded, phrases=True))
        for clause in group:
            for alternative in clause.alternatives:
                queries.append(_q(tuple(g for g in plan.required if g is not group), ((clause,),), plan.excluded,
                                  replace={id(clause): alternative.folded}, phrases=True))
    return list(dict.fromkeys(q for q in queries if q != "*"))
