"""Score a parsed query with BM25F over Whoosh's postings, in numpy arrays.

Whoosh's matcher tree scores one posting at a time in Python: 70–400 ms for a query of
two to six common words over 16k articles, before counting the matches. Here each term's
postings come from the segment's `.skp` file (a memory-mapped slice; see `postings.py`)
and are scored as arrays indexed by document number; a query costs a few array
operations per term. Positions are looked up only where they decide something: the
candidates of a quoted phrase, and the best candidates for the proximity bonus.

A segment without a `.skp` file is read from Whoosh's own posting blocks; like
`segments.py`, that reads codec internals of the pinned whoosh-reloaded (`_terms.matcher`,
block data, the raw length columns).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Iterable

import numpy as np

from searchkit.query import Clause, ParsedQuery
from searchkit.text.syllables import Syllable

K1 = 1.2
LENGTH_WEIGHT = {"title": 0.5, "title_f": 0.5, "body": 0.75, "body_f": 0.75, "words": 0.75}
FIELD_BOOSTS = {"title": 2.5, "body": 1.0}
#: Extra weight when the accents typed agree with the article's (the folded match counts too).
ACCENT_BOOST = 1.0
#: Bonus for typed words that stand side by side in the article, per adjacent pair.
PROXIMITY_BOOST = 1.5
#: Bonus for typed syllables that pyvi found as one word in the article ('bán_hàng').
COMPOUND_BOOST = 0.5
#: Only this many best candidates are checked for the proximity bonus.
RERANK_DEPTH = 50
#: Decoded posting lists kept between searches of one index generation.
MAX_CACHED_TERMS = 5000

Postings = tuple[np.ndarray, np.ndarray]  # global doc numbers (sorted), term frequencies
_EMPTY: Postings = (np.zeros(0, np.int64), np.zeros(0, np.float32))


@dataclass
class Ranked:
    """All documents matching a query, with their scores (dense over doc numbers)."""

    matched: np.ndarray  # bool per doc number
    scores: np.ndarray  # float per doc number

    @property
    def total(self) -> int:
        return int(self.matched.sum())

    def top(self, limit: int) -> list[tuple[int, float]]:
        """The `limit` best (docnum, score), best first; ties by doc number."""
        docs = np.flatnonzero(self.matched)
        if len(docs) > limit:
            docs = docs[np.argpartition(-self.scores[docs], limit - 1)[:limit]]
        order = np.lexsort((docs, -self.scores[docs]))
        return [(int(d), float(self.scores[d])) for d in docs[order]]


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
        self._positions: dict[tuple[str, str], dict[int, tuple[int, ...]]] = {}
        self._lengths: dict[str, np.ndarray] = {}

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

    def oversized(self) -> bool:
        """True when the cache holds so many terms that it should be started afresh."""
        return len(self._cache) > MAX_CACHED_TERMS

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
            self._cache[key] = (np.concatenate(ids), np.concatenate(freqs)) if ids else _EMPTY
        return self._cache[key]

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

    def average_length(self, field: str) -> float:
        alive = self.lengths(field)[self.alive]
        return max(float(alive.mean()) if len(alive) else 1.0, 1.0)

    def term_scores(self, field: str, text: str, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of one term in one field: (doc numbers, scores)."""
        ids, tf = self.postings(field, text)
        if not len(ids):
            return ids, tf
        idf = _idf(self.count, len(ids))
        average = self.average_length(field)
        b = LENGTH_WEIGHT[field]
        norm = K1 * (1.0 - b + b * self.lengths(field)[ids] / average)
        return ids, (boost * idf * tf * (K1 + 1.0) / (tf + norm)).astype(np.float32)

    def positions(self, field: str, text: str, docs: np.ndarray) -> dict[int, tuple[int, ...]]:
        """Positions of a term in each of the given (sorted) documents that contain it.

        Block headers tell each block's last document, so only the blocks that hold one of
        `docs` are unpickled.
        """
        known = self._positions.setdefault((field, text), {})
        missing = np.asarray([d for d in docs.tolist() if d not in known], dtype=np.int64)
        for leaf, offset in self.leaves if len(missing) else ():
            local = missing[(missing >= offset) & (missing < offset + leaf.doc_count_all())] - offset
            side = self._sides.get(id(leaf)) if len(local) else None
            from_file = side.positions(field, text, local) if side is not None else None
            if from_file is not None:
                known.update((doc + offset, where) for doc, where in from_file.items())
                continue
            matcher = self._matcher(leaf, field, text) if len(local) else None
            if matcher is not None:
                for doc, value in _values_for(matcher, local):
                    known[doc + offset] = _decode_positions(value)
        known.update((d, _NOWHERE) for d in missing.tolist() if d not in known)
        return {d: known[d] for d in docs.tolist() if known[d]}


