"""What an engine carries across a commit: the postings and positions it read
(`IndexArrays._carry`: those of the segments it had, followed by the new segments' when a
word is asked for again) and its hits' stored fields (`StoredFields`, by segment and document
number). After the commit it answers exactly as an engine opened afresh on the same index."""

from __future__ import annotations

from searchkit import SearchEngine

QUERIES = ["trạm BTS", "tram bts", '"trạm BTS"', "chữ ký số", "chu ky so", "của các", "Đắk Nông",
           "dak nong", "CNTT", "thông tin và truyền thông", "hoà bình", "Bộ Thông tin và Truyền thông"]
NEW = ("Hà Giang xây thêm trạm BTS cho vùng cao\n\n"
       "Sở Thông tin và Truyền thông tỉnh Hà Giang cho biết của các trạm BTS mới, chữ ký số được dùng "
       "để ký hồ sơ. Đắk Nông và Hà Giang cùng phát triển CNTT.\n")


def answer(results) -> tuple:
    return results.total, [(h.id, h.score, h.title, h.title_spans, h.snippets) for h in results.hits]


def test_after_a_commit_the_postings_read_before_answer_as_a_fresh_engine(tmp_path, corpus_copy):
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    for query in QUERIES:
        engine.search(query)
    before = engine.backend._arrays[1]
    read_before, layout_before = len(before.leaves), before.layout
    (corpus_copy / "ha_giang.txt").write_text(NEW, encoding="utf-8")
    assert engine.index([corpus_copy]).added == 1

    found = engine.search("trạm BTS")
    after = engine.backend._arrays[1]
    assert after is not before and len(after.leaves) == read_before + 1
    # Đắk Nông was read before the commit, from its segments only, and taken over as it was
    assert after._cache.peek(("body_f", "dak"))[1] is layout_before
    assert after._kept_segments(layout_before) == read_before
    assert {id(side) for side in before._sides.values()} <= {id(side) for side in after._sides.values()}
    assert "ha_giang" in [hit.id for hit in found.hits]

    fresh = SearchEngine(tmp_path / "index")
    for query in QUERIES:
        assert answer(engine.search(query)) == answer(fresh.search(query)), query
    assert after._cache.peek(("body_f", "dak"))[1] is after.layout  # read on: the new segment's follow
    assert "ha_giang" in [hit.id for hit in engine.search("Đắk Nông").hits]


def test_a_merge_that_moves_the_segments_reads_every_word_afresh(tmp_path, corpus_copy):
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    (corpus_copy / "ha_giang.txt").write_text(NEW, encoding="utf-8")
    engine.index([corpus_copy])
    before_answers = {query: answer(engine.search(query)) for query in QUERIES}
    engine.optimize()  # one segment: the doc numbers may move
    after = [answer(engine.search(query)) for query in QUERIES]
    merged = engine.backend._arrays[1]
    assert len(merged.layout) == 1 and merged._cache.peek(("body_f", "tram"))[1] is merged.layout
    fresh = SearchEngine(tmp_path / "index")
    assert after == [answer(fresh.search(query)) for query in QUERIES]
    assert {query: (total, len(hits)) for query, (total, hits) in before_answers.items()} == \
        {query: (total, len(hits)) for query, (total, hits) in zip(QUERIES, after)}


def test_an_article_written_again_shows_its_new_title_and_text(tmp_path, corpus_copy):
    engine = SearchEngine(tmp_path / "index")
    (corpus_copy / "ha_giang.txt").write_text(NEW, encoding="utf-8")
    engine.index([corpus_copy])
    first = engine.search("Hà Giang trạm BTS").hits[0]
    assert (first.id, first.title) == ("ha_giang", "Hà Giang xây thêm trạm BTS cho vùng cao")
    assert "chữ ký số" in engine.article("ha_giang")["body"]
    written = NEW.replace("xây thêm", "hoàn thành").replace("chữ ký số", "hoá đơn điện tử")
    (corpus_copy / "ha_giang.txt").write_text(written, encoding="utf-8")
    engine.index([corpus_copy])
    again = engine.search("Hà Giang trạm BTS").hits[0]
    assert (again.id, again.title) == ("ha_giang", "Hà Giang hoàn thành trạm BTS cho vùng cao")
    assert answer(engine.search("hoá đơn điện tử")) == answer(SearchEngine(tmp_path / "index").search("hoá đơn điện tử"))
    assert "ha_giang" in [hit.id for hit in engine.search("hoá đơn điện tử").hits]
    assert "ha_giang" not in [hit.id for hit in engine.search('"chữ ký số"').hits]


def test_a_merge_of_the_small_segments_at_the_end_keeps_what_the_others_hold(tmp_path, corpus_copy):
    """A commit past MAX_SEGMENTS merges the small segments at the end into a new one: a word
    read before keeps what the segments before them hold, and reads the rest."""
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    partly = 0
    for k in range(14):
        (corpus_copy / f"moi{k}.txt").write_text(f"Hà Giang xây thêm trạm BTS số {k}\n\nTỉnh xây thêm trạm BTS "
                                                 f"ở vùng cao, đợt {k}, chữ ký số của các xã.\n", encoding="utf-8")
        engine.search("trạm BTS")
        engine.index([corpus_copy])
        engine.search("xyzzyq")  # this commit's arrays, with what the searches before it read
        after = engine.backend._arrays[1]
        read_under = after._cache.peek(("body_f", "tram"))[1]
        if 0 < after._kept_segments(read_under) < len(read_under):
            partly += 1
        fresh = SearchEngine(tmp_path / "index")
        for query in ("trạm BTS", "tram bts", '"trạm BTS"', "chữ ký số", "của các"):
            assert answer(engine.search(query)) == answer(fresh.search(query)), (k, query)
        assert engine.search("trạm BTS").total == 3 + k + 1
    assert partly  # a merge came, and what the segments before it hold was kept
