"""Rank every article for a `QueryPlan`, in numpy arrays over document numbers.

An article's score is the BM25 of each clause in titles and bodies (a clause and its
alternatives — `CNTT` and *công nghệ thông tin* — count as one term, so an article that
spells an abbreviation out ranks like one that writes it), plus the BM25 of each pair and
triple of words typed side by side that the article has side by side (over every candidate),
plus a bonus for typed accents and pyvi words, all scaled by coverage²: the share of the
idf of the optional words (and, for a query of up to six words, of their neighbours) the
article holds. Required clauses (quoted
phrases, `+word`, `title:`) filter; optional ones grade. For a query of a few words, the
articles holding every word come first.

The formulas are in `scoring.py`; postings and positions come from `arrays.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from searchkit.fields import FOLDED, WORDS, accented_field, fields_of, folded_field
from searchkit.searching.arrays import IndexArrays
from searchkit.searching.plan import Group, QueryPlan
from searchkit.searching.query import Clause
from searchkit.searching.scoring import blend, coverage, idf, minimum_coverage, tf_part

#: Extra weight when the accents typed agree with the article's (the folded match counts too),
#: times the accented field's own boost (`searchkit.fields`).
ACCENT_BOOST = 1.0
#: Weight of typed words found side by side (a pair or a triple), relative to a word.
PAIR_BOOST = 1.5
#: A query with more optional words than this is long (a question, a pasted paragraph).
LONG_QUERY = 6
#: In a long query, neighbours made only of words found in more than this share of
#: articles are not looked up.
COMMON_SHARE = 0.5
#: Coordination: how strongly missing words lower an article's score (coverage ** POWER).
COVERAGE_POWER = 2.0
#: Articles holding every optional word of a short query (at most this many words) are
#: ranked first once there are ENOUGH_COMPLETE of them.
COMPLETE_FIRST_UP_TO = 4
ENOUGH_COMPLETE = 1
#: Position lists within this ratio of sizes are intersected by merging, not binary search.
MERGE_RATIO = 8


@dataclass
class Ranked:
    """Every matching document with its score (dense over doc numbers); `first` marks the
    articles ranked ahead of the rest (those holding every word, when there are enough)."""

    matched: np.ndarray
    scores: np.ndarray
    first: np.ndarray | None = None
    complete: int = 0  # matches holding every word

    @property
    def total(self) -> int:
        return int(self.matched.sum())

    def order_key(self, docs: np.ndarray) -> tuple[np.ndarray, ...]:
        """Sort keys for np.lexsort (last is primary): doc number, score, tier."""
        keys = (docs, -self.scores[docs])
        return keys + ((~self.first[docs],) if self.first is not None else ())

    def top(self, limit: int, offset: int = 0) -> list[tuple[int, float]]:
        """The best (docnum, score) from `offset` on, best first; ties by doc number."""
        docs = np.flatnonzero(self.matched)
        wanted = offset + limit
        if len(docs) > wanted and self.first is None:
            docs = docs[np.argpartition(-self.scores[docs], wanted - 1)[:wanted]]
        order = np.lexsort(self.order_key(docs))[offset:wanted]
        return [(int(d), float(self.scores[d])) for d in docs[order]]


@dataclass
class Trace:
    """Contributions to the score kept for `--explain`: label -> (doc numbers, values)."""

    parts: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    coverage: np.ndarray | None = None  # what scaled the score (words, and a short query's neighbours)
    complete: np.ndarray | None = None  # which articles hold every optional word
    weights: dict[str, float] = field(default_factory=dict)

    def add(self, label: str, ids: np.ndarray, values: np.ndarray) -> None:
        if label in self.parts:
            old_ids, old_values = self.parts[label]
            ids, values = np.concatenate([old_ids, ids]), np.concatenate([old_values, values])
        self.parts[label] = (ids, values)

    def of(self, doc: int) -> dict[str, float]:
        """Each label's contribution to one document (before coverage), zeros left out."""
        found = {}
        for label, (ids, values) in self.parts.items():
            value = float(values[ids == doc].sum())
            if value:
                found[label] = value
        return found


def rank(arrays: IndexArrays, plan: QueryPlan, allowed: np.ndarray | None = None,
         trace: Trace | None = None) -> Ranked:
    """Every article that holds the required clauses, no excluded one and enough of the
    optional ones, with its score."""
    base = arrays.alive.copy() if allowed is None else arrays.alive & allowed
    relevance = np.zeros(arrays.size, dtype=np.float32)
    for group in plan.required:
        match, score = _group(arrays, group, trace)
        base &= match
        relevance += score  # zero where the group does not match
    for clause in plan.excluded:
        base &= ~_clause(arrays, clause, None)[0]
    rows, weights = [], []
    for group in plan.optional:
        match, score = _group(arrays, group, trace)
        rows.append(match)
        weights.append(idf(arrays.count, int(np.count_nonzero(match & arrays.alive))))
        relevance += score
        if trace is not None:
            trace.weights[_label(group)] = weights[-1]
    neighbours = _neighbours(arrays, plan, relevance, trace)
    _compounds(arrays, plan, relevance, trace)
    if not rows:
        return Ranked(base, relevance, None, int(base.sum()))
    return _grade(base, relevance, rows, weights, neighbours, bool(plan.required), trace)