def _values_for(matcher, docs: np.ndarray):
    """(doc, encoded value) for each of the sorted segment `docs` the term occurs in."""
    j = 0
    while matcher.is_active() and j < len(docs):
        if matcher._maxid < docs[j]:  # the whole block lies before the next wanted doc
            matcher._next_block()
            continue
        matcher._read_data()
        ids, _, values = matcher._data[:3]
        ids = np.asarray(ids, dtype=np.int64)
        ids = ids if matcher._byteids else np.cumsum(ids)
        at = np.minimum(np.searchsorted(ids, docs[j:]), len(ids) - 1)
        for k in np.flatnonzero(ids[at] == docs[j:]):
            yield int(docs[j + k]), values[at[k]]
        j += int(np.searchsorted(docs[j:], ids[-1], side="right"))
        matcher._next_block()


def _decode_positions(value: bytes) -> tuple[int, ...]:
    """Whoosh's Positions value: a 4-byte count, then the pickled position deltas."""
    if not value.endswith(b"."):
        value += b"."
    return tuple(accumulate(pickle.loads(value[4:])))


_NOWHERE: tuple[int, ...] = ()


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


def rank(arrays: IndexArrays, parsed: ParsedQuery, allowed: np.ndarray | None = None) -> Ranked:
    """Every document that matches all groups and no exclusion, with its BM25F score."""
    matched = arrays.alive.copy() if allowed is None else arrays.alive & allowed
    scores = np.zeros(arrays.size, dtype=np.float32)
    for group in parsed.groups:
        group_match = np.zeros(arrays.size, dtype=bool)
        for clause in group:
            clause_match, clause_score = _clause(arrays, clause, matched)
            group_match |= clause_match
            scores += np.where(clause_match, clause_score, 0.0).astype(np.float32)
        matched &= group_match
    for clause in parsed.excluded:
        matched &= ~_clause(arrays, clause, matched)[0]
    _proximity_bonus(arrays, parsed, matched, scores)
    return Ranked(matched, scores)


