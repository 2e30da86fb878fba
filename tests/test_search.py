"""Searching the sample corpus as users type: accents or not, NFD, tone placement, operators."""

import unicodedata

import pytest

from searchkit import QueryError, SearchEngine
from tests.conftest import engine_over

AN_GIANG, NGHE_AN, HOA_BINH, DAK_NONG, DIEN_BIEN = (
    "000_8ea709576470be64", "001_763baed69ffaf6d4", "002_8621a67b8f0e4508",
    "003_968839511eb7d5a3", "004_18419e47d282bcbb",
)
BTS_ARTICLES = {AN_GIANG, NGHE_AN, DAK_NONG}


def ids(results):
    return [hit.id for hit in results.hits]


@pytest.mark.parametrize("query", [
    "trạm BTS", "tram bts", "TRẠM BTS", "Trạm bts", unicodedata.normalize("NFD", "trạm BTS"),
    '"trạm BTS"', '"tram bts"',
])
def test_every_way_of_typing_tram_bts_finds_the_same_articles(sample_engine, query):
    results = sample_engine.search(query)
    assert set(ids(results)) == BTS_ARTICLES
    assert ids(results)[0] == NGHE_AN  # two mentions of trạm BTS


@pytest.mark.parametrize("query", [
    "Đắk Nông", "Dak Nong", "Đăk Nông", "Đak Nông", "dak nong", unicodedata.normalize("NFD", "Đắk Nông"),
    "\u00d0ắk Nông",  # Icelandic eth typed for Đ
])
def test_every_spelling_of_dak_nong_ranks_its_article_first(sample_engine, query):
    assert ids(sample_engine.search(query))[0] == DAK_NONG


@pytest.mark.parametrize("query", ["Hoà Bình", "Hòa Bình", "hoa binh", "Tỉnh uỷ Hòa Bình", "tỉnh ủy hoà bình", "HOÀ BÌNH", "TỈNH UỶ"])
def test_tone_placement_does_not_matter(sample_engine, query):
    assert ids(sample_engine.search(query))[0] == HOA_BINH


@pytest.mark.parametrize("query, expected", [
    ("title:\"Điện Biên\"", [DIEN_BIEN]),
    ("title:Nông", [DAK_NONG]),
    ("\"trạm BTS\" -\"Nghệ An\"", [AN_GIANG, DAK_NONG]),
    ("trạm BTS NOT Vinh", [AN_GIANG, DAK_NONG]),
    ("hoa binh OR \"dien bien\"", [HOA_BINH, DIEN_BIEN, DAK_NONG]),  # Đắk Nông: 'diễn biến'
])
def test_operators(sample_engine, query, expected):
    assert sorted(ids(sample_engine.search(query))) == sorted(expected)


def test_quoted_accented_phrase_wants_its_exact_spelling_not_a_folded_lookalike(sample_engine):
    found = ids(sample_engine.search('"Điện Biên" OR "Hòa Bình"'))
    assert set(found) == {HOA_BINH, DIEN_BIEN}  # not DAK_NONG, which says 'diễn biến'
    assert DAK_NONG in ids(sample_engine.search('"dien bien"'))  # typed without accents: any


def test_unquoted_accented_words_rank_exact_spelling_above_a_folded_lookalike(sample_engine):
    found = ids(sample_engine.search("Điện Biên"))
    assert found[0] == DIEN_BIEN
    assert found.index(DAK_NONG) > found.index(DIEN_BIEN) if DAK_NONG in found else True


@pytest.mark.parametrize("query", ['"trạm BTS', "trạm - BTS", "AND OR trạm BTS", "trạm OR", "(trạm BTS)", "trạm: BTS"])
def test_malformed_queries_still_search(sample_engine, query):
    assert set(ids(sample_engine.search(query))) >= {NGHE_AN}


@pytest.mark.parametrize("query", ["", "   ", "!!! ...", "-BTS", "NOT trạm", '""', "-"])
def test_queries_with_nothing_to_look_for_raise_a_clear_error(sample_engine, query):
    with pytest.raises(QueryError, match="type at least one word"):
        sample_engine.search(query)


