"""Ranking scores only the articles that can reach the page (issue 21): the matches, and of
them only the first tier (those holding every word) when it fills offset + limit. A plain
word's counts come from postings, its positions from the articles a run needs. Every page,
score and total must be the one that scoring every article gives."""

from __future__ import annotations

import json

import numpy as np
import pytest

from searchkit.searching import exact, ranking
from searchkit.text.syllables import folded_form, forms
from tests.conftest import segmented_engine

QUERIES = ["trạm BTS", "tram BTS", "Đắk Nông đã làm gì để phát triển trạm BTS?", "chữ ký số", "Nghệ An",
           "nghệ Ấn", "an ninh mạng", "Bộ Thông tin và Truyền thông", "doanh nghiệp viễn thông",
           '"trạm BTS" Đắk Nông', "+BTS trạm phát sóng", "các nhà mạng", "của các", "CNTT", "TT&TT",
           "truyeenf thoong", "viễn thông -BTS", "trạm BTS của các nhà mạng ở Đắk Nông"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """300 articles made of the seed articles' paragraphs, in three segments."""
    return segmented_engine(tmp_path_factory.mktemp("page"), 300)


def _page(results) -> tuple:
    return results.total, results.complete, [(hit.id, hit.score) for hit in results.hits]


@pytest.mark.parametrize("offset", [0, 7])
def test_a_page_is_the_one_scoring_every_article_gives(engine, offset):
    """An explanation scores every article (it shows each one's parts): its page is the same."""
    for query in QUERIES:
        page = engine.search(query, limit=5, offset=offset)
        assert page.hits or query == "viễn thông -BTS", query
        assert _page(page) == _page(engine.search(query, limit=5, offset=offset, explain=True)), query


def test_scores_left_out_are_of_articles_the_page_never_reads(engine, monkeypatch):
    """Each search is ranked twice, with its depth (or, sorted by date, its newest matches)
    and with every match scored: the same page and the same scores on it, though many
    articles went unscored."""
    from searchkit.searching.pipeline import by_date

    unscored, first_tier, older = 0, 0, 0
    rank = ranking.rank

    def both(arrays, plan, allowed=None, trace=None, depth=None, newest=None):
        nonlocal unscored, first_tier, older
        ranked, whole = rank(arrays, plan, allowed, trace, depth, newest), rank(arrays, plan, allowed, trace, None)
        assert (ranked.total, ranked.complete) == (whole.total, whole.complete)
        skipped = whole.matched & (whole.scores != 0) & (ranked.scores == 0)
        if depth is not None:
            assert ranked.top(depth) == whole.top(depth)
            unscored += int(np.count_nonzero(skipped))
            first_tier += ranked.first is not None and bool(skipped.any())
            assert not np.any(skipped & (ranked.first if ranked.first is not None else whole.matched))
        if newest is not None:  # a date-sorted page: the same hits, in the same order, with the same scores
            days, wanted = newest
            assert by_date(days, ranked, wanted) == by_date(days, whole, wanted)
            older += int(np.count_nonzero(skipped))
        return ranked

    monkeypatch.setattr(ranking, "rank", both)
    for query in QUERIES:
        engine.search(query, limit=3)
        engine.search(query, limit=2, sort="date")
    assert first_tier >= 3 and unscored > 100 and older > 10


def test_sorted_by_date_every_match_keeps_its_score(engine):
    """Equal dates are ordered by score: sorting by date scores every match."""
    for query in ("trạm BTS", "viễn thông", "các nhà mạng"):
        dated = engine.search(query, limit=50, sort="date")
        explained = engine.search(query, limit=50, sort="date", explain=True)
        assert _page(dated) == _page(explained) and all(hit.score > 0 for hit in dated.hits)


def test_a_plain_word_counted_from_postings_as_from_its_positions(engine):
    engine.search("trạm BTS", limit=1)
    arrays = engine.backend._arrays[1]
    checked = 0
    # hoá / hóa (old and new tone placement), kỹ / kĩ (i or y) and quy are spelled several ways
    for folded in ("an", "ban", "tram", "cac", "co", "la", "thong", "ninh", "nong", "hoa", folded_form("kỹ"),
                   folded_form("quy")):
        for part in ("title", "body"):
            keys = exact.occurrences(arrays, part, exact.Match(folded, folded, exact.PLAIN))
            docs, counts = exact.doc_counts(keys)
            found = exact._plain_counts(arrays, part, folded)
            assert found[0].tolist() == docs.tolist() and found[1].tolist() == counts.astype(np.float32).tolist()
            assert len(arrays.postings(f"{part}_f", folded)[0]) >= len(docs)
            checked += len(docs)
    assert checked > 500


#: Runs to type with one word plain: common words, names, abbreviations, tone placement (`hoá`
#: typed, *hóa* written) and i/y (`kỹ`, *kĩ*), as typed.
_RUNS = (("an", "ninh"), ("viễn", "thông"), ("hỗ", "trợ"), ("chỉ", "đạo"), ("thông", "tin"), ("trạm", "bts"), ("văn", "hoá"),
         ("kỹ", "thuật"), ("quy", "định"), ("các", "trạm"), ("xây", "dựng", "trạm"), ("của", "ubnd"), ("phát", "hành"),
         ("và", "các"))


@pytest.mark.parametrize("others", [exact.ANY, exact.EXACT])
@pytest.mark.parametrize("whole_up_to", [5000, 0])
def test_a_run_with_a_plain_word_is_found_as_from_its_plain_positions(engine, monkeypatch, whole_up_to, others):
    """`quan trọng` typed `quan trọng` in an accented query: `quan` written plain, not `quân`;
    the other words typed with any accents or exactly so (`cac trạm`, `xây dung trạm`, `kỹ
    thuat` in the index's forms: *kĩ*). The run is found with any accents, then the marked
    spellings' positions are taken out and each word typed with accents is checked in the
    run's articles: the same keys as intersecting every word's own positions, read whole or
    (`whole_up_to` 0: as at 16 times the corpus) in the run's articles only. Every run typed
    with its accents is in the articles (none of them is compared empty with empty)."""
    from searchkit.searching import arrays as module

    monkeypatch.setattr(module, "READ_WHOLE_HOLDERS", whole_up_to)
    engine.search("trạm BTS", limit=1)
    arrays = engine.backend._arrays[1]
    arrays._occurrences.clear()
    arrays._derived.clear()
    runs = 0
    for typed in _RUNS:
        written = [forms(word) for word in typed]  # (accented, folded) as the index keeps them
        as_typed = tuple(exact.Match(f, a, exact.EXACT if a != f else exact.ANY) for a, f in written)
        assert len(ranking._side_by_side(arrays, {}, "body", as_typed)), typed
        for plain_at in range(len(typed)):
            for part in ("title", "body"):
                matches = tuple(exact.Match(f, f, exact.PLAIN) if i == plain_at else
                                exact.Match(f, a if others == exact.EXACT else f, others)
                                for i, (a, f) in enumerate(written))
                found = ranking._side_by_side(arrays, {}, part, matches)
                merged = ranking._in_order(len(matches), lambda i: 0,
                                           lambda i, docs: exact.occurrences(arrays, part, matches[i]))
                assert found.tolist() == merged.tolist(), (typed, plain_at, part)
                runs += len(ranking._side_by_side(arrays, {}, part, tuple(exact.Match(f, f) for _, f in written)))
    assert runs > 300


@pytest.mark.parametrize("accents", ["exact", "any", "one plain"])
def test_a_run_found_from_the_runs_of_its_first_and_last_words_is_the_one_its_words_give(engine, accents):
    """A run of three or four words whose run less its last word and run less its first word
    were found already (a short query's pairs come before its triples) is where both stand one
    place apart: the same keys as merging each word's own positions, typed with accents,
    without them, or with one word plain in an accented query (each in turn), in titles and
    bodies."""
    engine.search("trạm BTS", limit=1)
    arrays = engine.backend._arrays[1]
    found = 0
    for typed in (("xây", "dựng", "trạm"), ("phát", "triển", "trạm"), ("trạm", "bts", "của"), ("đắk", "nông", "đã"),
                  ("thông", "tin", "và", "truyền"), ("các", "nhà", "mạng"), ("hạ", "tầng", "viễn", "thông")):
        written = [forms(word) for word in typed]
        for plain_at in range(len(typed)) if accents == "one plain" else [None]:
            matches = tuple(exact.Match(f, f, exact.PLAIN) if i == plain_at else
                            exact.Match(f, a, exact.EXACT if accents != "any" and a != f else exact.ANY)
                            for i, (a, f) in enumerate(written))
            found += _from_shorter_runs_as_from_words(arrays, typed, matches)
    assert found > 50


def _from_shorter_runs_as_from_words(arrays, typed, matches) -> int:
    """The run found from its two shorter runs, compared in each part with merging each
    word's positions; how many places it holds."""
    found = 0
    for part in ("title", "body"):
        arrays._derived.clear()  # found now, from the two shorter runs, not kept from another search
        known = {(part, matches[:-1]): ranking._side_by_side(arrays, {}, part, matches[:-1]),
                 (part, matches[1:]): ranking._side_by_side(arrays, {}, part, matches[1:])}
        arrays._derived.clear()
        keys = ranking._side_by_side(arrays, known, part, matches)
        merged = ranking._in_order(len(matches), lambda i: 0,
                                   lambda i, docs: exact.occurrences(arrays, part, matches[i]))
        assert keys.tolist() == merged.tolist(), (typed, [m.mode for m in matches], part)
        found += len(keys)
    return found


def test_a_search_of_required_words_only_answers_in_json(engine):
    for query in ('"trạm BTS"', "+BTS +trạm"):
        results = engine.search(query, limit=3)
        assert results.total and isinstance(results.complete, int)
        json.dumps(results.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("limit, offset, dates", [(10, 0, 4), (3, 0, 4), (10, 20, 4), (1, 117, 4), (50, 0, 4),
                                                  (10, 0, 900), (7, 13, 900), (10, 880, 900)])
def test_a_date_sorted_page_is_the_full_sorts_with_ties_at_its_edge(limit, offset, dates):
    """`by_date` sorts only the matches as new as the page's last one: its page is the one
    sorting every match gives (newest first, undated last, equal dates by score, then doc
    number), whether many articles of one day straddle the edge (a ministry's press day, 4
    days in all) or each has its own day (900 of them), with equal scores, and most articles
    undated, as in the news corpus; a page past the dated ones reaches into the undated. The
    matches `rank` chose for the page are sorted as they are; chosen for another page, they
    are chosen again."""
    from searchkit.searching.pipeline import by_date
    from searchkit.searching.ranking import Ranked, newest_matches

    rng = np.random.default_rng(limit * 31 + offset + dates)
    size = 3000
    dated = np.sort(rng.choice(np.arange(20090101, 20120101), dates, replace=False))
    days = np.zeros(size, np.int64)
    days[rng.choice(size, 900, replace=False)] = rng.choice(dated, 900, replace=dates < 900)
    matched = rng.random(size) < 0.8
    scores = np.round(rng.random(size), 1).astype(np.float32)  # ties in score too
    ranked = Ranked(matched, scores)
    docs = matched.nonzero()[0]
    when = days[docs]
    order = np.lexsort((docs, -scores[docs], -when, when == 0))[offset:offset + limit]
    expected = [(int(docs[i]), float(scores[docs[i]])) for i in order]
    assert by_date(days, ranked, limit, offset) == expected and len(expected) == limit
    chosen = Ranked(matched, scores, newest=(offset + limit, newest_matches(days, matched, offset + limit)))
    another = Ranked(matched, scores, newest=(1, newest_matches(days, matched, 1)))  # a one-hit page's
    assert by_date(days, chosen, limit, offset) == by_date(days, another, limit, offset) == expected
