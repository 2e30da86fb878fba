"""What an engine carries across a commit: the postings and positions it read
(`IndexArrays._carry`: those of the segments it had, followed by the new segments' when a
word is asked for again) and its hits' stored fields (`StoredFields`, by segment and document
number). After the commit it answers exactly as an engine opened afresh on the same index."""

from __future__ import annotations

import numpy as np

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
    # the searches took what they made of it before the commit (`derived`); asked for again, its
    # postings are read on: the new segment's follow
    assert len(after.postings("body_f", "dak")[0]) == len(fresh.backend._arrays[1].postings("body_f", "dak")[0])
    assert after._cache.peek(("body_f", "dak"))[1] is after.layout
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


def test_document_frequencies_counted_before_a_commit_are_those_of_a_fresh_engine_after_it(tmp_path, corpus_copy):
    """A word counted before a commit is counted on in the segments it added, and afresh
    after a merge: each count after each commit is a fresh engine's."""
    terms = [("body_f", "tram"), ("body", "trạm"), ("body_f", "bts"), ("title_f", "giang"), ("body_f", "ky"),
             ("words", "chữ_ký_số"), ("body", "của"), ("title", "Hà"), ("body_f", "khongcođâu")]
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    carried = recounted = 0
    for k in range(14):
        engine.search("xyzzyq")
        before = engine.backend._arrays[1]
        counted = {term: before.document_frequency(*term) for term in terms}
        (corpus_copy / f"moi{k}.txt").write_text(f"Hà Giang xây thêm trạm BTS số {k}\n\nTỉnh xây thêm trạm BTS "
                                                 f"ở vùng cao, đợt {k}, chữ ký số của các xã.\n", encoding="utf-8")
        engine.index([corpus_copy])
        engine.search("xyzzyq")  # the new commit's arrays, nothing else read
        after = engine.backend._arrays[1]
        kept = after._kept_segments(before.layout)
        carried += kept == len(before.layout)
        recounted += kept < len(before.layout)
        fresh = SearchEngine(tmp_path / "index")
        fresh.search("xyzzyq")
        expected = {term: fresh.backend._arrays[1].document_frequency(*term) for term in terms}
        asked, ask = [], after._segment_frequency
        after._segment_frequency = lambda leaf, field, text: asked.append(leaf) or ask(leaf, field, text)
        assert {term: after.document_frequency(*term) for term in terms} == expected, k
        new_segments = len(after.leaves) - kept if kept == len(before.layout) else len(after.leaves)
        assert len(asked) == len(terms) * new_segments  # the kept segments not asked again
        assert expected[("body_f", "tram")] == counted[("body_f", "tram")] + 1  # the article added holds it
    assert carried and recounted  # commits that only added a segment, and merges


def _same_values(first: tuple, second: tuple) -> bool:
    return len(first) == len(second) and all(
        a is None and b is None or a is not None and b is not None and a.dtype == b.dtype and np.array_equal(a, b)
        for a, b in zip(first, second))


