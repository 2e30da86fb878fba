"""Scoring as small pure functions over numpy arrays: BM25's parts, coverage, the blend.

Nothing here reads an index: `ranking.py` fetches postings and passes arrays in, so each
formula can be checked against values computed by hand (tests/test_scoring.py).

BM25 (Robertson & Zaragoza): for a term with document frequency `df` among `n` articles,
idf = ln(1 + (n - df + 0.5) / (df + 0.5)); for an article where it occurs `tf` times in a
field of length `dl` (average `avgdl`), the tf part is tf·(k1+1) / (tf + k1·(1 - b + b·dl/avgdl)).
"""

from __future__ import annotations

import numpy as np

#: BM25's saturation: the tenth occurrence of a word adds little over the third.
K1 = 1.2
_FLOAT32, _SATURATED = np.dtype(np.float32), np.float32(K1 + 1.0)
_NARROW = (_FLOAT32, np.dtype(bool))  # rows whose product with a float32 share is float32


def idf(articles: int, frequency: int) -> float:
    """BM25's idf, never negative (deleted articles still in the postings can make
    `frequency` exceed `articles`).

    >>> round(idf(1000, 10), 4), idf(5, 9) >= 0
    (4.5574, True)
    """
    frequency = min(max(frequency, 0), articles)
    return float(np.log(1.0 + (articles - frequency + 0.5) / (frequency + 0.5)))


def length_norm(lengths: np.ndarray, average: float, b: float, k1: float = K1) -> np.ndarray:
    """k1·(1 - b + b·dl/avgdl) for every article (avgdl at least 1).

    >>> [round(float(x), 3) for x in length_norm(np.array([10.0, 30.0]), average=20.0, b=0.75)]
    [0.75, 1.65]
    """
    return (k1 * (1.0 - b + b * lengths / max(average, 1.0))).astype(np.float32)


def tf_part(tf: np.ndarray, norm: np.ndarray, k1: float = K1) -> np.ndarray:
    """BM25's term-frequency part: tf·(k1+1) / (tf + norm), 0 where tf is 0.

    >>> [round(float(x), 4) for x in tf_part(np.array([0.0, 1.0, 3.0]), np.array([1.2, 1.2, 1.2]))]
    [0.0, 1.0, 1.5714]
    """
    return (tf * (k1 + 1.0) / (tf + norm)).astype(np.float32, copy=False)  # float32 in: no copy


def term_bm25(tf: np.ndarray, norms: np.ndarray, weight: float, share: np.ndarray | None = None) -> np.ndarray:
    """`weight · tf_part(tf, norms)` (times `share` when given, as `(weight · share) · tf_part`),
    in float32, bit for bit, with two arrays fewer: `norms`, the holders' norms gathered for
    this call (`norm[ids]`), is overwritten with the formula's denominator. A common word's
    part is 200,000 holders at 16 times the corpus, and each array the formula made was a
    fresh allocation and a pass over it (the two it saves: a quarter of the part's time).

    >>> norms = np.array([1.2, 1.2, 2.4], np.float32)
    >>> term_bm25(np.array([1.0, 3.0, 3.0], np.float32), norms.copy(), 2.0).tolist() == (2.0 * tf_part(
    ...     np.array([1.0, 3.0, 3.0], np.float32), norms)).tolist()
    True
    """
    if tf.dtype is not _FLOAT32 or norms.dtype is not _FLOAT32:  # computed wider, then narrowed: as before
        part = tf_part(tf, norms)
        return (weight * part if share is None else weight * share * part).astype(np.float32, copy=False)
    norms += tf  # tf + norm: the same sum either way round
    part = tf * _SATURATED  # tf · (k1 + 1), in float32 as `tf_part` multiplies
    part /= norms  # now tf_part, as `tf_part` divides
    part *= weight if share is None else weight * share  # a product is the same either way round
    return part


