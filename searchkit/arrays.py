"""Postings, lengths and positions of an open index as numpy arrays over global doc numbers.

The storage side of ranking: `ranking.py` asks for arrays, `scoring.py` turns them into
scores. Whoosh's matcher tree scores one posting at a time in Python (70–400 ms for two to
six common words over 16k articles), so each term's postings come from the segment's
`.skp` file instead (a memory-mapped slice; see `postings.py`). Positions are read as
whole arrays of `doc << 32 | position` keys, so adjacency over every candidate is a
vectorised lookup.

A segment without a `.skp` file is read from Whoosh's own posting blocks; like
`segments.py`, that reads codec internals of the pinned whoosh-reloaded (`_terms.matcher`,
block data, the raw length columns).
"""

from __future__ import annotations

import pickle
from functools import lru_cache
from itertools import accumulate

import numpy as np

from searchkit.scoring import idf, length_norm, tf_part

#: BM25's b per field: titles are short and even, so their length matters less.
LENGTH_WEIGHT = {"title": 0.5, "title_f": 0.5, "body": 0.75, "body_f": 0.75, "words": 0.75}
#: Posting entries (doc number + frequency, 12 bytes) kept between searches of one index
#: generation: about 120 MB at most; past it the posting cache starts afresh.
MAX_CACHED_POSTINGS = 10_000_000
#: Document frequencies kept (a long query looks up hundreds of words once each).
MAX_CACHED_FREQUENCIES = 500_000
#: Position keys kept between searches (int64 each): about 160 MB at most.
MAX_CACHED_OCCURRENCES = 20_000_000

Postings = tuple[np.ndarray, np.ndarray]  # global doc numbers (sorted), term frequencies
_EMPTY: Postings = (np.zeros(0, np.int64), np.zeros(0, np.float32))


@lru_cache(maxsize=1)
def _length_table() -> np.ndarray:
    from whoosh.util.numeric import byte_to_length

    return np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