def test_what_searches_derived_before_a_commit_is_made_on_for_the_segments_it_added(tmp_path, corpus_copy,
                                                                                   monkeypatch):
    """A clause's counts in a part and the places where words stand side by side
    (`IndexArrays.derived`), made before a commit, keep what the segments kept hold and are
    made for the segments added alone (`arrays.Since`); after a merge, made afresh. Commits
    that rewrite an article (its old version deleted in a kept segment) or remove one are
    among them, and the new articles write `Hoà Bình` with the old tone placement. Each value
    equals a fresh engine's, and so does every answer."""
    from searchkit.searching import arrays

    made_since, since = [], arrays.Since
    monkeypatch.setattr(arrays, "Since", lambda whole, first: made_since.append(first) or since(whole, first))
    queries = QUERIES + ["Nghệ an", "nghệ Ấn", "Hà Giang trạm BTS", "ha giang tram bts", "chữ kí số", "TT&TT",
                         "title:BTS", "Sở Thông tin và Truyền thông tỉnh Hà Giang", "Hòa Bình", "hoà bình trạm BTS",
                         "hoa binh"]
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    carried = merged = 0
    for k in range(12):
        for query in queries:
            engine.search(query)
        before = engine.backend._arrays[1]
        (corpus_copy / f"moi{k}.txt").write_text(
            f"Hà Giang xây thêm trạm BTS số {k}\n\nSở Thông tin và Truyền thông tỉnh Hà Giang cho biết trạm BTS "
            f"đợt {k} ở vùng cao dùng chữ ký số (chữ kí số) của các xã; Nghệ An và Đắk Nông cũng vậy.\n",
            encoding="utf-8")
        if k % 4 == 3:  # an article written again: its old version deleted where it stood
            (corpus_copy / f"moi{k - 2}.txt").write_text(
                f"Hoà Bình phủ sóng trạm BTS đợt {k}\n\nTỉnh Hoà Bình cho biết chữ ký số và trạm BTS mới "
                f"đã đến các xã vùng cao.\n", encoding="utf-8")
        if k % 5 == 4:  # an article removed
            (corpus_copy / f"moi{k - 3}.txt").unlink()
        engine.index([corpus_copy])
        made_since.clear()
        answers = [answer(engine.search(query)) for query in queries]
        after = engine.backend._arrays[1]
        kept = after._kept_segments(before.layout)
        carried += bool(made_since) and kept == len(before.layout)
        merged += kept < len(before.layout)
        assert set(made_since) <= {kept}  # only the segments added are read for what was made before
        fresh = SearchEngine(tmp_path / "index")
        assert answers == [answer(fresh.search(query)) for query in queries], k
        made = fresh.backend._arrays[1]._derived._entries
        current = {key: value for key, (value, _, layout) in after._derived._entries.items() if layout is after.layout}
        # every clause's counts asked again; words side by side where they were not kept in those
        assert {key for key in current if key[0] == "field counts"} == {key for key in made if key[0] == "field counts"}
        assert current.keys() <= made.keys()
        assert all(_same_values(value, made[key][0]) for key, value in current.items()), k
    assert carried and merged  # commits that added a segment, and merges
    assert any(hit.id.startswith("moi") for hit in engine.search("hoa binh").hits)  # the new spelling's found


def test_what_was_derived_of_words_a_commit_did_not_add_is_carried_without_reading_them(tmp_path, corpus_copy,
                                                                                       monkeypatch):
    """The segments a commit added are read for a value made before it only when they hold
    each of its words (`Since.lacks`): `tổng kết` of An Giang's article is carried as it was."""
    from searchkit.searching import ranking
    from searchkit.searching.arrays import Since

    made = []
    for name in ("_field_counts", "_found_side_by_side"):
        monkeypatch.setattr(ranking, name, lambda arrays, *args, made_by=getattr(ranking, name): (
            made.append((type(arrays), repr(args))) or made_by(arrays, *args)))
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    expected = [answer(engine.search(query)) for query in ("tổng kết trạm BTS", "tong ket tram bts")]
    (corpus_copy / "ha_giang.txt").write_text(NEW, encoding="utf-8")  # trạm BTS, not tổng kết
    engine.index([corpus_copy])
    made.clear()
    after = [answer(engine.search(query)) for query in ("tổng kết trạm BTS", "tong ket tram bts")]
    over_added = [args for kind, args in made if kind is Since]
    assert over_added and all("'tram'" in args or "'bts'" in args for args in over_added)
    assert not [args for args in over_added if "'tong'" in args or "'ket'" in args]
    assert [hits for _, hits in after] != [hits for _, hits in expected]  # the new article found
    fresh = SearchEngine(tmp_path / "index")
    assert after == [answer(fresh.search(query)) for query in ("tổng kết trạm BTS", "tong ket tram bts")]


def _commit_without_statistics(monkeypatch, writer: SearchEngine, corpus, name: str, text: str) -> None:
    """A commit by `writer`, as another process's between its table of contents and its statistics."""
    from searchkit.backends.local import LocalIndex

    (corpus / name).write_text(text, encoding="utf-8")
    with monkeypatch.context() as patched:
        patched.setattr(LocalIndex, "_prepare_statistics", lambda self, **_: None)
        writer.index([corpus])


def _server_engine(path, answered=None) -> SearchEngine:
    """An engine as a server's worker has it (`web.app.create_app`)."""
    engine = SearchEngine(path)
    engine.backend.publish_with_statistics(answered)
    return engine


