"""Postings, lengths and positions of an open index as numpy arrays over global doc numbers.

The storage side of ranking: `ranking.py` asks for arrays, `scoring.py` turns them into
scores. Whoosh's matcher tree scores one posting at a time in Python (70–400 ms for two to
six common words over 16k articles), so each term's postings come from the segment's
`.skp` file instead (a memory-mapped slice; see `postings.py`), the one store of postings
searching reads: a segment without one is damaged, never read another way. Opening a
generation verifies what is cheap first (`manifest.verify_opening`: every file's size, the
small files' checksums), so that a lost column or a changed id is an IndexDamagedError, not
a silently different result. Positions are
read as whole arrays of `doc << 32 | position` keys, so adjacency over every candidate is a
vectorised lookup.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Callable

import numpy as np

from searchkit.fields import BY_NAME
from searchkit.indexing.adapter import deleted_documents, leaf_segment_id, segment_leaves
from searchkit.searching.scoring import idf, length_norm, term_bm25
from searchkit.searching.term_index import TermIndex, TermIndexes
from searchkit.text.common_pairs import common_syllables

#: Posting entries (doc number + frequency, 12 bytes) kept between searches of one index
#: generation: about 120 MB at most; past it the least recently used go first.
MAX_CACHED_POSTINGS = 10_000_000
#: Document frequencies kept (a long query looks up hundreds of words once each).
MAX_CACHED_FREQUENCIES = 500_000
#: Position keys kept between searches (int64 each): about 160 MB at most.
MAX_CACHED_OCCURRENCES = 20_000_000
#: Once a cache is full, an array that would evict others is kept only when it is at most
#: this share of the cache's limit. At 16 times the corpus a common word's arrays are
#: 100,000s of entries: each one kept evicted dozens of others, and was itself often evicted
#: before it was asked for again (query.py's 200 searches kept 65 million posting entries in
#: a store of 10 million). Keeping the large ones only while there is room made those searches
#: a tenth faster, the same answers (p50 10.9 → 10.0 ms), and after 800 other searches had
#: filled the stores 12.6 → 11.2 ms; at 1× nothing changed (bench/README.md, thirty-third
#: session).
ADMIT_WHEN_FULL = 0.001
#: Entries of the values derived from a generation's arrays and kept between its searches
#: (`derived`: a clause's occurrences in one part, about 20 bytes an article; where words
#: stand side by side, 8 bytes a place): 80 MB at most.
MAX_CACHED_DERIVED = 4_000_000
#: A word held by at most this many articles has its positions read whole and kept, not read
#: again segment by segment within each search's candidates (`occurrences_within`): on the 16k
#: index's eight segments a warm dev-set search ran 6 % fewer instructions (12.95 → 12.16 M),
#: a first one 5 % (22.33 → 21.14 M), one at 16 times the corpus (where such words are rare)
#: 1 % (75.1 → 74.2 M); 200 and 1,000 gained less, 20,000 (nearly every word) lost 6.5 %: a
#: common word's positions are millions of keys there, of which a search needs its candidates'.
READ_WHOLE_HOLDERS = 5000
#: Terms whose postings and positions in the segments a commit added are kept while values
#: made before it are made on for them (`Since`): those segments are small.
MAX_READ_TERMS = 20_000
#: A segment's postings of the articles a search wants are looked up one by one when the
#: articles are fewer than one in this many of the postings (`_places_of`); else found by a
#: table over the segment's documents. Over the 1,137 reads of query.py's 200 searches at 16
#: times the corpus, 2, 4, 8 and 16 took the same time within the host's noise (94-105 ms; the
#: code before, a lookup each always, 126-155 ms).
LOOKUP_SHARE = 4

Postings = tuple[np.ndarray, np.ndarray]  # global doc numbers (sorted, intp), term frequencies
_EMPTY: Postings = (np.zeros(0, np.intp), np.zeros(0, np.float32))


class IndexArrays:
    """Postings, lengths and positions of one open reader, as arrays over global doc numbers."""

    def __init__(self, reader, before: IndexArrays | None = None):
        """`before`: the arrays of the previous generation, whose open postings files and
        read postings this one takes over (`_carry`)."""
        self.reader = reader
        self.leaves = segment_leaves(reader)
        self.layout = _layout(self.leaves)  # read now: the reader is closed when the next one opens
        self.size = reader.doc_count_all()
        self.count = max(reader.doc_count(), 1)
        self._verify()
        self.alive = self._alive()
        self.deleted = not bool(self.alive.all())  # none: counting live holders is counting holders
        self._sides = self._open_sides(before)
        self.common = self._common_pairs()
        self._cache = _Kept(MAX_CACHED_POSTINGS)
        self._frequencies: dict[tuple[str, str], tuple[int, tuple]] = {}  # -> (count, layout counted under)
        self.memo: dict[str, object] = {}  # per-generation values others derive (dates by doc)
        # what was read of one segment's own files, by segment id (`backends.keyed_tables`): a
        # segment never changes, so the segments a commit keeps keep theirs (`_carry`)
        self.by_segment: dict[str, dict] = {}
        self._occurrences = _Kept(MAX_CACHED_OCCURRENCES)
        self._derived = _Kept(MAX_CACHED_DERIVED)
        self._kept_under: dict[int, tuple[tuple, int]] = {}  # id(an earlier layout) -> (it, segments kept)
        self._since_segment: dict[int, Since] = {}  # the segments from one on, by its number
        self._lengths: dict = {}
        self._term_indexes: dict[str, TermIndexes] = {}  # by field, carried: a commit joins its segments
        if before is not None:
            self._carry(before)

    def rebind(self, reader) -> None:
        """Use a new reader of the same generation (same segments, same doc numbers)."""
        if reader is self.reader:
            return
        sides = self._by_segment()
        self.reader = reader
        self.leaves = segment_leaves(reader)
        layout = _layout(self.leaves)
        self.layout = self.layout if layout == self.layout else layout  # what was read under it stays current
        self._sides = {id(leaf): sides[segment] for (leaf, _), (segment, _, _) in zip(self.leaves, self.layout)}

    def segment_postings(self) -> list[tuple[str, object]]:
        """(segment id, its open `.skp` postings file, None when it has none) of each segment,
        in doc number order."""
        return [(segment, self._sides[id(leaf)]) for (leaf, _), (segment, _, _) in zip(self.leaves, self.layout)]

    def _by_segment(self) -> dict[str, object]:
        """The open postings files by segment id."""
        return {segment: self._sides[id(leaf)] for (leaf, _), (segment, _, _) in zip(self.leaves, self.layout)}

    def _carry(self, before: IndexArrays) -> None:
        """Take over what `before` read. Each entry knows the segments it was read from (the
        `layout` of its generation): asked for again, it keeps the part of the segments this
        generation begins with too, at the same doc numbers, and reads the others (a small
        segment added, or the small ones at the end merged into a new one: a newsroom's
        commit, which leaves the large ones). After each commit the same searches come again,
        and reading their words anew in every segment was a fifth of their CPU
        (bench/after_commit.py). A merge of every segment leaves nothing to keep.
        """
        self._cache, self._occurrences, self._frequencies = before._cache, before._occurrences, before._frequencies
        self._derived = before._derived
        before._cache, before._occurrences = _Kept(MAX_CACHED_POSTINGS), _Kept(MAX_CACHED_OCCURRENCES)
        before._frequencies, before._derived = {}, _Kept(MAX_CACHED_DERIVED)
        self._term_indexes, before._term_indexes = before._term_indexes, {}
        self.by_segment = {segment: before.by_segment[segment] for segment, _, _ in self.layout
                           if segment in before.by_segment}

    def _verify(self) -> None:
        """What is cheap to verify of the reader's generation (raises IndexDamagedError)."""
        from pathlib import Path

        from searchkit.indexing.adapter import leaf_location
        from searchkit.indexing.manifest import verify_opening

        location = next((leaf_location(leaf) for leaf, _ in self.leaves), None)
        if location:
            verify_opening(Path(location[0]), self.reader.generation())

    def _open_sides(self, before: IndexArrays | None = None) -> dict[int, object]:
        """The `.skp` postings file of each segment, by id() of its reader (a missing or
        damaged one is an IndexDamagedError naming it); those `before` had open are kept
        (a segment's file never changes), with the terms they looked up."""
        from searchkit.indexing.postings import for_segment

        kept = before._by_segment() if before is not None else {}
        return {id(leaf): kept.get(segment) or for_segment(leaf) for (leaf, _), (segment, _, _) in
                zip(self.leaves, self.layout)}

    def _common_pairs(self) -> frozenset[str]:
        """The common syllables whose pairs every segment holds as terms (`text.common_pairs`);
        none when a segment was written with another list, or before there was one: its
        pairs are then found by merging positions, as a backend's are."""
        sides = [self._sides[id(leaf)] for leaf, _ in self.leaves]
        syllables, version = common_syllables()
        found = sides and all(side is not None and side.common_version == version for side in sides)
        return syllables if found else frozenset()

    def _alive(self) -> np.ndarray:
        alive = np.ones(self.size, dtype=bool)
        for leaf, offset in self.leaves:
            deleted = deleted_documents(leaf)
            alive[np.asarray(deleted, dtype=np.int64) + offset] = False
        return alive

    def _segment_postings(self, leaf, field: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment doc numbers, frequencies): a memory-mapped slice of the `.skp` file."""
        return self._sides[id(leaf)].get(field, text)

    def postings(self, field: str, text: str) -> Postings:
        """Doc numbers and frequencies of a term (deleted documents included), cached."""
        key = (field, text)
        found, layout = self._cache.get(key) or (None, ())
        if found is not None and layout is self.layout:
            return found
        kept = self._kept_segments(layout) if found is not None else 0
        if kept:  # read before a commit: what the segments kept hold, then the others'
            end = int(np.searchsorted(found[0], self._end_of(kept)))
            more = self._read_postings(field, text, kept)
            more = (np.concatenate((found[0][:end], more[0])), np.concatenate((found[1][:end], more[1])))
        else:
            more = self._read_postings(field, text)
        return self._cache.keep(key, more, len(more[0]), self.layout)

    def _read_postings(self, field: str, text: str, first: int = 0) -> Postings:
        """Every segment's slice (from the `first` segment on), written once into the global
        arrays: shifting the doc numbers and widening the frequencies are each one pass, with
        no concatenation after (at 16 times the corpus, posting lists of 100,000s of entries
        are read per query)."""
        pieces = []
        for leaf, offset in self.leaves[first:]:
            found = self._segment_postings(leaf, field, text)
            if found is not None and len(found[0]):
                pieces.append((offset, found))
        if not pieces:
            return _EMPTY
        total = sum(len(found[0]) for _, found in pieces)
        # intp, not the file's int32: numpy converts any other index array before each fancy
        # index (`norm[ids]`, `score[ids] += x`), which made them 2-3 times slower
        ids, freqs = np.empty(total, np.intp), np.empty(total, np.float32)
        at = 0
        for offset, (local, counts) in pieces:
            end = at + len(local)
            shifted = ids[at:end]
            shifted[...] = local  # widened by a plain copy, then shifted in place: a ufunc adding
            if offset:  # the file's type to intp cast through a buffer, a fifth slower
                shifted += offset
            freqs[at:end] = counts
            at = end
        return ids, freqs

    def document_frequency(self, field: str, text: str) -> int:
        """In how many documents a term occurs (deleted ones included), without reading its
        postings: the query rewriting asks this of every word of a long query."""
        key = (field, text)
        found, layout = self._frequencies.get(key) or (0, None)
        if layout is self.layout:
            return found
        postings = self._cache.peek(key)
        if postings is not None and postings[1] is self.layout:
            found = len(postings[0][0])
        else:  # the segments' own counts (their term lookups are remembered across commits)
            found, first = self._counted_before(found, layout)
            found += sum(self._segment_frequency(leaf, field, text) for leaf, _ in self.leaves[first:])
        if len(self._frequencies) > MAX_CACHED_FREQUENCIES:
            self._frequencies.clear()
        self._frequencies[key] = (found, self.layout)
        return found

    def _counted_before(self, found: int, layout: tuple | None) -> tuple[int, int]:
        """(documents, segments) of a count made under `layout` that still hold here: all of
        them when this generation begins with every segment it was counted in (a commit that
        added segments and merged none of those), else none. After a newsroom's commit the
        same queries come again, and counting each of their words in every segment again was
        a tenth of what the commit cost their searches (`bench/instructions.py --workload
        commit`: 465 → 420 M instructions for 300). A deleted article is still counted, so a
        count grows only by the segments added."""
        if not layout:
            return 0, 0
        kept = self._kept_segments(layout)
        return (found, kept) if kept == len(layout) else (0, 0)

    def completions(self, field: str, prefix: str) -> dict[str, int]:
        """Terms of a field beginning with `prefix`, with their document frequencies: a slice
        of the generation's term index (`_term_index`), however many segments hold them."""
        if not prefix:
            return {}
        return self._term_index(field).completions(prefix.encode("utf-8"))

    def _term_index(self, field: str) -> TermIndex:
        """Every word of a field in any segment, sorted, with its document frequency summed
        over the segments (a prefix then costs a binary search and a slice): the index the
        generation before made, with the segments a commit added joined to it (`term_index`)."""
        key = ("terms", field)
        if key not in self._lengths:
            sides = self._by_segment()

            def words(segment: str) -> tuple[np.ndarray, np.ndarray]:
                side = sides[segment]
                return side.word_table(field) if side is not None else (np.zeros(0, "S1"), np.zeros(0, np.int64))

            indexes = self._term_indexes.setdefault(field, TermIndexes())
            self._lengths[key] = indexes.of([(segment, count) for segment, _, count in self.layout], words)
        return self._lengths[key]

    def _segment_frequency(self, leaf, field: str, text: str) -> int:
        return self._sides[id(leaf)].frequency(field, text)

    def lengths(self, field: str) -> np.ndarray:
        """Exact length of `field` in every document, from the `.skp` files."""
        if field not in self._lengths:
            out = np.zeros(self.size, dtype=np.float32)
            for leaf, offset in self.leaves:
                exact = self._sides[id(leaf)].lengths(field)
                if exact is not None:
                    out[offset:offset + len(exact)] = exact
            self._lengths[field] = out
        return self._lengths[field]

    def norm(self, field: str) -> np.ndarray:
        """BM25's length normalisation of `field` for every document (averaged over live ones)."""
        key = ("norm", field)
        if key not in self._lengths:
            lengths = self.lengths(field)
            alive = lengths[self.alive]
            average = float(alive.mean()) if len(alive) else 1.0
            norm = length_norm(lengths, average, BY_NAME[field].b)
            norm.flags.writeable = False  # shared by every search of the generation (`term_bm25` writes a copy)
            self._lengths[key] = norm
        return self._lengths[key]

    def derived(self, key: tuple, make: Callable[[IndexArrays | Since], tuple], shift: int = 0,
                needs: Callable[[], tuple[tuple[str, str], ...]] = tuple) -> tuple:
        """`make(arrays)`, kept for this generation by `key` (a value the arrays determine, asked
        again by later searches), least recently used first out: arrays of one length in doc
        number order, the first of doc numbers (`shift` 0) or `doc << shift` keys, each entry
        of one article alone (None stays None). One made before a commit keeps its entries of
        the segments this generation begins with, and only those of the segments added are
        made (`make` over `Since`: a newsroom's commit adds one small segment), as postings
        are carried (`_carry`); none when those segments lack one of the terms (field, text)
        that every entry `needs` (asked then only: a search finds the value kept far more often)."""
        found, layout = self._derived.get(key) or (None, ())
        if found is not None and layout is self.layout:
            return found
        kept = self._kept_segments(layout) if found is not None else 0
        if kept:
            at = int(found[0].searchsorted(self._end_of(kept) << shift))
            since = self._since(kept)
            added = _none_of(found) if since.lacks(needs()) else make(since)
            value = _joined(found, at, added)
        else:
            value = make(self)
        return self._derived.keep(key, value, len(value[0]), self.layout)

    def term_scores(self, field: str, text: str, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of one term in one field: (doc numbers, scores)."""
        ids, tf = self.postings(field, text)
        if not len(ids):
            return ids, tf
        weight = boost * idf(self.count, len(ids))
        return ids, term_bm25(tf, self.norm(field).take(ids), weight)

    def occurrences(self, field: str, text: str) -> np.ndarray:
        """Every occurrence of a term in a positional field, as sorted `doc << 32 | position`
        keys (deleted documents included)."""
        key = (field, text)
        found, layout = self._occurrences.get(key) or (None, ())
        if found is not None and layout is self.layout:
            return found
        kept = self._kept_segments(layout) if found is not None else 0
        if kept:  # read before a commit: what the segments kept hold, then the others'
            end = int(np.searchsorted(found, self._end_of(kept) << 32))
            more = np.concatenate((found[:end], self._read_occurrences(field, text, kept)))
        else:
            more = self._read_occurrences(field, text)
        return self._occurrences.keep(key, more, len(more), self.layout)

    def _kept_segments(self, layout: tuple) -> int:
        """How many of this generation's first segments an entry read under `layout` holds
        as they are here (the same segment at the same first doc number); found once for
        each earlier layout (every entry read under one asks)."""
        known = self._kept_under.get(id(layout))
        if known is not None and known[0] is layout:
            return known[1]
        kept = 0
        for mine, theirs in zip(self.layout, layout):
            if mine != theirs:
                break
            kept += 1
        self._kept_under[id(layout)] = (layout, kept)
        return kept

    def _since(self, kept: int) -> Since:
        """This generation's arrays from segment `kept` on, one for all the values made of them."""
        if kept not in self._since_segment:
            self._since_segment[kept] = Since(self, kept)
        return self._since_segment[kept]

    def _end_of(self, segments: int) -> int:
        """The first doc number after this generation's first `segments` segments."""
        _, offset, documents = self.layout[segments - 1]
        return offset + documents

    def occurrences_within(self, field: str, text: str, docs: np.ndarray | None) -> np.ndarray:
        """`occurrences` of the sorted global doc numbers `docs` only, or all of them when they
        were read already, when few articles hold the word (READ_WHOLE_HOLDERS: read whole
        once and kept), or when `docs` is None: a common word beside a rare one is read in the
        rare one's articles (a few postings looked up), not whole (millions of keys at 16
        times the corpus). Callers intersect the result with keys of those articles."""
        if docs is None or (field, text) in self._occurrences \
                or self.document_frequency(field, text) <= READ_WHOLE_HOLDERS:
            return self.occurrences(field, text)  # kept: read whole already, or once and kept
        bounds = docs.searchsorted([offset for _, offset in self.leaves] + [self.size])
        parts = []
        for (leaf, offset), lo, hi in zip(self.leaves, bounds[:-1].tolist(), bounds[1:].tolist()):
            if lo < hi:
                local = self._sides[id(leaf)].occurrence_runs(field, text)
                if local is not None and len(local[0]):
                    parts.append(_runs_within(*local, docs[lo:hi] - offset, offset))
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def _read_occurrences(self, field: str, text: str, first: int = 0) -> np.ndarray:
        """The keys of every segment (from the `first` segment on), each segment's written in
        place: a posting's document key repeated over its positions, or-ed with them (two
        passes over the positions, where widening, shifting and joining them took seven)."""
        pieces = []
        for leaf, offset in self.leaves[first:]:
            local = self._sides[id(leaf)].occurrence_runs(field, text)
            if local is not None and len(local[2]):
                pieces.append((offset, local))
        if not pieces:
            return np.zeros(0, np.int64)
        keys = np.empty(sum(len(local[2]) for _, local in pieces), np.int64)
        at = 0
        for offset, (docs, freqs, positions) in pieces:
            end = at + len(positions)
            np.bitwise_or(((docs.astype(np.int64) + offset) << 32).repeat(freqs), positions, out=keys[at:end])
            at = end
        return keys


class Since:
    """The arrays of a generation from its `first` segment on, for what `IndexArrays.derived`
    makes of the segments a commit added: what `ranking._field_counts` and
    `ranking._side_by_side` read, no more. Postings and positions are those of these segments
    alone (read once for all those values: the segments are small); doc numbers, the common
    pairs and document frequencies are the whole generation's, so that what is made of them
    decides as it does over every segment (which word to read first, which spellings the
    index holds)."""

    def __init__(self, arrays: IndexArrays, first: int):
        # a proxy: the arrays keep their `Since`, and a cycle would hold an old generation's
        # mapped postings files (merged away, perhaps) until the garbage collector ran
        self._arrays, self._first = weakref.proxy(arrays), first
        self.size, self.common = arrays.size, arrays.common
        self.memo: dict[str, object] = {}  # what is remembered of these segments alone
        self._postings, self._occurrences = _Read(), _Read()

    def postings(self, field: str, text: str) -> Postings:
        found = self._postings.get((field, text))
        if found is None:
            found = self._postings.keep((field, text), self._arrays._read_postings(field, text, self._first))
        return found

    def occurrences(self, field: str, text: str) -> np.ndarray:
        found = self._occurrences.get((field, text))
        if found is None:
            found = self._occurrences.keep((field, text), self._arrays._read_occurrences(field, text, self._first))
        return found

    def occurrences_within(self, field: str, text: str, docs: np.ndarray | None) -> np.ndarray:
        """All of them: a few articles' (callers keep those of `docs`)."""
        return self.occurrences(field, text)

    def document_frequency(self, field: str, text: str) -> int:
        return self._arrays.document_frequency(field, text)

    def lacks(self, terms: tuple[tuple[str, str], ...]) -> bool:
        """Whether these segments lack one of the terms (field, text)."""
        return any(not len(self.postings(field, text)[0]) for field, text in terms)


class _Read(dict):
    """What a `Since` read, by term: up to MAX_READ_TERMS of them, then read again."""

    def keep(self, key, value):
        if len(self) >= MAX_READ_TERMS:
            self.clear()
        self[key] = value
        return value


def _none_of(value: tuple) -> tuple:
    """Arrays of no entry, of the types of `value`'s."""
    return tuple(None if array is None else array[:0] for array in value)


def _joined(before: tuple, at: int, added: tuple) -> tuple:
    """The entries of `before` up to `at`, then those of `added`, array by array (None: one
    weight for all, as ones where the other side has an array).

    >>> [a.tolist() for a in _joined((np.array([1, 4]), None), 1, (np.array([7]), np.array([0.5])))]
    [[1, 7], [1.0, 0.5]]
    """
    joined = []
    for old, new in zip(before, added):
        if old is None and new is None:
            joined.append(None)
            continue
        old = np.ones(len(before[0]), new.dtype) if old is None else old
        new = np.ones(len(added[0]), old.dtype) if new is None else new
        joined.append(np.concatenate((old[:at], new)))
    return tuple(joined)


def _layout(leaves: list) -> tuple[tuple[str, int, int], ...]:
    """(segment id, first doc number, documents) of each segment, in order: made once per
    generation, so that an entry read under it is known by identity."""
    return tuple((leaf_segment_id(leaf), offset, leaf.doc_count_all()) for leaf, offset in leaves)


class _Kept:
    """Arrays read from the index, kept by key with the segments they were read from (the
    `layout` of their generation: `IndexArrays._carry`), up to `limit` entries in all (an
    array's `size`), least recently used first out: the common words of every query (*của*,
    *các*) stay, where emptying the whole cache when it filled read a third of the positions
    of 200 queries at 16 times the corpus again. Once it is full, a large array is not kept
    (ADMIT_WHEN_FULL).

    >>> kept = _Kept(limit=1000)
    >>> [kept.keep(word, word, size, ()) for word, size in [("trạm", 600), ("bts", 400), ("của", 1)]]
    ['trạm', 'bts', 'của']
    >>> "trạm" in kept, "bts" in kept, "của" in kept  # full: a small one evicts the oldest
    (False, True, True)
    >>> kept.keep("mạng", "mạng", 700, ()), "mạng" in kept, "bts" in kept  # a large one is not kept
    ('mạng', False, True)
    >>> kept.keep("viễn", "viễn", 599, ()), kept.size  # while there is room, it is
    ('viễn', 1000)
    >>> kept.keep("bts", "bts", 450, ()), "bts" in kept  # a key kept already is kept again
    ('bts', True)
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self._entries: OrderedDict = OrderedDict()  # key -> (value, size, layout read under)

    def get(self, key) -> tuple[object, tuple] | None:
        """(value, the layout it was read under), marked as used; None when not kept."""
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return found[0], found[2]

    def peek(self, key) -> tuple[object, tuple] | None:
        """`get` without marking it used."""
        found = self._entries.get(key)
        return None if found is None else (found[0], found[2])

    def __contains__(self, key) -> bool:
        return key in self._entries

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0

    def keep(self, key, value, size: int, layout: tuple):
        """Keep `value` of `size`, read under `layout`; return it. Returned, not kept: one
        larger than the whole limit, and one larger than ADMIT_WHEN_FULL of it that would
        evict others (a key kept already is kept again: read anew after a commit)."""
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= old[1]
        if size > self.limit or (old is None and self.size + size > self.limit
                                 and size > self.limit * ADMIT_WHEN_FULL):
            return value
        self._entries[key] = (value, size, layout)
        self.size += size
        while self.size > self.limit:
            self.size -= self._entries.popitem(last=False)[1][1]
        return value


def _runs_within(ids: np.ndarray, freqs: np.ndarray, positions: np.ndarray, wanted: np.ndarray,
                 offset: int) -> np.ndarray:
    """Keys (`doc << 32 | position`, doc numbers shifted by `offset`) of one segment's postings
    (`SegmentPostings.occurrence_runs`) of the documents `wanted` (sorted segment doc numbers).

    >>> ids, freqs, positions = np.array([1, 4, 6], np.uint16), np.array([2, 1, 3], np.uint8), np.arange(6)
    >>> (_runs_within(ids, freqs, positions, np.array([4, 6, 70000]), 10) >> 32).tolist()
    [14, 16, 16, 16]
    >>> (_runs_within(ids, freqs, positions, np.array([4, 6, 70000]), 10) & 0xFFFF).tolist()
    [2, 3, 4, 5]
    """
    at = _places_of(ids, wanted)
    if not len(at):
        return np.zeros(0, np.int64)
    counts = freqs.take(at).astype(np.intp)
    # where each one's positions begin: the frequencies before the first, then those from each
    # to the next, summed by `reduceat` (a cumulative sum of all of them up to the last, cast
    # one by one, was three quarters of this function)
    steps = np.add.reduceat(freqs[:int(at[-1]) + 1], at, dtype=np.intp)
    before = int(freqs[:int(at[0])].sum(dtype=np.intp))
    runs = counts.cumsum()  # where each one's positions end among those taken
    taken = (steps.cumsum() - steps + before - runs + counts).repeat(counts)
    taken += np.arange(int(runs[-1]))
    return ((ids.take(at).astype(np.int64) + offset) << 32).repeat(counts) | positions.take(taken)


def _places_of(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The places in a segment's sorted doc numbers `ids` (in the file's narrow type) of those
    among the sorted `wanted`: each looked up when they are few (in `ids`' type: numpy widened
    the whole of `ids` for each search otherwise), else marked in a table over the segment.

    >>> _places_of(np.array([1, 4, 6], np.uint16), np.array([0, 4, 6, 70000])).tolist()
    [1, 2]
    """
    last = int(ids[-1]) if len(ids) else -1
    wanted = wanted[:int(wanted.searchsorted(last, "right"))]  # the others are not there, nor fit the type
    if len(wanted) * LOOKUP_SHARE < len(ids):
        probes = wanted.astype(ids.dtype)
        at = ids.searchsorted(probes)
        return at.compress(ids.take(at, mode="clip") == probes)
    table = np.zeros(last + 1, dtype=bool)
    table[wanted] = True
    return table.take(ids).nonzero()[0]