def test_and_or_alone_searches_the_words(sample_engine):
    assert sample_engine.search("AND OR").total == 0


@pytest.fixture(scope="module")
def accent_engine(tmp_path_factory) -> SearchEngine:
    """Two articles that differ only by accents: bán hàng vs bạn hàng."""
    return engine_over(tmp_path_factory.mktemp("accents"), {
        "ban_hang": "Doanh nghiệp viễn thông\n\nCửa hàng bán hàng qua mạng cho doanh nghiệp.",
        "ban_be": "Doanh nghiệp viễn thông\n\nCửa hàng bạn hàng qua mạng cho doanh nghiệp.",
    })


def test_accented_query_ranks_exact_accents_first_but_keeps_folded_matches(accent_engine):
    sold = accent_engine.search("bán hàng")
    assert ids(sold) == ["ban_hang", "ban_be"]
    assert sold.hits[0].score > sold.hits[1].score
    assert ids(accent_engine.search("bạn hàng")) == ["ban_be", "ban_hang"]


def test_unaccented_query_finds_every_variant_and_prefers_only_the_restored_reading(accent_engine):
    results = accent_engine.search("ban hang")
    assert set(ids(results)) == {"ban_hang", "ban_be"}
    restored = accent_engine.restore_accents("ban hang")
    first = "ban_hang" if restored == "bán hàng" else "ban_be"
    assert ids(results)[0] == first  # the side-by-side bonus as the restoration writes it ...
    from searchkit.searching.ranking import NEAR_BONUS, NEAR_POWER, RESTORED_LOOSE

    most = (1 + NEAR_BONUS) / (1 + NEAR_BONUS * RESTORED_LOOSE ** NEAR_POWER)  # ... and part of it for the other
    assert results.hits[1].score * most == pytest.approx(results.hits[0].score, rel=1e-3)


def test_highlight_spans_point_at_the_accented_words(sample_engine):
    hit = sample_engine.search("tram bts").hits[0]
    assert hit.snippets
    for snippet in hit.snippets:
        assert [snippet.text[s:e] for s, e in snippet.spans] == ["trạm BTS"]


def test_folded_match_highlights_each_spelling_as_written(sample_engine):
    (hit,) = [h for h in sample_engine.search("dak nong").hits if h.id == DAK_NONG]
    marked = {s.text[a:b] for s in hit.snippets for a, b in s.spans}
    assert marked <= {"Đăk Nông", "Đắk Nông", "Đak Nông"} and "Đăk Nông" in marked
    assert [hit.title[a:b] for a, b in hit.title_spans] == ["Đắk Nông"]


def test_a_typed_province_is_marked_whole_as_the_gazetteer_writes_it_never_a_lone_word(sample_engine):
    (hit,) = [h for h in sample_engine.search("Đắk Nông").hits if h.id == DAK_NONG]
    marked = {s.text[a:b] for s in hit.snippets for a, b in s.spans}
    assert "Đắk Nông" in marked and marked <= {"Đắk Nông", "Đăk Nông", "Đak Nông"}


@pytest.mark.parametrize("query, text, expected", [
    ("là", "Đây là lá cờ", ["là"]),  # 'lá' folds to the same letters
    ("vi rút", "Vì vi rút lây qua thư", ["vi rút"]),  # 'vi' typed plain in an accented query
    ("vi rut", "Vì vi rút lây qua thư", ["Vì vi rút"]),  # typed without accents: any
])
def test_highlights_mark_only_the_forms_that_counted(sample_engine, query, text, expected):
    body = sample_engine.highlighting(query)[1]
    assert [text[a:b] for a, b in body.spans(text)] == expected


def test_accented_query_does_not_highlight_other_words_with_the_same_letters(sample_engine):
    (hit,) = [h for h in sample_engine.search("trạm BTS").hits if h.id == DAK_NONG]
    marked = [s.text[a:b] for s in hit.snippets for a, b in s.spans]
    assert marked == ["trạm BTS"]  # the article's 'trăm nghìn' is not marked


