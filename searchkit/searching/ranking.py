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

from searchkit.fields import FOLDED, PARTS, WORDS, accented_field, fields_of, folded_field
from searchkit.searching import exact
from searchkit.searching.arrays import IndexArrays
from searchkit.searching.exact import ANY, Match
from searchkit.searching.plan import Group, QueryPlan
from searchkit.searching.query import Clause
from searchkit.searching.scoring import blend, coverage, coverage_and_reach, idf, minimum_coverage, term_bm25
from searchkit.text.common_pairs import pair_term

# The blend's weights, in one place. LOOKALIKE, NAME_SHARE, NEAR_BONUS, PAIR_BOOST and
# COVERAGE_POWER were fitted by `bench/fit.py` (coordinate ascent, no shape allowed to drop
# more than 0.005) on the tune half of bench/devset, 1,187 queries; the mean over shapes went
# 0.9917 -> 0.9936 there, and on the test half (never looked at while fitting) bags
# 0.964 -> 0.970, concepts 0.967 -> 0.968, names 0.990 -> 0.988, known items 0.973,
# look-alikes 1.000, questions 1.000, variant bags 0.987 (all unchanged). The others kept
# their hand-set values, which the fit did not move (LOOKALIKE_COVER, NAME_APART, NEAR_POWER).

#: Weight of an occurrence that matches a word typed with accents only once folded (`nghệ Ấn`
#: for `Nghệ An`), relative to an exact one.
LOOKALIKE = 0.05
#: How much of a word an article holding only a look-alike of it covers (coverage³, so an
#: article missing the exact form of one of two words keeps about 30% of its score).
LOOKALIKE_COVER = 0.3
#: How much of its weight each word of a name covers where the name's words stand apart.
NAME_APART = 0.5
#: Capitalised words typed together count as a name when at least this share of the articles
#: holding them all have them side by side.
NAME_SHARE = 0.3
#: Most a short query's words found side by side as typed multiply an article's score by,
#: less 1 (all of its pairs and triples: 1 + NEAR_BONUS; none: 1).
NEAR_BONUS = 4.0
#: Words typed without accents earn the side-by-side bonus in full where they stand as the
#: accent restoration writes them (`chu ky so`: *chữ ký số*), this share of it where they stand
#: side by side with other accents (*chu kỳ số*: the restoration may be wrong).
RESTORED_LOOSE = 0.5
#: Above 1, an article holding all of them side by side gains much more than one holding some.
NEAR_POWER = 1.5
#: Weight of typed words found side by side (a pair or a triple), relative to a word.
PAIR_BOOST = 0.75
#: A query with more optional words than this is long (a question, a pasted paragraph).
LONG_QUERY = 6
#: In a long query, neighbours made only of words found in more than this share of
#: articles are not looked up.
COMMON_SHARE = 0.5
#: Coordination: how strongly missing words lower an article's score (coverage ** POWER).
COVERAGE_POWER = 3.0
#: Articles holding every optional word of a short query (at most this many words) are
#: ranked first once there are ENOUGH_COMPLETE of them.
COMPLETE_FIRST_UP_TO = LONG_QUERY  # a keyword query: whatever order the words were typed in
ENOUGH_COMPLETE = 1
#: Position lists within this ratio of sizes are intersected by merging, not binary search.
MERGE_RATIO = 8
#: A word of a run held by more than this many times as many articles as the run is in so far
#: is read in the run's articles only (`_run_articles`), not whole.
RESTRICT_RATIO = 3
#: A word in more than one article in this many has its exact occurrences placed among its
#: folded ones through an array over every article (`_aligned`), not by a binary search each.
DENSE_SHARE = 64

#: A term's scores are computed for the articles that need one only when they are fewer than
#: this share of its holders (`_Part.scores`): else for all of them, the others never read.
KEPT_SHARE = 0.5

_LOOKALIKE_COVER = np.float32(LOOKALIKE_COVER)


@dataclass
class Ranked:
    """Every matching document with its score (dense over doc numbers); `first` marks the
    articles ranked ahead of the rest (those holding every word, when there are enough)."""

    matched: np.ndarray
    scores: np.ndarray
    first: np.ndarray | None = None
    complete: int = 0  # matches holding every word
    matches: dict = field(default_factory=dict)  # (accented, folded) -> exact.Match of each typed syllable
    newest: tuple[int, np.ndarray] | None = None  # a date-sorted page's end and the matches it can hold
    # (doc numbers, their scores) of the matches `top` chooses among first (the first tier's,
    # or every one's), when `rank` scored exactly those: not found again in every article
    leading: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def total(self) -> int:
        return int(np.count_nonzero(self.matched))  # of booleans: no sum over integers

    def order_key(self, docs: np.ndarray) -> tuple[np.ndarray, ...]:
        """Sort keys for np.lexsort (last is primary): doc number, score, tier."""
        keys = (docs, -self.scores[docs])
        return keys + ((~self.first[docs],) if self.first is not None else ())

    def top(self, limit: int, offset: int = 0) -> list[tuple[int, float]]:
        """The best (docnum, score) from `offset` on, best first; ties by doc number."""
        wanted = offset + limit
        if self.leading is not None:
            docs = _best(self.leading[0], self.scores, wanted, self.leading[1])
        elif self.first is None:
            docs = _best(self.matched.nonzero()[0], self.scores, wanted)
        else:  # the first tier's best, then the rest's if they do not fill the page
            docs = _best((self.matched & self.first).nonzero()[0], self.scores, wanted)
        if self.first is not None and len(docs) < wanted:
            rest = _best((self.matched & ~self.first).nonzero()[0], self.scores, wanted - len(docs))
            docs = np.concatenate((docs, rest))
        order = np.lexsort(self.order_key(docs))[offset:wanted]
        return [(int(d), float(self.scores[d])) for d in docs[order]]