class IndexArrays:
    """Postings, lengths and positions of one open reader, as arrays over global doc numbers."""

    def __init__(self, reader):
        self.reader = reader
        self.leaves = _segment_leaves(reader)
        self.size = reader.doc_count_all()
        self.count = max(reader.doc_count(), 1)
        self.alive = self._alive()
        self._sides = self._open_sides()
        self._cache: dict[tuple[str, str], Postings] = {}
        self._cached_size = 0
        self._frequencies: dict[tuple[str, str], int] = {}
        self.memo: dict[str, object] = {}  # per-generation values others derive (dates by doc)
        self._occurrences: dict[tuple[str, str], np.ndarray] = {}
        self._occurrence_size = 0
        self._lengths: dict = {}

    def rebind(self, reader) -> None:
        """Use a new reader of the same generation (same segments, same doc numbers)."""
        if reader is self.reader:
            return
        self.reader = reader
        self.leaves = _segment_leaves(reader)
        self._sides = self._open_sides()

    def _open_sides(self) -> dict[int, object]:
        """The `.skp` postings file of each segment that has one, by id() of its reader."""
        from searchkit.postings import for_segment

        return {id(leaf): for_segment(leaf) for leaf, _ in self.leaves}

    def _alive(self) -> np.ndarray:
        alive = np.ones(self.size, dtype=bool)
        for leaf, offset in self.leaves:
            deleted = list(leaf._perdoc.deleted_docs()) if leaf.has_deletions() else []
            alive[np.asarray(deleted, dtype=np.int64) + offset] = False
        return alive

    def _matcher(self, leaf, field: str, text: str):
        """Whoosh's leaf matcher of a term in one segment, or None."""
        from whoosh.reading import TermNotFound

        if field not in self.reader.schema or not self.reader.schema[field].indexed:
            return None  # kept only in the .skp files
        try:
            return leaf._terms.matcher(field, leaf._text_to_bytes(field, text), self.reader.schema[field].format)
        except TermNotFound:
            return None

    def _segment_postings(self, leaf, field: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment doc numbers, frequencies): from the segment's `.skp` file when it has one
        (a memory-mapped slice), else by reading Whoosh's posting blocks."""
        side = self._sides.get(id(leaf))
        if side is not None:
            return side.get(field, text)
        matcher = self._matcher(leaf, field, text)
        if matcher is None:
            return None
        ids, freqs = [], []
        while matcher.is_active():
            matcher._read_data()  # one unpickled tuple: ids, weights, encoded positions
            block_ids, weights = matcher._data[:2]
            block_ids = np.asarray(block_ids, dtype=np.int64)
            ids.append(block_ids if matcher._byteids else np.cumsum(block_ids))
            freqs.append(_weights(weights, len(block_ids)))
            matcher._next_block()
        return np.concatenate(ids), np.concatenate(freqs)

    def postings(self, field: str, text: str) -> Postings:
        """Doc numbers and frequencies of a term (deleted documents included), cached."""
        key = (field, text)
        if key not in self._cache:
            ids, freqs = [], []
            for leaf, offset in self.leaves:
                found = self._segment_postings(leaf, field, text)
                if found is not None and len(found[0]):
                    ids.append(found[0].astype(np.int64) + offset)
                    freqs.append(found[1])
            found = (np.concatenate(ids), np.concatenate(freqs)) if ids else _EMPTY
            self._cached_size += len(found[0])
            if self._cached_size > MAX_CACHED_POSTINGS:
                self._cache.clear()
                self._cached_size = len(found[0])
            self._cache[key] = found
        return self._cache[key]

    def document_frequency(self, field: str, text: str) -> int:
        """In how many documents a term occurs (deleted ones included), without reading its
        postings: the query rewriting asks this of every word of a long query."""
        key = (field, text)
        found = self._frequencies.get(key)
        if found is None:
            if key in self._cache:
                found = len(self._cache[key][0])
            else:
                found = sum(self._segment_frequency(leaf, field, text) for leaf, _ in self.leaves)
            if len(self._frequencies) > MAX_CACHED_FREQUENCIES:
                self._frequencies.clear()
            self._frequencies[key] = found
        return found

    def completions(self, field: str, prefix: str) -> dict[str, int]:
        """Terms of a field beginning with `prefix`, with their document frequencies."""
        found: dict[str, int] = {}
        for leaf, _ in self.leaves:
            side = self._sides.get(id(leaf))
            if side is not None:
                terms = side.completions(field, prefix)
            elif field in leaf.schema and leaf.schema[field].indexed:
                terms = {_text(t): leaf.doc_frequency(field, t) for t in leaf.expand_prefix(field, prefix)}
            else:
                terms = {}
            for term, count in terms.items():
                found[term] = found.get(term, 0) + count
        return found

    def _segment_frequency(self, leaf, field: str, text: str) -> int:
        side = self._sides.get(id(leaf))
        if side is not None:
            return side.frequency(field, text)
        found = self._segment_postings(leaf, field, text)
        return 0 if found is None else len(found[0])

    def lengths(self, field: str) -> np.ndarray:
        """Length of `field` in every document: from the `.skp` files, else Whoosh's length
        column (stored to one byte of precision)."""
        if field not in self._lengths:
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN

            out = np.zeros(self.size, dtype=np.float32)
            for leaf, offset in self.leaves:
                side = self._sides.get(id(leaf))
                exact = side.lengths(field) if side is not None else None
                if exact is not None:
                    out[offset:offset + len(exact)] = exact
                    continue
                column = leaf._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
                if column is not None:
                    raw = column._dbfile.get(column._basepos, column._count)
                    out[offset:offset + column._count] = _length_table()[np.frombuffer(raw, dtype=np.uint8)]
            self._lengths[field] = out
        return self._lengths[field]

    def norm(self, field: str) -> np.ndarray:
        """BM25's length normalisation of `field` for every document (averaged over live ones)."""
        key = ("norm", field)
        if key not in self._lengths:
            lengths = self.lengths(field)
            alive = lengths[self.alive]
            average = float(alive.mean()) if len(alive) else 1.0
            self._lengths[key] = length_norm(lengths, average, LENGTH_WEIGHT[field])
        return self._lengths[key]

    def term_scores(self, field: str, text: str, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of one term in one field: (doc numbers, scores)."""
        ids, tf = self.postings(field, text)
        if not len(ids):
            return ids, tf
        weight = boost * idf(self.count, len(ids))
        return ids, (weight * tf_part(tf, self.norm(field)[ids])).astype(np.float32)

    def occurrences(self, field: str, text: str) -> np.ndarray:
        """Every occurrence of a term in a positional field, as sorted `doc << 32 | position`
        keys (deleted documents included)."""
        key = (field, text)
        found = self._occurrences.get(key)
        if found is None:
            parts = []
            for leaf, offset in self.leaves:
                side = self._sides.get(id(leaf))
                local = side.occurrences(field, text) if side is not None else None
                if local is None:
                    local = self._whoosh_occurrences(leaf, field, text)
                if len(local[0]):
                    parts.append(((local[0].astype(np.int64) + offset) << 32) | local[1].astype(np.int64))
            found = np.concatenate(parts) if parts else np.zeros(0, np.int64)
            self._occurrence_size += len(found)
            if self._occurrence_size > MAX_CACHED_OCCURRENCES:
                self._occurrences.clear()
                self._occurrence_size = len(found)
            self._occurrences[key] = found
        return found

    def _whoosh_occurrences(self, leaf, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(segment doc per occurrence, position) read from Whoosh's posting blocks."""
        matcher = self._matcher(leaf, field, text)
        docs: list[int] = []
        positions: list[int] = []
        while matcher is not None and matcher.is_active():
            matcher._read_data()
            ids, _, values = matcher._data[:3]
            ids = np.asarray(ids, dtype=np.int64)
            ids = ids if matcher._byteids else np.cumsum(ids)
            for doc, value in zip(ids.tolist(), values):
                where = _decode_positions(value)
                docs += [doc] * len(where)
                positions += where
            matcher._next_block()
        return np.asarray(docs, dtype=np.int64), np.asarray(positions, dtype=np.int64)


def _decode_positions(value: bytes) -> tuple[int, ...]:
    """Whoosh's Positions value: a 4-byte count, then the pickled position deltas."""
    if not value.endswith(b"."):
        value += b"."
    return tuple(accumulate(pickle.loads(value[4:])))


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _segment_leaves(reader) -> list:
    """(segment reader, doc offset) pairs; an empty index has none (its EmptyReader
    has no segment)."""
    return [(leaf, offset) for leaf, offset in reader.leaf_readers() if hasattr(leaf, "_segment")]


def _weights(weights, count: int) -> np.ndarray:
    """A block's term frequencies: Whoosh stores None for all ones, a float for all equal."""
    if weights is None:
        return np.ones(count, dtype=np.float32)
    if isinstance(weights, float):
        return np.full(count, weights, dtype=np.float32)
    return np.asarray(weights, dtype=np.float32)


