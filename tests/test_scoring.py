"""The scoring formulas against values computed by hand."""

import math

import numpy as np
import pytest

from searchkit.searching.scoring import (
    blend,
    coverage,
    coverage_and_reach,
    idf,
    length_norm,
    minimum_coverage,
    term_bm25,
    tf_part,
)


def test_idf_is_robertson_sparck_jones_plus_one():
    # ln(1 + (N - n + 0.5) / (n + 0.5)) for N = 100 articles, n = 9 holding the word
    assert idf(100, 9) == pytest.approx(math.log(1 + 91.5 / 9.5))
    assert idf(100, 100) == pytest.approx(math.log(1 + 0.5 / 100.5))


def test_idf_never_goes_negative_when_deleted_articles_inflate_the_frequency():
    assert idf(10, 25) == idf(10, 10) > 0


def test_bm25_of_one_word_by_hand():
    # k1 = 1.2, b = 0.75; the article is twice the average length; the word occurs 3 times
    norm = length_norm(np.array([200.0]), average=100.0, b=0.75)
    assert norm[0] == pytest.approx(1.2 * (1 - 0.75 + 0.75 * 2))
    assert tf_part(np.array([3.0]), norm)[0] == pytest.approx(3 * 2.2 / (3 + 2.1))


def test_a_short_title_saturates_faster_than_a_long_body():
    short, long = length_norm(np.array([5.0, 50.0]), average=10.0, b=0.75)
    assert tf_part(np.array([1.0]), np.array([short]))[0] > tf_part(np.array([1.0]), np.array([long]))[0]


def _holders_of_a_word(rng, count=20_000):
    """A word's occurrences (a look-alike counts 0.05 of one, as `ranking` weighs it) and its
    holders' length norms, in float32 as ranking reads them."""
    tf = (rng.integers(1, 12, count) - 0.95 * (rng.random(count) < 0.2)).astype(np.float32)
    norms = length_norm(rng.integers(40, 3000, count).astype(np.float32), average=600.0, b=0.75)
    return tf, norms


@pytest.mark.parametrize("with_share", [False, True])
def test_a_terms_bm25_is_the_formulas_bit_for_bit(with_share):
    """`term_bm25` (ranking's `_Part.scores`) computes in place what `weight · tf_part` did,
    to the last bit: a ranking must not move because an array was reused. An alternative's
    share (`CNTT` for *công nghệ thông tin*) weighs it as (weight · share) · tf_part."""
    rng = np.random.default_rng(21)
    tf, norms = _holders_of_a_word(rng)
    weight = 1.3 * idf(259_000, 41_000)
    share = (0.8 + 0.2 * rng.random(len(tf))).astype(np.float32) if with_share else None
    expected = weight * tf_part(tf, norms) if share is None else weight * share * tf_part(tf, norms)
    found = term_bm25(tf, norms.copy(), weight, share)
    assert found.dtype == np.float32 and found.tobytes() == expected.tobytes()


def test_a_terms_bm25_in_another_precision_is_computed_wider_then_narrowed():
    """Occurrences in float64 (not ranking's) are computed as before, in float64, then given
    as float32: 2 · 1.1 / (1.1 + 0.7) is not the same in float32 throughout."""
    tf, norms = np.array([1.1, 3.0, 7.3]), np.array([0.7, 1.9, 2.35], np.float32)
    expected = (2.0 * tf_part(tf, norms)).astype(np.float32)
    assert term_bm25(tf, norms.copy(), 2.0).tobytes() == expected.tobytes()


def test_coverage_of_float_rows_is_the_sum_row_by_row_bit_for_bit():
    """The first row's shares are the sum so far (no zeros added to): every article's
    coverage is what adding the rows to zeros gave, to the last bit; a row held in part (a
    look-alike: 0.3) and a boolean row count alike."""
    rng = np.random.default_rng(5)
    rows = [(rng.random(5000) < p).astype(np.float32) for p in (0.9, 0.4, 0.1)]
    rows[1][rng.random(5000) < 0.1] = np.float32(0.3)
    rows.append(rng.random(5000) < 0.5)
    weights = np.array([0.21, 2.7, 5.13, 1.9])
    expected = np.zeros(5000, np.float32)
    for weight, row in zip(weights.tolist(), rows):
        expected += np.float32(weight / weights.sum()) * row
    found = coverage(weights, rows)
    assert found.dtype == np.float32 and found.tobytes() == expected.tobytes()


