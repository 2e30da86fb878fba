"""Facets counted in numpy (`searching.facet_codes`) count what counting each match's value
one by one counts: provinces, years, sources, categories, tags and mentions, with the values
a store really hands over (None, empty tuples, repeated spellings)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from searchkit.searching import pipeline
from searchkit.searching.backend import FACETS
from searchkit.searching.facet_codes import FacetCodes
from tests.conftest import segmented_engine


def counted_one_by_one(values, matched) -> dict:
    """What `pipeline.facet_counts` counted for a store without numbered values."""
    counted: Counter = Counter()
    for value in (values[d] for d in matched.nonzero()[0].tolist()):
        if isinstance(value, tuple):
            counted.update(value)
        elif value:
            counted[value] += 1
    return dict(counted)


PROVINCES = ["Hà Nội", "Đắk Nông", "TP Hồ Chí Minh", "Nghệ An", None, ""]
TAGS = [(), ("5G",), ("5G", "Viettel"), ("viettel",), ("VNPT", "5G", "Viettel")]


@pytest.mark.parametrize("kind", ["single", "several", "mixed"])
def test_numbered_values_count_what_each_match_holds(kind):
    rng = np.random.default_rng(len(kind))
    size = 5000
    if kind == "single":  # a province a article, or none
        values = [PROVINCES[i] for i in rng.integers(0, len(PROVINCES), size)]
    elif kind == "several":  # tags: a tuple each, empty for most
        values = [TAGS[i] for i in rng.integers(0, len(TAGS), size)]
    else:  # a store handing both over (each kind counted as `facet_counts` counts it)
        values = [(PROVINCES + TAGS)[i] for i in rng.integers(0, len(PROVINCES) + len(TAGS), size)]
    coded = FacetCodes.of(values)
    for share in (1.0, 0.5, 0.01, 0.0):
        matched = rng.random(size) < share
        assert coded.counted(matched) == counted_one_by_one(values, matched)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return segmented_engine(tmp_path_factory.mktemp("facets"), 300)


def test_a_faceted_search_counts_as_counting_one_by_one(engine, monkeypatch):
    """Searches over a generated index of 300 articles in three segments: the local index's
    numbered facets give the counts, in the order, that the values counted one by one give."""
    def listed(facets: dict) -> list:
        return [(name, list(counts.items())) for name, counts in facets.items()]  # the order counts too

    queries = ["trạm BTS", "viễn thông", "Hà Nội", "chữ ký số", "tram"]
    pages = {query: listed(engine.search(query, limit=3, facets=True).facets) for query in queries}
    assert any(counts for query in queries for name, counts in pages[query] if name in ("province", "mentions"))

    def one_by_one(view, found, ranked):
        counts = {name: counted_one_by_one(view.facet_values(found, name), ranked.matched) for name in FACETS}
        assert hasattr(view, "facet_codes")  # the local index numbers its values: this stands in for it
        return pipeline.ordered(counts)

    monkeypatch.setattr(pipeline, "facet_counts", one_by_one)
    for query in queries:
        assert pages[query] == listed(engine.search(query, limit=3, facets=True).facets), query


def test_one_place_in_old_and_new_tone_placement_is_counted_once():
    """A category or source spelled `Hoà Bình` by some articles and `Hòa Bình` by others (old
    and new tone placement), or `Đăk Nông` beside `Đắk Nông`: numbered apart, counted as one
    value under the most common spelling once the facet is ordered."""
    values = ["Hòa Bình", "Hoà Bình", "Hòa Bình", None, "Đắk Nông", "Đăk Nông", "Đắk Nông", ""]
    matched = np.array([True] * 7 + [False])
    counted = FacetCodes.of(values).counted(matched)
    assert counted == {"Hòa Bình": 2, "Hoà Bình": 1, "Đắk Nông": 2, "Đăk Nông": 1}
    ordered = pipeline.ordered({"category": counted})["category"]
    assert ordered == {"Hòa Bình": 3, "Đắk Nông": 3} and list(ordered) == ["Đắk Nông", "Hòa Bình"]