def _best(docs: np.ndarray, scores: np.ndarray, wanted: int, values: np.ndarray | None = None) -> np.ndarray:
    """The `wanted` best-scoring of the sorted `docs` (in no order), or all of them; ties at
    the edge by doc number, as the full sort would break them. `values`: their scores, when
    known (else read from `scores`).

    >>> _best(np.array([2, 5, 7, 9]), np.array([0, 0, 3, 0, 0, 1, 0, 1, 0, 2], np.float32), 3).tolist()
    [2, 9, 5]
    >>> _best(np.array([2, 5, 7, 9]), None, 3, np.array([3, 1, 1, 2], np.float32)).tolist()
    [2, 9, 5]
    """
    if len(docs) <= wanted:
        return docs
    negated = -(scores[docs] if values is None else values)
    edge = np.partition(negated, wanted - 1)[wanted - 1]
    better, tied = docs.compress(negated < edge), docs.compress(negated == edge)
    return np.concatenate((better, tied[:wanted - len(better)]))


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
         trace: Trace | None = None, depth: int | None = None,
         newest: tuple[np.ndarray, int] | None = None) -> Ranked:
    """Every article that holds the required clauses, no excluded one and enough of the
    optional ones, with its score (the others' are never read: none is computed). `depth`:
    only the best `depth` by score will be read (a page of hits ranked by relevance; None:
    every match's score may be). When the articles holding every word are ranked first and
    are that many, the other matches cannot reach the page: their scores are left at 0, not
    computed. `newest`: (every article's day number, the page's end) of a page sorted by date:
    only the matches as new as its last one are scored (`newest_matches`), which relevance
    then orders among equal days."""
    matches = accent_matches(arrays, plan)
    base = arrays.alive.copy() if allowed is None else arrays.alive & allowed
    scoring: list[list[list[_Part]]] = []  # each group's clauses' parts, scored once it is known where
    for group in plan.required:
        strength, clauses, _ = _group(arrays, group, matches)
        base &= strength >= (1.0 if np.any(strength >= 1.0) else 1e-6)  # as typed, if any article has it so
        scoring.append(clauses)
    for clause in plan.excluded:
        base &= _clause(arrays, clause, matches)[0] < 1.0  # what the word is, not its look-alikes
    rows, weights, whole = [], [], []  # whole: the row's strengths are all 0 or 1
    for group in plan.optional:
        strength, clauses, whole_row = _group(arrays, group, matches)
        rows.append(strength)
        whole.append(whole_row)
        weights.append(idf(arrays.count, _live_in(arrays, strength >= 1.0) or _live_in(arrays, strength > 0)))
        scoring.append(clauses)
        if trace is not None:
            trace.weights[_label(group)] = weights[-1]
    known: dict[tuple, np.ndarray] = {}  # words side by side, found once for neighbours and names
    near, pairs = _neighbours(arrays, plan, matches, known)
    _names(arrays, plan, matches, rows, whole, known)
    if not rows:
        relevance = _relevance(arrays, plan, scoring, pairs, base if trace is None else None, trace)
        return Ranked(base, relevance, None, int(np.count_nonzero(base)), matches)
    first_partial = next((i for i, (row, whole_row) in enumerate(zip(rows, whole)) if not whole_row and _partial(row)),
                         None)
    matched, words, first, count = _tiers(base, rows, weights, bool(plan.required), first_partial)
    # only matches have a score (an explanation shows every article's parts)
    within, dated = matched if trace is None else None, None
    if depth is not None and trace is None and first is not None and count >= depth:
        within = first  # the page is filled from the first tier: the rest are never read
    elif newest is not None and trace is None:
        dated = newest_matches(newest[0], matched, newest[1])  # the rest are older than the page
        within = np.zeros_like(matched)
        within[dated] = True
    relevance = _relevance(arrays, plan, scoring, pairs, within, trace)
    at = np.flatnonzero(matched if within is None else within) if dated is None else dated
    scores, scored = _scores(relevance, at, words, near if len(rows) <= LONG_QUERY else [])
    if trace is not None:
        trace.coverage, trace.complete = words, matched & (words >= 1.0 - 1e-6)
    # `at` is what `top` reads first: the first tier (the page filled from it), or every match
    leading = (at, scored) if dated is None and (within is first or first is None) else None
    return Ranked(matched, scores, first, count, matches, None if dated is None else (newest[1], dated), leading)


def newest_matches(days: np.ndarray, matched: np.ndarray, wanted: int) -> np.ndarray:
    """The matches (doc numbers, in order) that a page of the `wanted` newest can hold: those as
    new as the `wanted`-th newest match, undated (day 0) below every date; all of them when
    they are no more than that. Sorting only these finds the page that sorting every match
    finds (equal days are ordered by relevance: ties at the edge all stay).

    >>> newest_matches(np.array([20100203, 0, 20110510, 20100203, 20090612]), np.array([True] * 5), 2).tolist()
    [0, 2, 3]
    """
    docs = matched.nonzero()[0]
    if len(docs) <= wanted:
        return docs
    when = days.take(docs)
    when[when == 0] = -1  # the sort's first two keys in one (dated first, then the newest)
    edge = np.partition(when, len(when) - wanted)[len(when) - wanted]  # the page's last one's
    return docs.compress(when >= edge)


def accent_matches(arrays: IndexArrays, plan: QueryPlan) -> dict[tuple[str, str], Match]:
    """How each syllable typed matches (`exact.decide`), for ranking and highlighting alike;
    alternatives are folded forms (any accents), and a long question's unmarked words are
    mostly particles (any accents too)."""
    clauses = [c for g in plan.required + plan.optional for c in g] + list(plan.excluded)
    return exact.decide(arrays, [s for c in clauses for s in c.syllables], plain=len(plan.optional) <= LONG_QUERY)


def _typed(matches: dict, syllable) -> Match:
    """How one typed syllable matches (any accents when `matches` does not say)."""
    return matches.get((syllable.accented, syllable.folded)) or Match(syllable.folded, syllable.accented)