@pytest.mark.parametrize("first", [None, 0, 1, 3])
def test_coverage_and_reach_are_each_rows_coverage_bit_for_bit(first):
    """`Nghệ An đã làm gì` typed with accents: `Nghệ` has look-alikes (`nghe`, 0.3 of a word:
    a partial row), the others are held or not. What ranking matches on (where each word is
    held at all) and what it ranks by (coverage) are `coverage`'s values to the last bit,
    whichever row is the first held in part; the rows before it hold 0 or 1."""
    rng = np.random.default_rng(8)
    rows = [(rng.random(4000) < p).astype(np.float32) for p in (0.3, 0.6, 0.8, 0.5, 0.2)]
    if first is not None:
        for i in range(first, len(rows), 2):
            rows[i][rng.random(4000) < 0.15] = np.float32(0.3)
    weights = np.array([6.2, 0.4, 0.2, 1.1, 3.3])  # 'Nghệ', 'đã', 'làm', 'gì', 'An'
    covered, reached = coverage_and_reach(weights, rows, first)
    assert covered.tobytes() == coverage(weights, rows).tobytes()
    assert reached.tobytes() == coverage(weights, [row > 0 for row in rows]).tobytes()
    assert (first is None) == (reached is covered)  # nothing held in part: one array for both


def test_coverage_weighs_each_word_by_its_weight():
    weights = np.array([4.0, 0.1, 2.0])  # 'BTS', 'của', 'trạm'
    matched = np.array([[True, True, False], [True, False, True], [False, True, True]])
    assert coverage(weights, matched).tolist() == pytest.approx([4.1 / 6.1, 6.0 / 6.1, 2.1 / 6.1])


def test_missing_a_particle_costs_little_and_missing_a_name_costs_much():
    weights = np.array([5.0, 0.2])  # 'Đắk Nông' then 'gì'
    without_particle, without_name = coverage(weights, np.array([[True, False], [False, True]]))
    assert without_particle > 0.95 and without_name < 0.05


@pytest.mark.parametrize("clauses, best, expected", [(1, 1.0, 1.0), (2, 0.8, 0.8), (3, 1.0, 2 / 3),
                                                     (6, 1.0, 1 / 3), (30, 0.9, 0.3), (0, 1.0, 0.0)])
def test_minimum_coverage(clauses, best, expected):
    assert minimum_coverage(clauses, best) == pytest.approx(expected)


def test_blend_scales_relevance_by_coverage_to_a_power():
    assert blend(np.array([10.0, 10.0]), np.array([1.0, 0.5]), power=2.0).tolist() == [10.0, 2.5]


@pytest.mark.parametrize("ratio", [1, 10**9])  # binary search always / merging always
def test_words_side_by_side_are_found_the_same_by_merging_or_searching(monkeypatch, ratio):
    from searchkit.searching import ranking

    rng = np.random.default_rng(3)
    for before_size, after_size in [(5, 4000), (3000, 4000), (4000, 30), (0, 10)]:
        before = np.unique(rng.integers(0, 20_000, before_size)).astype(np.int64)
        after = np.unique(rng.integers(0, 20_000, after_size)).astype(np.int64)
        expected = sorted(set((before + 1).tolist()) & set(after.tolist()))
        monkeypatch.setattr(ranking, "MERGE_RATIO", ratio)
        assert ranking._followed(before, after).tolist() == expected


@pytest.mark.parametrize("kept", [1.0, 0.7, 0.02, 0.0])
def test_the_best_coverage_among_the_filtered_articles_is_the_masked_maximum(kept):
    """A filter (`since`, `province:`) leaves some articles: the best coverage among them is
    what a maximum over them alone gives, whatever the filter keeps (all, most, a few, none:
    0, no match then), and a word held in part is told by its strengths between 0 and 1."""
    from searchkit.searching.ranking import _best_within, _partial

    rng = np.random.default_rng(13)
    reach = (rng.integers(0, 7, 50_000) / 6).astype(np.float32)  # 0, 1/6 … 1 of a query's weight
    base = rng.random(50_000) < kept
    expected = float(reach[base].max()) if base.any() else 0.0
    assert _best_within(reach, base) == expected
    row = (rng.random(50_000) < 0.4).astype(np.float32)  # 'Nghệ An': held or not
    assert not _partial(row)
    row[rng.integers(0, 50_000, 3)] = np.float32(0.3)  # three articles with its look-alike only
    assert _partial(row)