def test_results_to_dict_has_the_documented_shape(sample_engine):
    data = sample_engine.search("trạm BTS", limit=2).to_dict()
    assert data["query"] == "trạm BTS" and data["total"] == 3 and len(data["hits"]) == 2
    hit = data["hits"][0]
    assert {"id", "title", "date", "score", "snippets"} <= hit.keys()
    assert all(set(s) == {"text", "spans"} for s in hit["snippets"])


@pytest.mark.parametrize("query", ["Điện Bi*", "dien bi*", "điện biê*"])
def test_a_prefix_finds_and_highlights_the_syllables_beginning_so(sample_engine, query):
    results = sample_engine.search(query)
    assert ids(results)[0] == DIEN_BIEN
    hit = results.hits[0]
    assert "Điện Biên" in [hit.title[a:b] for a, b in hit.title_spans]


def test_an_excluded_prefix_excludes_every_completion(sample_engine):
    assert NGHE_AN not in ids(sample_engine.search("trạm BTS -Ngh*"))
    assert NGHE_AN in ids(sample_engine.search("trạm BTS"))


def test_a_prefix_expands_to_a_bounded_number_of_syllables(sample_engine):
    from searchkit.searching.rewrite import MAX_COMPLETIONS

    plan = sample_engine.plan("t*")
    assert 1 < len(plan.optional[0][0].alternatives) <= MAX_COMPLETIONS


def _answer(results):
    return results.total, [(hit.id, hit.score, hit.title_spans, hit.snippets) for hit in results.hits]


def test_a_clause_counted_for_one_search_answers_each_later_one_as_counting_it_again_does(sample_engine,
                                                                                          monkeypatch):
    """A clause's occurrences in a part are kept for the index generation (`IndexArrays.derived`),
    by the part, its syllables, its alternatives and how each syllable must match: the same
    letters typed with other accents, without them, or as an abbreviation are counted apart."""
    from searchkit.searching import ranking

    queries = ["trạm BTS", "tram bts", "trám BTS", "Hoà Bình", "hoa binh", "Hòa Bình", "hoá bình",
               "Nghệ An", "nghệ Ấn", "nghe an", "CNTT", "công nghệ thông tin", "cong nghe thong tin",
               '"thông tin"', "thông tin", "thong tin", "title:BTS", "BTS"]
    kept = [_answer(sample_engine.search(query)) for query in queries + queries[::-1]]
    assert len(sample_engine.backend._arrays[1]._derived._entries) > len(queries)  # a part each, forms apart
    monkeypatch.setattr(ranking, "_kept_field_counts", ranking._field_counts)  # counted again each time
    counted = SearchEngine(sample_engine.path)
    assert kept == [_answer(counted.search(query)) for query in queries + queries[::-1]]


def test_words_found_side_by_side_by_one_search_answer_each_later_one_as_finding_them_again_does(
        sample_engine, monkeypatch):
    """Where words stand side by side (`ranking._side_by_side`: the neighbours' bonus, a
    name's words together, the words as restored) is kept for the index generation
    (`IndexArrays.derived`), by the part and how each word must match: the same letters typed
    with other accents, without them or as the restoration writes them are found apart."""
    from searchkit.searching.arrays import IndexArrays

    queries = ["trạm BTS Đắk Nông", "tram bts dak nong", "Đắk Nông trạm BTS", "Nghệ An", "nghệ Ấn", "nghe an",
               "ngHệ an", "chữ ký số", "chu ky so", "chữ kí số", "thông tin truyền thông", "thong tin truyen thong",
               "thông tín truyền thông", "Đắk Nông đã làm gì để phát triển trạm BTS?", "hoà bình", "Hòa Bình",
               "Nghệ an", "Nghệ an có bao nhiêu trạm BTS được xây dựng mới trong năm nay?", "trạm bts",
               "Đắk Nông đã làm gì để phát triển trạm bts?"]  # typed plain: only that, or any accents
    kept = [_answer(sample_engine.search(query)) for query in queries + queries[::-1]]
    runs = [key[1] for key in sample_engine.backend._arrays[1]._derived._entries if key[0] == "side by side"]
    assert len(runs) > len(queries)
    # `an` of `Nghệ an` matches plain in the short query and any spelling in the question: kept apart
    assert {tuple(m.mode for m in forms) for part, forms in runs
            if part == "body" and [m.accented for m in forms] == ["nghệ", "an"]} == {("exact", "plain"), ("exact", "any")}
    monkeypatch.setattr(IndexArrays, "derived", lambda self, key, make, **_: make(self))  # made at each ask
    found = SearchEngine(sample_engine.path)
    assert kept == [_answer(found.search(query)) for query in queries + queries[::-1]]