def coverage(weights: np.ndarray, matched) -> np.ndarray:
    """Share of the query's weight each article holds: Σ weight of the clauses it matches /
    Σ all weights. `matched` has one row per clause (an array or a list of rows), one column
    per article; a row may hold strengths between 0 and 1 (a word held in part).

    A question's particles (`của`, `được`, `là gì`) have tiny idf, so missing them costs
    an article almost nothing, while missing `BTS` costs it most of its coverage.

    >>> coverage(np.array([3.0, 1.0]), np.array([[True, False], [True, True]])).tolist()
    [1.0, 0.25]
    """
    total = float(weights.sum())
    if total <= 0 or not len(weights):
        return np.ones(len(matched[0]) if len(matched) else 0, dtype=np.float32)
    return _shares_added(weights.tolist(), total, matched)


def _shares_added(weights: list[float], total: float, rows, covered: np.ndarray | None = None) -> np.ndarray | None:
    """`covered` (None: nothing yet) plus each row's share of `total`, row by row (no BLAS
    call, no float copy of the matrix), in place. A row of float32 or booleans is multiplied
    into one array made once for them all, not into a new one each: at 16 times the corpus a
    row is a megabyte, and over query.py's 200 searches `coverage_and_reach` took 108 ms
    against 130 (bit for bit the same sums: the product is float32 either way).

    >>> _shares_added([1.0, 3.0], 4.0, [np.array([True, False]), np.array([0.5, 1.0], np.float32)]).tolist()
    [0.625, 0.75]
    """
    scratch = None
    for weight, row in zip(weights, rows):
        share = np.float32(weight / total)
        if covered is None:  # the first row's shares are the sum so far (0 + x is x): no zeros to add them to
            covered = (share * row).astype(np.float32, copy=False)
        elif row.dtype in _NARROW:
            scratch = np.multiply(share, row, out=scratch)
            covered += scratch
        else:
            covered += share * row
    return covered


def coverage_and_reach(weights: np.ndarray, rows: list[np.ndarray], first: int | None) -> tuple[np.ndarray, np.ndarray]:
    """(`coverage` of `rows`, `coverage` of where each row is held at all); `first`: the
    first row holding a word in part (strengths between 0 and 1: a look-alike, a name's
    words apart), the rows before it holding 0 or 1 only (None: every row does). Both are
    what `coverage` gives, bit for bit; the second takes the first's sum up to that row, not
    made again from zeros (a query typed with accents has a look-alike row most of the time,
    and a row is two passes over every article at 16 times the corpus).

    >>> rows = [np.array([1.0, 0.0, 1.0], np.float32), np.array([0.3, 1.0, 0.0], np.float32)]
    >>> covered, reached = coverage_and_reach(np.array([1.0, 3.0]), rows, 1)
    >>> covered.tolist() == coverage(np.array([1.0, 3.0]), rows).tolist(), reached.tolist()
    (True, [1.0, 0.75, 0.25])
    """
    total = float(weights.sum())
    if first is None or total <= 0 or not len(weights):
        covered = coverage(weights, rows)
        return covered, covered
    shares = weights.tolist()
    before = _shares_added(shares[:first], total, rows[:first])  # None when the first row is held in part
    reached = _shares_added(shares[first:], total, [row > 0 for row in rows[first:]],
                            None if before is None else before.copy())
    return _shares_added(shares[first:], total, rows[first:], before), reached


def minimum_coverage(clauses: int, best: float) -> float:
    """The coverage an article needs to be a match, relative to the best article's (in the
    spirit of Lucene's `minimum_should_match`): all of a one- or two-word query when some
    article has it all, two words' worth of longer ones, never less than a third of the best.

    >>> minimum_coverage(2, 1.0), minimum_coverage(4, 1.0), round(minimum_coverage(12, 0.9), 2)
    (1.0, 0.5, 0.3)
    """
    if clauses <= 0:
        return 0.0
    return max(min(1.0, 2.0 / clauses), 1.0 / 3.0) * best


def blend(relevance: np.ndarray, covered: np.ndarray, power: float) -> np.ndarray:
    """The final score: relevance scaled by coverage to a power (coordination), so an
    article holding every telling word outranks one repeating a few of them.

    >>> blend(np.array([4.0, 6.0]), np.array([1.0, 0.5]), power=2.0).tolist()
    [4.0, 1.5]
    """
    scaled = relevance.astype(np.float32)  # covered 1: x · 1 ** power is x, bit for bit
    some = (covered != 1.0).nonzero()[0]  # the power is the costly part: only where it changes something
    scaled[some] = relevance[some] * np.power(covered[some], power)
    return scaled