def test_a_server_answers_from_a_commit_once_its_statistics_are_saved(tmp_path, corpus_copy, monkeypatch):
    writer = SearchEngine(tmp_path / "index")
    writer.index([corpus_copy])
    reader, library = _server_engine(tmp_path / "index"), SearchEngine(tmp_path / "index")
    before = answer(reader.search("trạm BTS"))
    assert answer(library.search("trạm BTS")) == before
    _commit_without_statistics(monkeypatch, writer, corpus_copy, "ha_giang.txt", NEW)
    assert answer(reader.search("trạm BTS")) == before  # the commit before answers, statistics and all
    assert "ha_giang" in [hit.id for hit in library.search("trạm BTS").hits]  # a library's engine: the last
    assert "ha_giang" in [hit.id for hit in _server_engine(tmp_path / "index").search("trạm BTS").hits]  # none open
    writer.backend._prepare_statistics()  # the writer saves them
    after = reader.search("trạm BTS")
    assert after.total == before[0] + 1 and "ha_giang" in [hit.id for hit in after.hits]
    assert answer(after) == answer(SearchEngine(tmp_path / "index").search("trạm BTS"))


def _holding_a_commit(tmp_path, corpus_copy, monkeypatch) -> tuple[SearchEngine, SearchEngine, int]:
    """(writer, a server's engine, its total for `trạm BTS`): the writer committed
    `ha_giang.txt` without statistics since, and the server's engine answers from the commit before."""
    writer = SearchEngine(tmp_path / "index")
    writer.index([corpus_copy])
    reader = _server_engine(tmp_path / "index")
    total = reader.search("trạm BTS").total
    _commit_without_statistics(monkeypatch, writer, corpus_copy, "ha_giang.txt", NEW)
    assert reader.search("trạm BTS").total == total
    return writer, reader, total


def test_a_commit_whose_statistics_never_come_is_answered_from_after_the_grace(tmp_path, corpus_copy, monkeypatch):
    from searchkit.backends import local

    _, reader, total = _holding_a_commit(tmp_path, corpus_copy, monkeypatch)
    monkeypatch.setattr(local, "PUBLISH_GRACE_SECONDS", 0.0)  # the writer died before saving them
    assert reader.search("trạm BTS").total == total + 1


def test_commits_that_keep_coming_hold_the_commit_before_for_the_grace_at_most(tmp_path, corpus_copy, monkeypatch):
    """A long sync commits batch after batch, each without statistics until the last: the
    grace runs from the first commit after the one held, not from each, so the new articles
    are answered with at most PUBLISH_GRACE_SECONDS of delay."""
    from searchkit.backends import local

    writer, reader, total = _holding_a_commit(tmp_path, corpus_copy, monkeypatch)
    since = reader.backend._unpublished
    _commit_without_statistics(monkeypatch, writer, corpus_copy, "ha_giang_2.txt", NEW.replace("Hà Giang", "Lào Cai"))
    assert reader.search("trạm BTS").total == total and reader.backend._unpublished == since  # not started again
    held, seen = since
    reader.backend._unpublished = (held, seen - local.PUBLISH_GRACE_SECONDS)  # as when the grace has run out
    assert reader.search("trạm BTS").total == total + 2


def test_no_worker_answers_from_an_older_commit_than_another_did(tmp_path, corpus_copy, monkeypatch):
    """The workers of one server note the commits they answer from in the folder they share:
    one that opens the last commit (it had none open) makes the others leave the commit they
    hold, so that a client's next answer, from any worker, never comes from an older commit."""
    writer = SearchEngine(tmp_path / "index")
    writer.index([corpus_copy])
    shared = tmp_path / "shared"
    shared.mkdir()
    first, alone = _server_engine(tmp_path / "index", shared), _server_engine(tmp_path / "index")
    total = first.search("trạm BTS").total
    assert alone.search("trạm BTS").total == total
    _commit_without_statistics(monkeypatch, writer, corpus_copy, "ha_giang.txt", NEW)
    assert first.search("trạm BTS").total == total and alone.search("trạm BTS").total == total  # held
    second = _server_engine(tmp_path / "index", shared)  # a worker that had no commit open
    assert second.search("trạm BTS").total == total + 1
    assert first.search("trạm BTS").total == total + 1  # in step with it
    assert alone.search("trạm BTS").total == total  # another server's engine: not told
    for engine in (first, second):
        assert engine.search("trạm BTS").total == total + 1  # never back