def test_values_beyond_what_a_generation_keeps_are_made_each_time(sample_engine, monkeypatch):
    """A clause's counts or a run of words larger than the whole store holds are returned, not kept."""
    from searchkit.searching import arrays

    expected = _answer(sample_engine.search("trạm BTS Đắk Nông"))
    monkeypatch.setattr(arrays, "MAX_CACHED_DERIVED", 1)
    small = SearchEngine(sample_engine.path)
    assert [_answer(small.search("trạm BTS Đắk Nông")) for _ in range(2)] == [expected] * 2
    assert small.backend._arrays[1]._derived.size <= 1


def test_a_full_store_keeps_small_values_and_makes_large_ones_each_time(sample_engine, monkeypatch):
    """Once a store of what a generation keeps is full, a value that would evict others is
    kept only when it is small (`ADMIT_WHEN_FULL` of the store): a large one is made and
    returned at each ask. Small ones still take the place of the oldest; every answer is the
    one a store with room for everything gives, and no store holds more than its limit."""
    from searchkit.searching import arrays

    queries = ["trạm BTS Đắk Nông", "tram bts dak nong", "chữ ký số", "chu ky so", "Nghệ An", "nghệ Ấn",
               "thông tin truyền thông", "Đắk Nông đã làm gì để phát triển trạm BTS?", "CNTT", '"thông tin"',
               "hoà bình", "viễn thông", "doanh nghiệp"]
    expected = [_answer(sample_engine.search(query)) for query in queries]
    for name, limit in (("MAX_CACHED_POSTINGS", 12), ("MAX_CACHED_OCCURRENCES", 150), ("MAX_CACHED_DERIVED", 40)):
        monkeypatch.setattr(arrays, name, limit)
    monkeypatch.setattr(arrays, "ADMIT_WHEN_FULL", 0.1)
    asked, keep = [], arrays._Kept.keep

    def recorded(store, key, value, size, layout):
        full = key not in store and store.size + size > store.limit  # it would evict others
        found = keep(store, key, value, size, layout)
        asked.append((full, size > 0.1 * store.limit, key in store))
        return found

    monkeypatch.setattr(arrays._Kept, "keep", recorded)
    small = SearchEngine(sample_engine.path)
    assert [_answer(small.search(query)) for query in queries + queries[::-1]] == expected + expected[::-1]
    assert {(large, kept) for full, large, kept in asked if full} == {(True, False), (False, True)}
    generation = small.backend._arrays[1]
    assert all(store.size <= store.limit for store in (generation._cache, generation._occurrences, generation._derived))


def test_a_search_leaves_nothing_for_the_garbage_collector(sample_engine):
    """Every shape of search frees what it made by reference counting: none makes a reference
    cycle (a class or closure made per call holding its arrays), which would wait for Python's
    cyclic collector and be walked by every collection until then (docs/architecture.md)."""
    import gc

    queries = ["trạm BTS", "tram bts", "Đắk Nông đã làm gì để phát triển trạm BTS?", "chữ ký số", '"Bộ TT&TT"',
               "CNTT", "truyeenf thoong", "thông tin -hội", "tram*", "trạm bts dak nong vien thong so"]
    for query in queries:  # the searcher opened and the statistics read: kept, not garbage
        sample_engine.search(query, facets=True, explain=True)
    gc.collect()
    gc.disable()
    try:
        for query in queries:
            results = sample_engine.search(query, facets=True, explain=True)
            assert results.to_dict()["total"] == results.total
        dated = sample_engine.search("tram bts", since="2010", sort="date")
        in_province = sample_engine.search("tram bts", province="dak nong", facets=True)
        assert dated.hits and in_province.hits and gc.collect() == 0
    finally:
        gc.enable()
