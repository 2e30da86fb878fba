"""Marks kept between searches (`searching/snippet_cache.py`): after a commit the same search
takes its hits' snippets from the cache, and they are exactly those cut afresh; an article
written again, or the same article under other marks, is never given marks kept for another."""

from __future__ import annotations

from searchkit import SearchEngine
from searchkit.searching.snippet_cache import KEPT

DAK_NONG = "003_968839511eb7d5a3"


def marks(results) -> list:
    return [(h.id, h.title_spans, h.snippets) for h in results.hits]


def afresh(engine: SearchEngine, query: str) -> list:
    KEPT.clear()
    return marks(engine.search(query))


def test_after_a_commit_the_same_search_takes_its_snippets_from_the_cache_unchanged(tmp_path, corpus_copy):
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    KEPT.clear()
    before = engine.search("trạm BTS")
    (corpus_copy / "moi.txt").write_text("Hà Giang xây thêm trạm BTS\n\nTỉnh xây thêm trạm BTS ở vùng cao.\n",
                                         encoding="utf-8")
    assert engine.index([corpus_copy]).added == 1
    kept = KEPT.hits
    again = engine.search("trạm BTS")
    assert KEPT.hits - kept == len(before.hits)  # every article found before: its marks were kept
    assert "moi" in {h.id for h in again.hits} and marks(again) == afresh(engine, "trạm BTS")


def test_marks_follow_the_query_and_an_article_written_again(tmp_path, corpus_copy):
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    KEPT.clear()
    accented = marks(engine.search("trạm BTS"))
    plain = marks(engine.search("tram bts"))  # the same articles, other marks: never those kept
    assert plain == afresh(engine, "tram bts") and accented == afresh(engine, "trạm BTS")

    # one word written with other marks: as many characters, another content hash. Typed with
    # accents, `trạm` no longer stands in the article, and its snippet marks only `BTS` there
    article = corpus_copy / f"{DAK_NONG}.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("trạm BTS", "trăm BTS", 1), encoding="utf-8")
    engine.search("trạm BTS")
    assert engine.index([corpus_copy]).updated == 1
    rewritten = marks(engine.search("trạm BTS"))
    assert rewritten == afresh(engine, "trạm BTS") and rewritten != accented


def test_kept_marks_follow_how_many_snippets_are_asked_and_an_untitled_article(tmp_path):
    engine = SearchEngine(tmp_path / "index")
    engine.index([write_untitled(tmp_path / "news")])
    KEPT.clear()
    one = [len(h.snippets) for h in engine.search("trạm BTS", snippets=1).hits]
    three = engine.search("trạm BTS", snippets=3)
    assert one == [1, 1] and [len(h.snippets) for h in three.hits] != one  # not the single ones kept
    assert marks(three) == afresh(engine, "trạm BTS") and sorted(h.title for h in three.hits) == [
        "Trạm BTS ở xã Quảng Khê.", "Viettel lắp trạm BTS"]  # the untitled one: its first sentence
    none = engine.search("trạm BTS", snippets=0)
    assert [h.snippets for h in none.hits] == [(), ()] and [h.title_spans for h in none.hits] != [(), ()]


def write_untitled(folder):
    """Two articles with several passages marked: one untitled (its heading its first sentence)."""
    folder.mkdir()
    body = "\n".join(f"Đoạn {n}: tỉnh lắp thêm trạm BTS ở xã số {n}." for n in range(6))
    (folder / "news.jsonl").write_text(
        '{"id": "a", "title": "", "body": "Trạm BTS ở xã Quảng Khê. ' + body.replace("\n", "\\n") + '"}\n'
        '{"id": "b", "title": "Viettel lắp trạm BTS", "body": "' + body.replace("\n", "\\n") + '"}\n',
        encoding="utf-8")
    return folder


def test_marks_kept_for_one_tone_placement_are_never_another_spellings(tmp_path, corpus_copy):
    """hoà/hòa (old and new tone placement), without accents, in capitals: the same words
    marked in the same article, each spelling's marks as cut afresh, whichever was asked first."""
    from searchkit.text.fold import fold

    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    spellings = ["hoà bình", "hòa bình", "hoa binh", "Hòa Bình"]
    KEPT.clear()
    kept = [marks(engine.search(typed)) for typed in spellings + spellings[::-1]]
    assert all(kept[n] == afresh(engine, typed) for n, typed in enumerate(spellings + spellings[::-1]))
    assert len({repr(found) for found in kept}) == 1  # one article, the same words marked
    (_, _, snippets), = kept[0]
    marked = {fold(snippet.text[a:b]).lower() for snippet in snippets for a, b in snippet.spans}
    assert marked == {"hoa binh"}  # the article's own spelling, marked for every one typed