def test_a_search_that_fails_on_the_commit_before_runs_again_on_the_last(tmp_path, corpus_copy, monkeypatch):
    """A merge deletes the segments it rewrote: a search held on the commit before that needs
    one of their files for the first time fails, and runs again on the last commit, its
    statistics saved or not (never an error, never damage)."""
    from searchkit.backends.local import LocalView

    writer = SearchEngine(tmp_path / "index")
    writer.index([corpus_copy])
    reader = _server_engine(tmp_path / "index")
    before = answer(reader.search("Hà Giang trạm BTS"))
    _commit_without_statistics(monkeypatch, writer, corpus_copy, "ha_giang.txt", NEW)
    assert answer(reader.search("Hà Giang trạm BTS")) == before  # held
    real, failed = LocalView.stored, []

    def gone_once(view, candidates, docs):
        if not failed:
            failed.append(view.searcher)
            raise FileNotFoundError("MAIN_x._stored.col")  # as Whoosh opening a merged segment's column
        return real(view, candidates, docs)

    monkeypatch.setattr(LocalView, "stored", gone_once)
    found = reader.search("Hà Giang trạm BTS")
    assert failed and "ha_giang" in [hit.id for hit in found.hits]  # run again, on the last commit
    assert answer(found) == answer(SearchEngine(tmp_path / "index").search("Hà Giang trạm BTS"))


def test_the_count_follows_every_commit_and_opens_the_index_only_when_one_came(tmp_path, corpus_copy, monkeypatch):
    from searchkit.backends import local

    monkeypatch.setattr(local, "SETTLED_SECONDS", 0.0)  # the folder's time stamp is trusted at once
    reader, opened = SearchEngine(tmp_path / "index"), []
    really_open = local.open_index

    def count() -> int:  # the reader's count, noting whether it opened the index
        monkeypatch.setattr(local, "open_index", lambda path: opened.append(path) or really_open(path))
        try:
            return reader.count()
        finally:
            monkeypatch.setattr(local, "open_index", really_open)

    SearchEngine(tmp_path / "index").index([corpus_copy])  # another engine writes
    assert [count() for _ in range(3)] == [5, 5, 5] and len(opened) == 1  # then one stat each
    (corpus_copy / "ha_giang.txt").write_text(NEW, encoding="utf-8")
    SearchEngine(tmp_path / "index").index([corpus_copy])  # a commit: the folder changes
    assert [count(), count()] == [6, 6] and len(opened) == 2
    (corpus_copy / "ha_giang.txt").unlink()
    SearchEngine(tmp_path / "index").index([corpus_copy])  # a deletion is a commit too
    assert [count(), count()] == [5, 5] and len(opened) == 3


def test_in_the_seconds_after_a_commit_a_search_sees_the_next_one_at_once_without_listing_the_folder(
        tmp_path, corpus_copy, monkeypatch):
    """While the folder's time stamp is too fresh to trust (`SETTLED_SECONDS`), a search tells
    whether a newer commit came by the tables of contents of its own generation and the next
    (`store.still_newest`), not by listing the folder each time."""
    from searchkit.backends import local
    from searchkit.indexing.store import latest_generation, still_newest

    monkeypatch.setattr(local, "SETTLED_SECONDS", 3600.0)  # never settled: every search asks
    SearchEngine(tmp_path / "index").index([corpus_copy])
    generation = latest_generation(tmp_path / "index")
    assert still_newest(tmp_path / "index", generation) and not still_newest(tmp_path / "index", generation - 1)
    assert not still_newest(tmp_path / "nowhere", generation)
    reader, listings = SearchEngine(tmp_path / "index"), []
    monkeypatch.setattr(local, "latest_generation", lambda path: listings.append(path) or latest_generation(path))
    assert [reader.search("trạm BTS").total for _ in range(3)] == [3, 3, 3] and len(listings) == 1

    (corpus_copy / "ha_giang.txt").write_text(NEW, encoding="utf-8")
    SearchEngine(tmp_path / "index").index([corpus_copy])  # another engine's commit
    assert not still_newest(tmp_path / "index", generation) and still_newest(tmp_path / "index", generation + 1)
    found = reader.search("trạm BTS")
    assert found.total == 4 and "ha_giang" in [hit.id for hit in found.hits] and len(listings) == 2
    assert [reader.search("trạm BTS").total for _ in range(3)] == [4, 4, 4] and len(listings) == 2