def _grade(base: np.ndarray, relevance: np.ndarray, rows: list[np.ndarray], weights: list[float],
           neighbours: list[tuple[float, np.ndarray]], required: bool, trace: Trace | None) -> Ranked:
    """Matches by coverage of the optional words; scores scaled by coverage of the words (and,
    in a query of a few words, of their neighbours); complete matches of a short query first."""
    words = coverage(np.asarray(weights), np.vstack(rows))
    best = float(words[base].max()) if base.any() else 0.0
    if best > 0:
        matched = base & (words > 0) & (words >= minimum_coverage(len(rows), best) - 1e-6)
    else:  # no article holds an optional word: the required ones decide alone, if any
        matched = base if required else np.zeros_like(base)
    complete = matched & (words >= 1.0 - 1e-6)
    count = int(complete.sum())
    # a long query's complete matches are long articles that happen to hold its particles
    short = len(rows) <= COMPLETE_FIRST_UP_TO
    first = complete if short and count >= ENOUGH_COMPLETE and count < matched.sum() else None
    if len(rows) <= LONG_QUERY:  # a concept: its words as typed, side by side
        covered = coverage(np.asarray(weights + [w for w, _ in neighbours]),
                           np.vstack(rows + [m for _, m in neighbours]))
    else:  # a question: what it asks about, not how it is phrased ('tại sao … lại')
        covered = words
    if trace is not None:
        trace.coverage, trace.complete = covered, complete
    return Ranked(matched, blend(relevance, covered, COVERAGE_POWER), first, count)


def _group(arrays: IndexArrays, group: Group, trace: Trace | None) -> tuple[np.ndarray, np.ndarray]:
    """A group matches where one of its clauses does (`a OR b`); their scores add up."""
    match = np.zeros(arrays.size, dtype=bool)
    score = np.zeros(arrays.size, dtype=np.float32)
    for clause in group:
        clause_match, clause_score = _clause(arrays, clause, trace)
        match |= clause_match
        score += clause_score
    return match, score


def _clause(arrays: IndexArrays, clause: Clause, trace: Trace | None) -> tuple[np.ndarray, np.ndarray]:
    """(match, score) of a clause: its typed form and its alternatives count as one term per
    field (their occurrences add up, their document frequency is that of either), and typed
    accents add the accented field's BM25 where the article writes them so."""
    forms = [(clause.folded, 1.0)] + [(a.folded, a.boost) for a in clause.alternatives]
    match = np.zeros(arrays.size, dtype=bool)
    score = np.zeros(arrays.size, dtype=np.float32)
    label = _label((clause,))
    for field_name in clause.fields:
        folded = folded_field(field_name)
        if len(forms) == 1 and len(clause.folded) == 1:  # a plain word: straight from its postings
            ids, tf_ids = arrays.postings(folded.name, clause.folded[0])
            share = 1.0
        else:
            ids, tf_ids, share = _merged_counts(arrays, folded.name, forms)
        if not len(ids):
            continue
        weight = folded.boost * idf(arrays.count, int(np.count_nonzero(arrays.alive[ids])))
        part = weight * share * tf_part(tf_ids, arrays.norm(folded.name)[ids])
        score[ids] += part
        match[ids] = True
        if trace is not None:
            trace.add(f"{label} · {field_name}", ids, part)
        _accents(arrays, clause, field_name, match, score, trace)
    return match, score