def _tiers(base: np.ndarray, rows: list[np.ndarray], weights: list[float], required: bool,
           first_partial: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
    """(matches, coverage, first tier or None, how many hold every word): matches by
    coverage of the optional words (a look-alike covers a part of its word); for a short
    query, the complete matches form a first tier. `first_partial`: the first row holding a
    word in part (a look-alike, or a name's words apart), the rows before it holding 0 or 1
    (None: every row does)."""
    words, reach = coverage_and_reach(np.asarray(weights), rows, first_partial)  # reach: ranked lower, but match
    best = _best_within(reach, base)
    if best > 0:
        matched = base & (reach > 0) & (reach >= minimum_coverage(len(rows), best) - 1e-6)
    else:  # no article holds an optional word: the required ones decide alone, if any
        matched = base if required else np.zeros_like(base)
    complete = matched & (words >= 1.0 - 1e-6)
    count = int(np.count_nonzero(complete))
    # a long query's complete matches are long articles that happen to hold its particles
    short = len(rows) <= COMPLETE_FIRST_UP_TO
    first = complete if short and count >= ENOUGH_COMPLETE and count < np.count_nonzero(matched) else None
    return matched, words, first, count


def _scores(relevance: np.ndarray, at: np.ndarray, words: np.ndarray,
            near: list[tuple[float, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The scores of the articles `at` (0 elsewhere), and theirs alone: relevance scaled by coverage. Words
    typed side by side (`near`, a short query's) are a bonus among articles of similar
    coverage (at most `1 + NEAR_BONUS` times the score), never a reason for an article
    holding fewer words to beat one holding them all, whatever order they were typed in."""
    scored = blend(relevance[at], words[at], COVERAGE_POWER)  # only matches are ranked: powers over them alone
    if near:  # a concept typed without quotes: its words as typed
        together = coverage(np.asarray([w for w, _ in near]), [m[at] for _, m in near])
        # elsewhere the bonus multiplies by 1; found among booleans: numpy's `nonzero` of floats
        # tests them one by one, six times as long as over 100,000s of booleans
        some = (together != 0).nonzero()[0]
        scored[some] *= (1.0 + NEAR_BONUS * together[some] ** NEAR_POWER).astype(np.float32)
    scores = np.zeros_like(relevance)
    scores[at] = scored
    return scores, scored


def _live(arrays: IndexArrays, ids: np.ndarray) -> int:
    """How many of the doc numbers `ids` (distinct) are not deleted."""
    return len(ids) if not getattr(arrays, "deleted", True) else int(np.count_nonzero(arrays.alive[ids]))


def _live_where(arrays: IndexArrays, ids: np.ndarray, chosen: np.ndarray) -> int:
    """`_live` of the doc numbers `ids[chosen]` (a mask over `ids`), without taking them out."""
    if not getattr(arrays, "deleted", True):
        return int(np.count_nonzero(chosen))
    return int(np.count_nonzero(arrays.alive[ids] & chosen))


def _live_in(arrays: IndexArrays, mask: np.ndarray) -> int:
    """How many documents of a mask over every document are not deleted."""
    return int(np.count_nonzero(mask if not getattr(arrays, "deleted", True) else mask & arrays.alive))


def _best_within(reach: np.ndarray, base: np.ndarray) -> float:
    """The highest of the coverages `reach` (never negative) among the articles `base`, 0 when
    there are none: a product and a maximum, two passes in SIMD, where a reduction masked by
    `base` took 2 ms over 259,000 articles once a filter (`province:`, a date range) left gaps
    in it, and `reach[base]` copies them.

    >>> _best_within(np.array([0.5, 1.0, 0.25], np.float32), np.array([True, False, True]))
    0.5
    """
    return float((reach * base).max()) if base.any() else 0.0  # elsewhere 0, no higher than any coverage


def _partial(row: np.ndarray) -> bool:
    """Whether some article holds a word only in part (strength between 0 and 1)."""
    # rows of 0 and 1 sum to their count; booleans are counted in SIMD, floats one by one
    return float(row.sum()) != np.count_nonzero(row != 0)


@dataclass(frozen=True, eq=False)
class _Part:
    """What a term's BM25 in one part of the articles is made of (a clause's, or words typed
    side by side), kept until it is known which articles need a score."""

    label: str  # as `--explain` shows it
    field: str  # the folded field whose lengths normalise it
    ids: np.ndarray  # doc numbers, sorted
    tf: np.ndarray  # occurrences in each
    weight: float  # boost · idf
    share: np.ndarray | None = None  # of the occurrences, weighted by each form's boost (None: all 1)

    def scores(self, arrays: IndexArrays, within: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(doc numbers, BM25) of the articles holding it: at least those of the mask
        `within` when given (each value computed as it is for every article); all of them
        when most are in it, where taking the others out would cost more than it saves."""
        ids, tf, share = self.ids, self.tf, self.share
        if within is not None:
            # the places kept, found once and taken from each array: a boolean index finds
            # them again in each (three times as long for a common word's 200,000 articles)
            inside = within.take(ids)
            if np.count_nonzero(inside) < KEPT_SHARE * len(ids):  # counted first: most often most are kept
                kept = inside.nonzero()[0]
                ids, tf, share = ids.take(kept), tf.take(kept), None if share is None else share.take(kept)
        return ids, term_bm25(tf, arrays.norm(self.field).take(ids), self.weight, share)


def _group(arrays: IndexArrays, group: Group, matches: dict) -> tuple[np.ndarray, list[list[_Part]], bool]:
    """A group matches where one of its clauses does (`a OR b`), as strongly as the best
    one (1: as typed; `LOOKALIKE_COVER`: a look-alike only); (strength, each clause's parts,
    every strength is 0 or 1). Their scores add up (`_relevance`)."""
    strength, parts, whole = _clause(arrays, group[0], matches)
    clauses = [parts]
    for clause in group[1:]:
        clause_strength, parts, clause_whole = _clause(arrays, clause, matches)
        np.maximum(strength, clause_strength, out=strength)
        clauses.append(parts)
        whole = whole and clause_whole
    return strength, clauses, whole


def _clause(arrays: IndexArrays, clause: Clause, matches: dict) -> tuple[np.ndarray, list[_Part], bool]:
    """(strength, parts, whole) of a clause: its typed form and its alternatives count as one
    term per field (their occurrences add up, their document frequency is that of either); a
    look-alike of a word typed with accents counts `LOOKALIKE` of an occurrence. `parts`: its
    BM25 in each part of the articles, in the order of the parts; `whole`: every strength is
    0 or 1 (no look-alike held in any part)."""
    typed = tuple(_typed(matches, s) for s in clause.syllables)
    strength = np.zeros(arrays.size, dtype=np.float32)
    label = _label((clause,))
    found = [(part, _kept_field_counts(arrays, part, clause, typed)) for part in clause.fields]
    found = [(part, counts) for part, counts in found if len(counts[0])]
    parts, whole = [], True
    for part, (ids, tf, share, as_typed) in found:  # in the order of the parts
        folded = folded_field(part)
        every = as_typed.all()
        holders = (_live(arrays, ids) if every else _live_where(arrays, ids, as_typed)) or _live(arrays, ids)
        parts.append(_Part(f"{label} · {part}", folded.name, ids, tf, folded.boost * idf(arrays.count, holders),
                           share))
    # the part with the most holders first: written into the zeros, not compared with them (a
    # common word's bodies at 16 times the corpus); the strongest either way
    for place, (_, (ids, _, _, as_typed)) in enumerate(sorted(found, key=lambda f: -len(f[1][0]))):
        if as_typed.all():
            strength[ids] = 1.0
        else:  # float32 throughout: a look-alike covers LOOKALIKE_COVER, as the array holds it
            whole = False
            # 1 as typed, LOOKALIKE_COVER (below 1) else: a bool's float is 1 or 0, raised to the
            # cover, where `np.where` between two scalars took four times as long
            held = as_typed.astype(np.float32)
            np.maximum(held, _LOOKALIKE_COVER, out=held)
            strength[ids] = np.maximum(strength[ids], held, out=held) if place else held  # first: zeros below
    return strength, parts, whole


def _clause_score(arrays: IndexArrays, parts: list[_Part], within: np.ndarray | None,
                  trace: Trace | None) -> np.ndarray:
    """A clause's BM25 over every article (0 where it is absent; outside `within`, never
    read, 0 or its BM25): its parts' added up (two parts: the same sum in either order, so
    the one with the most holders is written into the zeros first, not added to them)."""
    score = np.zeros(arrays.size, dtype=np.float32)
    found = [(part, *part.scores(arrays, within)) for part in parts]
    for place, (_, ids, values) in enumerate(sorted(found, key=lambda f: -len(f[1]))):
        if place:
            score[ids] += values
        else:  # nothing added yet: 0 + x is x
            score[ids] = values
    if trace is not None:
        for part, ids, values in found:
            trace.add(part.label, ids, values)
    return score


def _relevance(arrays: IndexArrays, plan: QueryPlan, scoring: list[list[list[_Part]]], pairs: list[_Part],
               within: np.ndarray | None, trace: Trace | None) -> np.ndarray:
    """Every article's relevance before coverage, or at least that of the articles `within`
    (the others', never read, is 0 or their relevance): each group's clauses (the required
    ones first), the words typed side by side, the pyvi words, added up in that order."""
    relevance = None
    for clauses in scoring:
        score = _clause_score(arrays, clauses[0], within, trace)
        for parts in clauses[1:]:
            score += _clause_score(arrays, parts, within, trace)
        if relevance is None:  # the first group's: 0 + x is x, no zeros to add it to
            relevance = score
        else:
            relevance += score  # zero where the group does not match
    if relevance is None:
        relevance = np.zeros(arrays.size, dtype=np.float32)
    for pair in pairs:
        ids, values = pair.scores(arrays, within)
        relevance[ids] += values
        if trace is not None:
            trace.add(pair.label, ids, values)
    _compounds(arrays, plan, relevance, within, trace)
    return relevance


def _kept_field_counts(arrays: IndexArrays, part: str, clause: Clause,
                       typed: tuple[Match, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """`_field_counts`, kept for the index generation and carried across a commit
    (`IndexArrays.derived`; a backend's candidates are one query's own): the same words come
    again in later searches."""
    derived = getattr(arrays, "derived", None)
    if derived is None:
        return _field_counts(arrays, part, clause, typed)
    return derived(("field counts", part, clause.folded, clause.alternatives, typed),
                   lambda some: _field_counts(some, part, clause, typed),
                   needs=lambda: () if clause.alternatives else _terms(part, clause.folded))


def _terms(part: str, folded) -> tuple[tuple[str, str], ...]:
    """The folded field's terms of these syllables in one part: what every article holding
    them together holds (an alternative's apart)."""
    name = folded_field(part).name
    return tuple((name, word) for word in folded)


def _field_counts(arrays: IndexArrays, part: str, clause: Clause,
                  typed: tuple[Match, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """(doc numbers, occurrences, share of them weighted by each form's boost (None: all of
    them, no alternative), whether the clause matches as typed) in one part. Look-alikes count `LOOKALIKE`; an alternative
    (`CNTT` for *công nghệ thông tin*) counts as typed, a little less (its boost)."""
    name = folded_field(part).name
    keys = phrase_occurrences(arrays, name, clause.folded) if len(clause.folded) > 1 else None
    ids, counts = arrays.postings(name, clause.folded[0]) if keys is None else _key_counts(keys)
    if not clause.alternatives and all(m.mode == ANY for m in typed):  # a plain word: its postings as they are
        return ids, counts, None, np.ones(len(ids), bool)
    if not clause.alternatives:  # exact occurrences are some of the folded ones: no dense arrays
        exact_ids, exact_counts = _exact_counts(arrays, part, typed, keys)
        exact_tf = _aligned(ids, exact_ids, exact_counts, arrays.size)
        return ids, LOOKALIKE * counts + (1.0 - LOOKALIKE) * exact_tf, None, exact_tf > 0
    tf = np.zeros(arrays.size, dtype=np.float32)
    as_typed = np.zeros(arrays.size, dtype=bool)
    if any(m.mode != ANY for m in typed):
        exact_ids, exact_counts = _exact_counts(arrays, part, typed, keys)
        tf[ids] += LOOKALIKE * counts
        tf[exact_ids] += (1.0 - LOOKALIKE) * exact_counts
        as_typed[exact_ids] = True
    else:
        tf[ids] += counts
        as_typed[ids] = True
    weighted = tf.copy()
    for alternative in clause.alternatives:
        alt_ids, alt_counts = _form_counts(arrays, name, alternative.folded)
        tf[alt_ids] += alt_counts
        weighted[alt_ids] += alternative.boost * alt_counts
        as_typed[alt_ids] = True
    ids = (tf != 0).nonzero()[0]  # among booleans: `nonzero` of floats is six times as long
    return ids, tf[ids], weighted[ids] / tf[ids], as_typed[ids]


def _aligned(ids: np.ndarray, subset: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """The `values` of the doc numbers `subset` (sorted, a subset of the sorted `ids`) at their
    places in `ids`, 0 elsewhere. A common word's are placed through an array over every
    document (two linear passes: a binary search per doc number cost four times as much at 16
    times the corpus).

    >>> _aligned(np.array([2, 5, 9]), np.array([5, 9]), np.array([3.0, 1.0], np.float32), 10).tolist()
    [0.0, 3.0, 1.0]
    >>> _aligned(np.array([2, 5, 9]), np.array([5, 9]), np.array([3.0, 1.0], np.float32), 10**6).tolist()  # rare: searched
    [0.0, 3.0, 1.0]
    """
    if len(ids) * DENSE_SHARE < size:
        found = np.zeros(len(ids), np.float32)
        found[ids.searchsorted(subset)] = values
        return found
    spread = np.zeros(size, np.float32)
    spread[subset] = values
    return spread[ids]


def _exact_counts(arrays: IndexArrays, part: str, typed: tuple[Match, ...],
                  loose: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(doc numbers, occurrences) of the typed syllables as they must match (`exact.decide`),
    standing in order when there are several; `loose`: the keys where they stand in order
    with any accents, found already: the exact ones are looked up among them (a quoted
    phrase's few articles), not found anew over every article."""
    if len(typed) == 1:
        return exact.counts(arrays, part, typed[0])
    known = {} if loose is None else {(part, tuple(Match(m.folded, m.folded) for m in typed)): loose}
    return _key_counts(_side_by_side(arrays, known, part, typed))


def _form_counts(arrays: IndexArrays, field_name: str, folded: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(doc numbers, occurrences) of a syllable, or of syllables standing in order."""
    if len(folded) == 1:
        return arrays.postings(field_name, folded[0])
    return _key_counts(phrase_occurrences(arrays, field_name, folded))


def _key_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(doc numbers, occurrences in each, as float32) of sorted `doc << 32 | position` keys."""
    docs, counts = exact.doc_counts(keys)
    return docs, counts.astype(np.float32)


def phrase_occurrences(arrays: IndexArrays, field_name: str, folded: tuple[str, ...]) -> np.ndarray:
    """Keys (`doc << 32 | position` of the last syllable) where the syllables stand in order."""
    if _all_common(arrays, folded):  # every two of them written as one term
        return _written_run([(field_name, pair_term(a, b)) for a, b in zip(folded, folded[1:])], arrays.occurrences)
    within = getattr(arrays, "occurrences_within", None)
    if within is None:  # a backend's candidates: few, read whole
        return _in_order(len(folded), lambda i: 0, lambda i, docs: arrays.occurrences(field_name, folded[i]))
    ends, terms = _run_terms(arrays, folded)
    return _in_order(len(terms), lambda i: arrays.document_frequency(field_name, terms[i]),
                     lambda i, docs: within(field_name, terms[i], docs), ends=ends)


def _run_terms(arrays: IndexArrays, folded: tuple[str, ...]) -> tuple[list[int], list[str]]:
    """The terms a run of folded words is read by, with the place of each one's last word:
    two neighbours among the common syllables as their pair term, the others one by one
    (`điện thoại di động`: `dien`, `thoai`, `di dong`), so that two common words' positions
    are not merged where the index wrote them side by side.

    >>> class Common: common = frozenset({"di", "dong", "dien"})
    >>> _run_terms(Common(), ("dien", "thoai", "di", "dong"))
    ([0, 1, 3], ['dien', 'thoai', 'di dong'])
    """
    ends, terms, i = [], [], 0
    while i < len(folded):
        if _all_common(arrays, folded[i:i + 2]):
            ends.append(i + 1)
            terms.append(pair_term(folded[i], folded[i + 1]))
            i += 2
        else:
            ends.append(i)
            terms.append(folded[i])
            i += 1
    return ends, terms


def _in_order(count: int, size, fetch, head: np.ndarray | None = None, ends: list[int] | None = None) -> np.ndarray:
    """Keys (`doc << 32 | position` of the last of `count` words) where the words stand in
    order, side by side. `size(i)`: in how many articles word i is; `fetch(i, docs)`: its keys,
    all of them or (docs given) at least those in the sorted doc numbers `docs`; `head`: the
    keys of the words but the last, found already; `ends`: where each of the `count` terms
    ends in the run when some stand for two words (a pair term, `_run_terms`), else term i is
    word i.

    The rarest word is read first, then the others from the rarest up, each only in the
    articles still holding the run when it is in many more: `của Viettel` reads the
    positions of `của` in the articles holding `Viettel`, not its millions at 16 times the
    corpus. The keys are those of one word (`at`) all along, the others aligned to it, so the
    result is the same set, in the same order, whichever word comes first.
    """
    ends = ends or list(range(count))
    if head is not None:
        keys, at, rest = head, count - 2, [count - 1]
    else:
        sizes = [size(i) for i in range(count)]
        at = min(range(count), key=sizes.__getitem__)  # equal sizes: the first
        keys, rest = fetch(at, None), sorted((i for i in range(count) if i != at), key=sizes.__getitem__)
    for i in rest:
        if not len(keys):
            break
        keys = _shifted_common(keys, fetch(i, _run_articles(keys, size(i))), ends[at] - ends[i])
    return keys + (ends[-1] - ends[at]) if at != count - 1 else keys


def _run_articles(keys: np.ndarray, holders: int, articles: np.ndarray | None = None) -> np.ndarray | None:
    """The articles of a run's keys (sorted doc numbers; `articles` when counted already) when
    a word held by `holders` articles is cheaper read in them only; None when it is cheaper
    read whole (and kept).

    Reading in a few articles costs a lookup each and gathers their positions; reading whole
    costs every position. Over query.py's 200 searches at 16 times the corpus, the run's
    articles, not its keys (a run stands two or three times in an article), tell the two
    apart: `một khu` reads the 1.2 million keys of `một` in the 41,000 articles of `khu`
    (6.8 against 10.9 ms). They are counted only where the word is in more articles than
    the run has keys: below that, reading in them gained nothing measured.

    >>> _run_articles(np.array([3 << 32 | 1, 3 << 32 | 7, 5 << 32 | 2]), 7).tolist()
    [3, 5]
    >>> _run_articles(np.array([3 << 32 | 1, 3 << 32 | 7, 5 << 32 | 2]), 6) is None
    True
    """
    if holders <= len(keys):
        return None
    docs = exact.doc_counts(keys)[0] if articles is None else articles
    return docs if holders > RESTRICT_RATIO * len(docs) else None


def _shifted_common(keys: np.ndarray, other: np.ndarray, shift: int) -> np.ndarray:
    """The keys of `keys` that are keys of `other` moved by `shift` places: the shorter of
    the two is moved, or the other one while it is merged (a common word's millions of keys
    are not copied to be moved).

    >>> _shifted_common(np.array([3, 7, 9]), np.array([1, 2, 6, 8]), 1).tolist()
    [3, 7, 9]
    >>> _shifted_common(np.array([3, 9]), np.array([1, 2, 6, 8]), 1).tolist()
    [3, 9]
    """
    if len(other) <= len(keys):
        return _common(keys, other, shift)
    found = _common(other, keys, -shift)  # in the frame of `other`: moved back once, the few found
    return found + shift if shift else found


def _written_run(pairs: list[tuple[str, str]], occurrences) -> np.ndarray:
    """Keys where words stand in order, side by side, every two neighbours of them indexed as
    one term (`text.common_pairs`), given as (field, pair term) from the first two on: the
    first pair's keys (at its second word), then those followed by the next pair, one place
    on. `của các` is then read as one word is, not found by merging a million positions of
    each of its words (at 16 times the corpus).
    """
    keys = occurrences(*pairs[0])
    for name, term in pairs[1:]:
        if not len(keys):
            break
        keys = _followed(keys, occurrences(name, term))
    return keys


def _written_pairs(arrays: IndexArrays, part: str, forms: tuple[Match, ...]) -> list[tuple[str, str]] | None:
    """(field, pair term) of every two neighbouring words, where the index wrote each pair as
    one term: both among its common syllables and matching the same way, with any accents (the
    folded field) or exactly (the accented one; a plain word's occurrences are no term);
    None where it did not."""
    mode = forms[0].mode
    if mode == exact.PLAIN or any(m.mode != mode for m in forms) or not _all_common(arrays, [m.folded for m in forms]):
        return None
    return [exact.field_term(part, Match(pair_term(a.folded, b.folded), pair_term(a.accented, b.accented), mode))
            for a, b in zip(forms, forms[1:])]


def _all_common(arrays: IndexArrays, folded) -> bool:
    """Whether the index wrote every two neighbours of these folded words as one term: two
    words or more, each among its common syllables (none for an index without the pairs, or
    a backend's candidates)."""
    common = getattr(arrays, "common", None)
    return bool(common) and len(folded) > 1 and all(word in common for word in folded)


def _followed(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The keys of `after` right after a key of `before`: the sorted intersection of
    `before + 1` and `after`.

    >>> _followed(np.array([1, 5, 9]), np.array([2, 3, 10])).tolist()
    [2, 10]
    """
    return _shifted_common(after, before, 1)


def _common(first: np.ndarray, second: np.ndarray, shift: int = 0) -> np.ndarray:
    """The sorted intersection of two sorted arrays of distinct keys, the second's moved by
    `shift` places. Arrays of similar size are merged (a stable sort of the two sorted runs is
    one linear merge: twice as fast as binary searches, as for two common words), the second
    moved as it is copied beside the first; otherwise the shorter one's keys are looked up in
    the longer.

    >>> _common(np.array([2, 6, 10]), np.array([2, 3, 10])).tolist()
    [2, 10]
    >>> _common(np.array([2, 6, 10]), np.array([1, 5, 6]), 1).tolist()
    [2, 6]
    >>> _common(np.array([7, 8]), np.arange(0, 40, 2), 1).tolist(), _common(np.arange(1, 40, 2), np.array([6, 8]), 1).tolist()
    ([7], [7, 9])
    """
    # `compress`, not a boolean index: numpy 2.4's boolean index takes 3-5 times as long
    if min(len(first), len(second)) * MERGE_RATIO >= max(len(first), len(second)):
        both = np.empty(len(first) + len(second), np.result_type(first, second))
        both[:len(first)] = first
        np.add(second, shift, out=both[len(first):])  # not a moved copy, then another
        both.sort(kind="stable")
        return both[1:].compress(both[1:] == both[:-1])
    if len(first) <= len(second):
        return first.compress(_member(second, first - shift if shift else first))
    moved = second + shift if shift else second
    return moved.compress(_member(first, moved))


def _member(keys: np.ndarray, probes: np.ndarray) -> np.ndarray:
    """Which probes are in the sorted `keys`."""
    if not len(keys):
        return np.zeros(len(probes), dtype=bool)
    at = np.minimum(keys.searchsorted(probes), len(keys) - 1)
    return keys[at] == probes


def _names(arrays: IndexArrays, plan: QueryPlan, matches: dict, rows: list[np.ndarray], whole: list[bool],
           known: dict) -> None:
    """A name's words (`plan.names`: `Nghệ An`) cover only `NAME_APART` of their weight in an
    article that does not have them side by side (as typed: exactly, where accents decide);
    their rows are then no longer `whole`."""
    single = {g[0].syllables[0].folded: i for i, g in enumerate(plan.optional)
              if len(g) == 1 and len(g[0].syllables) == 1}
    typed = {s.folded: s for c in plan.optional_clauses for s in c.syllables}
    for name in plan.names + plan.restored_names:
        at = [single.get(word) for word in name.words]
        if None in at:
            continue
        together = np.zeros(arrays.size, dtype=bool)
        for forms in _name_forms(name, tuple(_typed(matches, typed[w]) for w in name.words)):
            together |= _holding(arrays, known, forms)
        every = np.logical_and.reduce([rows[i] > 0 for i in at])
        if name not in plan.restored_names and not _is_name(name, int(np.count_nonzero(together & every)),
                                                            int(np.count_nonzero(every))):
            continue
        for i in at:
            rows[i] = np.where(together, rows[i], rows[i] * NAME_APART).astype(np.float32)
            whole[i] = False


def _is_name(name, together: int, holding: int) -> bool:
    """A province always is; capitalised words typed together are a name when the articles
    holding them all mostly write them together (`Bill Gates`), not when they are rare words
    that happen to be typed side by side (`Internet VeriSign` of a remembered headline). (A
    name the restoration of an unaccented query capitalises, `tay nguyen`, needs no test.)"""
    from searchkit.text.places import load_gazetteer

    return bool(load_gazetteer().spellings(name.words)) or together >= NAME_SHARE * holding


def _name_forms(name, typed: tuple[Match, ...]) -> list[tuple[Match, ...]]:
    """How a name must be written: as typed when accents were, else as the gazetteer writes
    the province (`dien bien` is *Điện Biên*, not *diễn biến*), else any way."""
    if any(m.mode != ANY or m.fallback for m in typed):
        return [typed]
    from searchkit.text.places import load_gazetteer

    spellings = load_gazetteer().spellings(name.words)
    if not spellings:
        return [typed]
    return [tuple(Match(m.folded, a, exact.EXACT if a != m.folded else exact.PLAIN) for m, a in zip(typed, spelling))
            for spelling in spellings]


def _neighbours(arrays: IndexArrays, plan: QueryPlan, matches: dict,
                known: dict) -> tuple[list[tuple[float, np.ndarray]], list[_Part]]:
    """Words typed side by side: (the articles holding each run as typed, with its idf, for
    the bonus; its BM25 in each part as if it were one term: how often the article has them
    side by side, weighed by how rare that is). An article holding `chữ ký số` as written
    ranks above one holding the three syllables apart. Typed accents decide here too: `Nghệ
    An` side by side counts, `nghệ Ấn` does not."""
    long_query = len(plan.optional) > LONG_QUERY
    typed = {s.folded: s for c in plan.optional_clauses for s in c.syllables}
    restored = dict(plan.restored_forms)
    found, pairs = [], []
    for neighbours in plan.neighbours:
        holding = np.zeros(arrays.size, dtype=bool)
        # typed with accents: as typed only, a look-alike pair (`nghệ Ấn`) is no bonus
        forms = tuple(_typed(matches, typed[w]) if w in typed else Match(w, w) for w in neighbours.words)
        for folded in fields_of(FOLDED):
            field_f, part = folded.name, folded.text[0]
            if long_query and _glue(arrays, field_f, neighbours.words):
                continue
            keys = _side_by_side(arrays, known, part, forms)
            if not len(keys):
                continue
            ids, counts = _key_counts(keys)
            weight = PAIR_BOOST * folded.boost * idf(arrays.count, _live(arrays, ids))
            pairs.append(_Part(f'"{neighbours}" · {part}', field_f, ids, counts, weight))
            holding[ids] = True
        count = _live_in(arrays, holding)
        if count:  # after the words as typed: the restoration's are found among them (`_side_by_side`)
            as_restored = _as_restored(arrays, known, forms, restored)
            found.append((idf(arrays.count, count), holding if as_restored is None else
                          _restored_row(holding, as_restored)))
    return found, pairs


def _restored_row(holding: np.ndarray, as_restored: np.ndarray) -> np.ndarray:
    """How much of the bonus each article earns: 1 where the words stand as restored,
    RESTORED_LOOSE where they stand side by side otherwise, 0 elsewhere (in float32
    throughout, where two nested `np.where` worked in float64).

    >>> _restored_row(np.array([True, True, False]), np.array([True, False, False])).tolist()
    [1.0, 0.5, 0.0]
    """
    row = np.multiply(holding, np.float32(RESTORED_LOOSE), dtype=np.float32)  # one pass, not a copy then a product
    # raised to 1 as restored: a maximum is one pass, where a boolean index found the places first
    return np.maximum(row, as_restored, out=row)


def _as_restored(arrays: IndexArrays, known: dict, forms: tuple[Match, ...], restored: dict) -> np.ndarray | None:
    """Which articles hold words typed without accents side by side as the accent restoration
    writes them (`chu ky so`: *chữ ký số*); None when accents were typed or the restoration
    says nothing of them."""
    if any(m.mode != ANY for m in forms) or all(restored.get(m.folded, m.folded) == m.folded for m in forms):
        return None
    spelled = tuple(Match(m.folded, restored[m.folded], exact.EXACT) if restored.get(m.folded, m.folded) != m.folded
                    else m for m in forms)
    return _holding(arrays, known, spelled)


def _holding(arrays: IndexArrays, known: dict, forms: tuple[Match, ...]) -> np.ndarray:
    """Which articles have the words side by side, each matching as `forms` says, in a title
    or a body."""
    mask = np.zeros(arrays.size, dtype=bool)
    for part in PARTS:
        mask[_side_by_side(arrays, known, part, forms) >> 32] = True  # repeats set it once
    return mask


def _side_by_side(arrays: IndexArrays, known: dict, part: str, forms: tuple[Match, ...]) -> np.ndarray:
    """Keys (`doc << 32 | position` of the last word) where the words stand in order in one
    part, each matching as its `Match` says (`exact.occurrences`); remembered in `known` for
    this search, so that a triple extends the keys of its pair, and kept for the index
    generation (`IndexArrays.derived`): later searches ask the same words again."""
    key = (part, forms)
    found = known.get(key)
    if found is None:
        derived = getattr(arrays, "derived", None)
        if derived is None:  # a backend's candidates, or the segments a commit added (`arrays.Since`)
            found = _found_side_by_side(arrays, known, part, forms)
        else:
            found = derived(("side by side", key), lambda some: (
                _found_side_by_side(some, known if some is arrays else {}, part, forms),), shift=32,
                needs=lambda: _terms(part, [m.folded for m in forms]))[0]
        known[key] = found
    return found


def _found_side_by_side(arrays: IndexArrays, known: dict, part: str, forms: tuple[Match, ...]) -> np.ndarray:
    """`_side_by_side` found from the positions (and the runs `known` already)."""
    loose = (part, tuple(Match(m.folded, m.folded) for m in forms))
    # the last two as one term after a run found: the run says how the word before the last
    # matches, so a last word with any accents reads their pair with any accents (`dịch vụ`,
    # then `vu ra`), whichever way that word was typed
    last = _written_pairs(arrays, part, loose[1][-2:] if forms[-1].mode == ANY else forms[-2:])
    written, head = _written_pairs(arrays, part, forms), known.get((part, forms[:-1]))
    if written is not None:
        return _written_run(written, arrays.occurrences)
    tail = known.get((part, forms[1:])) if len(forms) > 2 else None
    if head is not None and tail is not None:  # the run less its last word, and less its first
        return _followed(head, tail)  # where both stand, one place apart: `trien vi`'s few, not `vi`'s every
    if last is not None and head is not None:  # a run found, and a written pair after it
        return _followed(head, arrays.occurrences(*last[0]))
    if loose[1] != forms and (loose in known or _written_pairs(arrays, part, loose[1]) is not None):
        # the same words with any accents (found, or read as pairs): as typed among them
        return _as_matched(arrays, part, _side_by_side(arrays, known, part, loose[1]), forms)
    if any(m.mode == exact.PLAIN for m in forms) and not _plain_first(arrays, part, forms):
        # with any accents first, read in the rarer words' articles: plain is all but the marked
        relaxed = tuple(Match(m.folded, m.folded) if m.mode == exact.PLAIN else m for m in forms)
        return _as_matched(arrays, part, _side_by_side(arrays, known, part, relaxed), forms)
    if all(m.mode == ANY for m in forms) and head is None:  # the folded field's run
        return phrase_occurrences(arrays, folded_field(part).name, tuple(m.folded for m in forms))
    within = lambda i, docs: exact.occurrences_within(arrays, part, forms[i], docs)  # noqa: E731
    size = lambda i: exact.holders(arrays, part, forms[i])  # noqa: E731
    return _in_order(len(forms), size, within, head)


def _plain_first(arrays: IndexArrays, part: str, forms: tuple[Match, ...]) -> bool:
    """Whether a run's rarest word (`_in_order` reads it first, whole) is typed plain: its plain
    positions, read whole once per index generation, are then fewer to merge than all its
    folded ones (`công ty`: `ty` rarer than `công`)."""
    sizes = [exact.holders(arrays, part, match) for match in forms]
    return forms[sizes.index(min(sizes))].mode == exact.PLAIN


def _as_matched(arrays: IndexArrays, part: str, keys: np.ndarray, forms: tuple[Match, ...]) -> np.ndarray:
    """Of `keys` where the words stand in order with any accents, those where each stands
    as its `Match` says (`chu ky so` as the restoration writes it, *chữ ký số*): an exact
    occurrence is a folded one at the same position, so each such word is looked up in the
    articles of the keys left only, not read whole (a common word at 16 times the corpus)."""
    last = len(forms) - 1
    for i, match in enumerate(forms):
        if match.mode == ANY or not len(keys):
            continue
        if match.mode == exact.PLAIN and hasattr(arrays, "occurrences_within"):
            keys = _written_plain(arrays, part, match.folded, keys, last - i)
            continue
        docs = _run_articles(keys, exact.holders(arrays, part, match))
        keys = _shifted_common(keys, exact.occurrences_within(arrays, part, match, docs), last - i)
    return keys


def _written_plain(arrays: IndexArrays, part: str, folded: str, keys: np.ndarray, shift: int) -> np.ndarray:
    """Of `keys` whose word `shift` places before theirs is `folded` with any accents, those
    where it is written plain: at no marked spelling's position (`quan` of *quan trọng*, not
    *quân*). Each spelling is read in the keys' articles only when it is common: the plain
    occurrences of a common word (every folded one less every spelling's) were millions of
    keys taken apart at 16 times the corpus, for a run of a few thousand."""
    name, articles, marked = accented_field(part).name, None, []
    for spelling in exact.marked_spellings(arrays, folded):
        holders = arrays.document_frequency(name, spelling)
        if holders > len(keys) and articles is None:  # counted once, for every common spelling
            articles = exact.doc_counts(keys)[0]
        docs = _run_articles(keys, holders, articles)
        taken = arrays.occurrences(name, spelling) if docs is None else arrays.occurrences_within(name, spelling, docs)
        marked.append(_shifted_common(keys, taken, shift))
    # a place holds one spelling: the keys found are distinct, taken out at once
    return _without(keys, np.sort(np.concatenate(marked))) if marked else keys


def _without(keys: np.ndarray, some: np.ndarray) -> np.ndarray:
    """The sorted `keys` less `some` of them (sorted): found by merging or by binary search,
    whichever `_common` chose, not a binary search of every key (a run of a common pair
    holds hundreds of thousands).

    >>> _without(np.array([2, 4, 6, 8]), np.array([4, 8])).tolist()
    [2, 6]
    """
    if not len(some):
        return keys
    kept = np.ones(len(keys), dtype=bool)
    kept[keys.searchsorted(some)] = False
    return keys.compress(kept)


def _glue(arrays: IndexArrays, field_name: str, words: tuple[str, ...]) -> bool:
    """Whether every word is found in most articles ('đã làm', 'của các'): in a long query
    such neighbours tell nothing and cost the most to look up."""
    common = arrays.count * COMMON_SHARE
    return all(arrays.document_frequency(field_name, word) > common for word in words)


def _compounds(arrays: IndexArrays, plan: QueryPlan, relevance: np.ndarray, within: np.ndarray | None,
               trace: Trace | None) -> None:
    """Typed syllables that pyvi found as one word in the article ('bán_hàng'), added to
    `relevance` (of the articles `within` only, when given)."""
    (words,) = fields_of(WORDS)
    for word in plan.compounds:
        if not arrays.document_frequency(words.name, word):
            continue
        ids, values = arrays.term_scores(words.name, word, words.boost)
        if within is not None:
            kept = within[ids].nonzero()[0]
            ids, values = ids.take(kept), values.take(kept)
        relevance[ids] += values
        if trace is not None and len(ids):
            trace.add(f"{word} (từ)", ids, values)


def _label(group: Group) -> str:
    return " | ".join(" ".join(s.accented for s in c.syllables) for c in group)
