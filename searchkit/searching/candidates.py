"""Rank a backend's candidates with searchkit's own ranking (`searchkit.searching.ranking.rank`).

A backend finds candidates; `CandidateArrays` then stands in for `arrays.IndexArrays` over
them, so that the same BM25, coverage, side-by-side words, accent and pyvi-word bonuses and
did-every-word-match tiers order them as the local index would. What makes the scores equal
to the local ones is that every statistic is the collection's, not the candidates':

- `count` is the number of articles in the collection, `document_frequency` asks the backend;
- inside `rank`, a word's weight is the idf of the documents its postings list: so postings
  list the candidates holding the word and then *stand-ins* for the other articles that hold
  it (numbers past the candidates, with a negligible frequency), which `rank` is never
  allowed to return (see `allowed`);
- length normalisation uses the collection's average field length (the backend's stats).

Phrases and words side by side are counted among the candidates only (the backend would need
a request per phrase otherwise): their weight is a little higher than in the local index.

    >>> arrays = CandidateArrays([{"body_f": "tram bts tram"}], 100, lambda f, t: 10, {"body_f": 3.0})
    >>> ids, tf = arrays.postings("body_f", "tram")
    >>> len(ids), float(tf[0])
    (10, 2.0)
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from searchkit.fields import BY_NAME
from searchkit.fields import FIELDS as REGISTRY
from searchkit.searching.scoring import idf, length_norm, term_bm25

#: Term frequency of a stand-in posting: counted as holding the word, scoring nothing.
STAND_IN_TF = 1e-6
FIELDS = tuple(field.name for field in REGISTRY)  # title_f, body_f, title, body, words


def encode_token(token: str) -> str:
    """A token as ASCII letters and digits only, so that any tokenizer keeps it whole and
    apart from every other: `a`–`w`, `y`, `z` and digits stay; any other character becomes
    `x` and four hex digits (`xz` and six past U+FFFF). Used for every indexed token.

    >>> encode_token("tram"), encode_token("trạm"), encode_token("xã"), encode_token("chữ_ký")
    ('tram', 'trx1ea1m', 'x0078x00e3', 'chx1eefx005fkx00fd')
    """
    out = []
    for char in token:
        if "a" <= char <= "z" and char != "x" or "0" <= char <= "9":
            out.append(char)
        elif ord(char) < 0x10000:
            out.append(f"x{ord(char):04x}")
        else:
            out.append(f"xz{ord(char):06x}")
    return "".join(out)


#: An empty token (a plain syllable's place in an accented field) as a backend holds it: no
#: encoded token is a lone `x`, so it keeps the positions of the others and matches nothing.
PLACE_HOLDER = "x"


def encode_tokens(tokens: Iterable[str]) -> str:
    """Tokens encoded and joined by single spaces: what a backend's text field holds.

    >>> encode_tokens(["nghệ", ""])
    'nghx1ec7 x'
    """
    return " ".join(encode_token(t) if t else PLACE_HOLDER for t in tokens)


def token_count(encoded: str) -> int:
    """Tokens of an encoded field, place holders left out (the field's BM25 length)."""
    return sum(1 for token in encoded.split() if token != PLACE_HOLDER)


class CandidateArrays:
    """`IndexArrays`' interface over backend candidates (doc numbers 0..K-1) plus stand-ins.

    `docs`: each candidate's encoded token fields (FIELDS); `count`: articles in the
    collection; `frequency(field, term)`: in how many of them a (plain) term occurs;
    `averages`: average length of each field over the collection.
    """

    def __init__(self, docs: list[dict], count: int, frequency: Callable[[str, str], int],
                 averages: dict[str, float], wanted: Iterable[str] = (), every: bool = False):
        """`every`: the candidates are every article (a store that hands them all over, with
        exact frequencies): no stand-ins."""
        self.candidates = len(docs)
        self.count = max(count, self.candidates, 1)
        self.size = self.candidates + (0 if every else self.count)
        self._every = every
        self.alive = np.ones(self.size, dtype=bool)
        self.memo: dict[str, object] = {}
        self.docs = docs
        self._frequency = frequency
        self._averages = averages
        self._wanted = {encode_token(t) for t in wanted}
        self._positions: dict[str, dict[str, list[tuple[int, int]]]] = {}
        self._scanned: dict[str, set[str]] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._norms: dict[str, np.ndarray] = {}
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    @property
    def allowed(self) -> np.ndarray:
        """The candidates: what `rank` may return (stand-ins are not articles here)."""
        mask = np.zeros(self.size, dtype=bool)
        mask[:self.candidates] = True
        return mask

    def _field_positions(self, field: str) -> dict[str, list[tuple[int, int]]]:
        """Encoded term -> [(candidate, position)] of the wanted terms, one scan per field."""
        if field not in self._positions:
            found: dict[str, list[tuple[int, int]]] = {}
            wanted = self._wanted
            for doc, fields in enumerate(self.docs):
                for position, token in enumerate((fields.get(field) or "").split()):
                    if token in wanted:
                        found.setdefault(token, []).append((doc, position))
            self._positions[field] = found
            self._scanned[field] = set(wanted)  # what this scan looked for (later terms: another)
        return self._positions[field]

    def _term_positions(self, field: str, term: str) -> list[tuple[int, int]]:
        code = encode_token(term)
        positions = self._field_positions(field)
        # A term not foreseen: one more scan. Which scans count: this field's own (every) or any
        # field's. The second, as the Typesense backend always ranked, misses a term in this
        # field when another field's scan looked for it first (issue 19's report: 18 of 200
        # Typesense rankings change with per-field scans; the relevance issue decides).
        looked = self._scanned[field] if self._every else self._wanted
        if code not in positions and code not in looked:
            self._wanted.add(code)
            self._positions.pop(field)
            positions = self._field_positions(field)
        return positions.get(code, [])

    def document_frequency(self, field: str, text: str) -> int:
        return self._frequency(field, text)

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Candidates holding the term (with their frequencies), then stand-ins for the
        other articles of the collection holding it."""
        key = (field, text)
        if key not in self._postings:
            ids, counts = np.unique(self._keys(field, text) >> 32, return_counts=True)
            stand_ins = min(max(self._frequency(field, text) - len(ids), 0), self.size - self.candidates)
            self._postings[key] = (
                np.concatenate([ids, self.candidates + np.arange(stand_ins, dtype=np.int64)]),
                np.concatenate([counts.astype(np.float32), np.full(stand_ins, STAND_IN_TF, np.float32)]))
        return self._postings[key]

    def occurrences(self, field: str, text: str) -> np.ndarray:
        """`doc << 32 | position` keys of the term among the candidates, sorted."""
        return self._keys(field, text)

    def _keys(self, field: str, text: str) -> np.ndarray:
        """`occurrences` (a subclass may keep them: never changed by a caller)."""
        keys = [(doc << 32) | position for doc, position in self._term_positions(field, text)]
        return np.array(sorted(keys), dtype=np.int64)

    def lengths(self, field: str) -> np.ndarray:
        if field not in self._lengths:
            average = float(self._averages.get(field) or 1.0)
            lengths = np.full(self.size, average, dtype=np.float32)
            lengths[:self.candidates] = [token_count(d.get(field) or "") for d in self.docs]
            self._lengths[field] = lengths
        return self._lengths[field]

    def norm(self, field: str) -> np.ndarray:
        if field not in self._norms:
            norm = length_norm(self.lengths(field), float(self._averages.get(field) or 1.0), BY_NAME[field].b)
            norm.flags.writeable = False  # read by every term's scores (`term_bm25` writes a copy)
            self._norms[field] = norm
        return self._norms[field]

    def term_scores(self, field: str, text: str, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of one term in one field over the candidates, weighted by its collection idf."""
        ids, tf = self.postings(field, text)
        real = ids < self.candidates
        ids, tf = ids[real], tf[real]
        if not len(ids):
            return ids, tf
        weight = boost * idf(self.count, self._frequency(field, text))
        return ids, term_bm25(tf, self.norm(field).take(ids), weight)