def _merged_counts(arrays: IndexArrays, field_name: str, forms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(doc numbers, occurrences of any form, share of them weighted by each form's boost)."""
    tf = np.zeros(arrays.size, dtype=np.float32)
    weighted = np.zeros(arrays.size, dtype=np.float32)
    for folded, boost in forms:
        ids, counts = _form_counts(arrays, field_name, folded)
        tf[ids] += counts
        weighted[ids] += boost * counts
    ids = np.flatnonzero(tf)
    return ids, tf[ids], weighted[ids] / tf[ids]  # an alternative counts a little less


def _accents(arrays: IndexArrays, clause: Clause, field_name: str, match: np.ndarray,
             score: np.ndarray, trace: Trace | None) -> None:
    """The bonus for typed accents; a phrase shares one bonus among its syllables."""
    share = ACCENT_BOOST / len(clause.syllables)
    for syllable in clause.syllables:
        if syllable.accented == syllable.folded:
            continue
        accented = accented_field(field_name)
        ids, values = arrays.term_scores(accented.name, syllable.accented, accented.boost * share)
        keep = match[ids]
        score[ids[keep]] += values[keep]
        if trace is not None and keep.any():
            trace.add(f"{syllable.accented} (dấu) · {field_name}", ids[keep], values[keep])


def _form_counts(arrays: IndexArrays, field_name: str, folded: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(doc numbers, occurrences) of a syllable, or of syllables standing in order."""
    if len(folded) == 1:
        return arrays.postings(field_name, folded[0])
    keys = phrase_occurrences(arrays, field_name, folded)
    docs, counts = np.unique(keys >> 32, return_counts=True)
    return docs, counts.astype(np.float32)


def phrase_occurrences(arrays: IndexArrays, field_name: str, folded: tuple[str, ...]) -> np.ndarray:
    """Keys (`doc << 32 | position` of the last syllable) where the syllables stand in order."""
    keys = arrays.occurrences(field_name, folded[0])
    for term in folded[1:]:
        if not len(keys):
            break
        keys = _followed(keys, arrays.occurrences(field_name, term))
    return keys


def _followed(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The keys of `after` right after a key of `before`: the sorted intersection of
    `before + 1` and `after`. Arrays of similar size are merged (a stable sort of the two
    sorted runs is one linear merge: twice as fast as binary searches, as for two common
    words); otherwise the shorter one's keys are looked up in the longer.

    >>> _followed(np.array([1, 5, 9]), np.array([2, 3, 10])).tolist()
    [2, 10]
    """
    if min(len(before), len(after)) * MERGE_RATIO >= max(len(before), len(after)):
        both = np.concatenate((before + 1, after))
        both.sort(kind="stable")
        return both[1:][both[1:] == both[:-1]]
    if len(before) <= len(after):
        probes = before + 1
        return probes[_member(after, probes)]
    return after[_member(before, after - 1)]


def _member(keys: np.ndarray, probes: np.ndarray) -> np.ndarray:
    """Which probes are in the sorted `keys`."""
    if not len(keys):
        return np.zeros(len(probes), dtype=bool)
    at = np.minimum(np.searchsorted(keys, probes), len(keys) - 1)
    return keys[at] == probes


def _neighbours(arrays: IndexArrays, plan: QueryPlan, relevance: np.ndarray,
                trace: Trace | None) -> list[tuple[float, np.ndarray]]:
    """BM25 of words typed side by side as if they were one term (how often the article has
    them side by side, weighed by how rare that is), added to `relevance`; returns each
    one's (idf, mask of the articles holding it), which count towards coverage like words:
    an article holding `chữ ký số` as written covers more of the query than one holding the
    three syllables apart, whatever field they are in."""
    found = []
    long_query = len(plan.optional) > LONG_QUERY
    known: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}  # pairs found, reused by triples
    for neighbours in plan.neighbours:
        holding = np.zeros(arrays.size, dtype=bool)
        for folded in fields_of(FOLDED):
            field_f, field_name = folded.name, folded.text[0]
            if long_query and _glue(arrays, field_f, neighbours.words):
                continue
            head = known.get((field_f, neighbours.words[:-1]))
            if head is not None:
                keys = _followed(head, arrays.occurrences(field_f, neighbours.words[-1]))
            else:
                keys = phrase_occurrences(arrays, field_f, neighbours.words)
            known[(field_f, neighbours.words)] = keys
            if not len(keys):
                continue
            ids, counts = np.unique(keys >> 32, return_counts=True)
            weight = PAIR_BOOST * folded.boost * idf(arrays.count, int(np.count_nonzero(arrays.alive[ids])))
            part = weight * tf_part(counts.astype(np.float32), arrays.norm(field_f)[ids])
            relevance[ids] += part
            holding[ids] = True
            if trace is not None:
                trace.add(f'"{neighbours}" · {field_name}', ids, part)
        holders = int(np.count_nonzero(holding & arrays.alive))
        if holders:
            found.append((idf(arrays.count, holders), holding))
    return found


def _glue(arrays: IndexArrays, field_name: str, words: tuple[str, ...]) -> bool:
    """Whether every word is found in most articles ('đã làm', 'của các'): in a long query
    such neighbours tell nothing and cost the most to look up."""
    common = arrays.count * COMMON_SHARE
    return all(arrays.document_frequency(field_name, word) > common for word in words)


def _compounds(arrays: IndexArrays, plan: QueryPlan, relevance: np.ndarray, trace: Trace | None) -> None:
    """Typed syllables that pyvi found as one word in the article ('bán_hàng')."""
    (words,) = fields_of(WORDS)
    for word in plan.compounds:
        if not arrays.document_frequency(words.name, word):
            continue
        ids, values = arrays.term_scores(words.name, word, words.boost)
        relevance[ids] += values
        if trace is not None and len(ids):
            trace.add(f"{word} (từ)", ids, values)


def _label(group: Group) -> str:
    return " | ".join(" ".join(s.accented for s in c.syllables) for c in group)