def _clause(arrays: IndexArrays, clause: Clause, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(match mask, score) of a clause as typed or any of its alternatives (CNTT ⇄ công
    nghệ thông tin); each form that matches adds its score."""
    match, score = _typed(arrays, clause, candidates)
    for alternative in clause.alternatives:
        weight = alternative.boost * min(1.0, len(clause.syllables) / len(alternative.folded))
        alt_match, alt_score = _words(arrays, alternative.folded, (), clause.fields, candidates,
                                      phrase=len(alternative.folded) > 1, weight=weight)
        match |= alt_match
        score += np.where(alt_match, alt_score, 0.0).astype(np.float32)
    return match, score


def _typed(arrays: IndexArrays, clause: Clause, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The clause as typed: folded forms must match, typed accents add to the score."""
    accented = tuple(s.accented if s.accented != s.folded else "" for s in clause.syllables)
    return _words(arrays, tuple(s.folded for s in clause.syllables), accented, clause.fields,
                  candidates, phrase=clause.phrase)


def _words(arrays: IndexArrays, folded: tuple[str, ...], accented: tuple[str, ...],
           fields: tuple[str, ...], candidates: np.ndarray, phrase: bool, weight: float = 1.0):
    """(match, score) of words that must all appear (in order and adjacent with `phrase`)."""
    match = np.ones(arrays.size, dtype=bool)
    score = np.zeros(arrays.size, dtype=np.float32)
    for i, word in enumerate(folded):
        in_fields = np.zeros(arrays.size, dtype=bool)
        for field in fields:
            ids, values = arrays.term_scores(f"{field}_f", word, FIELD_BOOSTS[field] * weight)
            in_fields[ids] = True
            score[ids] += values
            if accented and accented[i]:
                ids, values = arrays.term_scores(field, accented[i], FIELD_BOOSTS[field] * ACCENT_BOOST)
                score[ids] += values
        match &= in_fields
    if phrase and len(folded) > 1:
        match &= _phrase_match(arrays, folded, fields, match & candidates)
    return match, score


def _phrase_match(arrays: IndexArrays, folded: tuple[str, ...], fields: tuple[str, ...],
                  candidates: np.ndarray) -> np.ndarray:
    """Documents where the folded syllables stand in order in one of the fields."""
    docs = np.flatnonzero(candidates)
    match = np.zeros(arrays.size, dtype=bool)
    for field in fields:
        for doc in _adjacent(arrays, f"{field}_f", list(folded), docs, slop=0):
            match[doc] = True
    return match


def _adjacent(arrays: IndexArrays, field: str, terms: list[str], docs: np.ndarray, slop: int) -> Iterable[int]:
    """Documents among `docs` where `terms` occur in order, each within `slop` of the last."""
    if not len(docs):
        return []
    starts = arrays.positions(field, terms[0], docs)
    for term in terms[1:]:
        following = arrays.positions(field, term, np.asarray(sorted(starts), dtype=np.int64))
        starts = {d: _near(starts[d], p, slop) for d, p in following.items()}
        starts = {d: p for d, p in starts.items() if len(p)}
        if not starts:
            return []
    return list(starts)


def _near(before: tuple[int, ...], after: tuple[int, ...], slop: int) -> tuple[int, ...]:
    """Positions in `after` that come 1 to 1 + slop places after some position in `before`."""
    targets = {p + k for p in before for k in range(1, slop + 2)}
    return tuple(p for p in after if p in targets)


def _free_runs(parsed: ParsedQuery) -> list[list[Syllable]]:
    """Runs of consecutive single-word clauses (the words a user typed side by side)."""
    runs: list[list[Syllable]] = [[]]
    for group in parsed.groups:
        clause = group[0]
        if len(group) == 1 and not clause.phrase and not clause.title_only:
            runs[-1].extend(clause.syllables)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) > 1]


def _proximity_bonus(arrays: IndexArrays, parsed: ParsedQuery, matched: np.ndarray, scores: np.ndarray) -> None:
    """Reward the best candidates where typed words stand together or form pyvi words."""
    runs = _free_runs(parsed)
    if not runs or not matched.any():
        return
    docs = np.flatnonzero(matched)
    if len(docs) > RERANK_DEPTH:
        docs = np.sort(docs[np.argpartition(-scores[docs], RERANK_DEPTH - 1)[:RERANK_DEPTH]])
    for run in runs:
        for a, b in zip(run, run[1:]):
            for field, boost in FIELD_BOOSTS.items():
                weight = PROXIMITY_BOOST * boost * _pair_idf(arrays, f"{field}_f", a.folded, b.folded)
                for doc in _adjacent(arrays, f"{field}_f", [a.folded, b.folded], docs, slop=2):
                    scores[doc] += weight
        for size in (2, 3):
            for i in range(len(run) - size + 1):
                part = run[i:i + size]
                if any(s.accented != s.folded for s in part):
                    ids, values = arrays.term_scores("words", "_".join(s.accented for s in part), COMPOUND_BOOST)
                    keep = matched[ids]
                    scores[ids[keep]] += values[keep]


def _idf(articles: int, frequency: int) -> float:
    """BM25's idf; deleted articles still in the postings never make it negative."""
    frequency = min(frequency, articles)
    return float(np.log(1.0 + (articles - frequency + 0.5) / (frequency + 0.5)))


def _pair_idf(arrays: IndexArrays, field: str, *terms: str) -> float:
    """The smaller idf of the terms: a pair is as telling as its commoner word."""
    return _idf(arrays.count, max(len(arrays.postings(field, term)[0]) for term in terms))
