"""What a prefix expands through (`tram*`, `viett*`): every word of a field with the articles
holding it, made once and carried across commits (`searching.term_index`).

After each commit, merge and removal, the index the generation carried is the index a fresh
process makes, and a prefix finds the words the new articles brought; a commit reads the
word table of the segment it added only."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from searchkit import SearchEngine
from searchkit.indexing.postings import SegmentPostings
from searchkit.searching import term_index
from searchkit.searching.arrays import IndexArrays
from searchkit.searching.term_index import TermIndex, TermIndexes

from .conftest import CORPUS


def table(segment: str, documents: int, words: dict[str, int]) -> term_index.SegmentTable:
    encoded = sorted(word.encode("utf-8") for word in words)
    width = max((len(word) for word in encoded), default=0) + 1
    return segment, documents, np.array(encoded, f"S{width}"), np.array([words[w.decode()] for w in encoded])


SEGMENTS = {  # a newsroom's index: two large segments, then what commits added
    "lon-1": table("lon-1", 900, {"tram": 40, "trang": 12, "truyen": 30, "thong": 80, "viettel": 9}),
    "lon-2": table("lon-2", 800, {"tram": 35, "truong": 3, "thong": 70, "vnpt": 6}),
    "nho-1": table("nho-1", 10, {"tram": 2, "trien": 1, "vinasat": 1}),
    "nho-2": table("nho-2", 10, {"truyen": 1, "tranh": 1, "chu": 3}),
    "gop-1": table("gop-1", 20, {"tram": 2, "trien": 1, "vinasat": 1, "truyen": 1, "tranh": 1, "chu": 3}),
    "nho-3": table("nho-3", 5, {"truong": 1, "ky": 2, "số": 2}),
}


def fresh(layout: list[str]) -> TermIndex:
    return TermIndex.empty().joined(SEGMENTS[segment] for segment in layout)


def expected(layout: list[str], prefix: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for segment in layout:
        _, _, words, found = SEGMENTS[segment]
        for word, count in zip(words.tolist(), found.tolist()):
            if word.decode().startswith(prefix):
                counts[word.decode()] = counts.get(word.decode(), 0) + count
    return counts


def test_commits_and_merges_join_only_the_segments_they_bring():
    """Each generation's index is the fresh one; a commit reads the segment it added, a merge of
    the small segments reads what is not settled, a merge of a settled one reads them all."""
    indexes, read = TermIndexes(), []

    def reading(segment: str) -> tuple[np.ndarray, np.ndarray]:
        read.append(segment)
        return SEGMENTS[segment][2:]

    generations = [
        (["lon-1", "lon-2", "nho-1"], ["lon-1", "lon-2", "nho-1"]),  # the first: every segment
        (["lon-1", "lon-2", "nho-1", "nho-2"], ["nho-2"]),  # a commit
        (["lon-1", "lon-2", "nho-1", "nho-2"], []),  # the same generation again
        (["lon-1", "lon-2", "gop-1"], ["gop-1"]),  # the small ones merged: joined to the settled two
        (["lon-1", "lon-2", "gop-1", "nho-3"], ["nho-3"]),  # a commit
        (["lon-1", "gop-1", "nho-3"], ["lon-1", "gop-1", "nho-3"]),  # a settled segment gone: made again
    ]
    for layout, reads in generations:
        read.clear()
        found = indexes.of([(segment, SEGMENTS[segment][1]) for segment in layout], reading)
        assert sorted(read) == sorted(reads), layout
        assert found.segments == frozenset(layout) and found.documents == sum(SEGMENTS[s][1] for s in layout)
        assert found.terms.tolist() == fresh(layout).terms.tolist() and found.counts.tolist() == fresh(layout).counts.tolist()
        for prefix in ("tr", "tra", "v", "số", "truyen", "x"):
            assert found.completions(prefix.encode("utf-8")) == expected(layout, prefix), (layout, prefix)


def test_a_prefix_as_long_as_the_longest_word_still_finds_it_and_a_longer_one_nothing():
    index = fresh(["lon-1", "nho-1"])
    assert index.completions(b"viettel") == {"viettel": 9}
    assert index.completions(b"vinasat") == {"vinasat": 1}
    assert index.completions(b"viettelx") == {} and index.completions(b"viettel-vnpt-vinaphone") == {}
    assert TermIndex.empty().completions(b"t") == {}


NEWS = [
    ("vinasat-1", "Phóng vệ tinh Vinasat-3", "Vệ tinh Vinasat phủ sóng truyền hình cho vùng sâu, vùng xa."),
    ("vinasat-2", "VNPT vận hành Vinasat", "Trạm điều khiển vệ tinh Vinasat đặt tại Quế Dương."),
    ("vinasat-3", "Vinaphone và Vinasat", "Vinaphone thuê kênh của Vinasat; trạm BTS ở Đắk Nông."),
]


def write(path: Path, articles: list[tuple[str, str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "title": t, "body": b}, ensure_ascii=False) + "\n"
                            for i, t, b in articles), encoding="utf-8")
    return path


def completions(engine: SearchEngine, field: str, prefix: str) -> tuple[dict[str, int], dict[str, int]]:
    """(what the engine's carried arrays give, what arrays made afresh give)."""
    def both(view):
        return view.arrays.completions(field, prefix), IndexArrays(view.searcher.reader()).completions(field, prefix)

    return engine.backend.reading(both)


@pytest.fixture()
def engine(tmp_path):
    engine = SearchEngine(tmp_path / "index")
    engine.index([CORPUS], workers=1)
    return engine


def test_after_commits_and_a_merge_prefixes_find_what_a_fresh_process_finds(engine, tmp_path):
    before, _ = completions(engine, "body_f", "vina")
    assert "vinasat" not in before
    added = write(tmp_path / "moi.jsonl", NEWS[:2])
    engine.index([CORPUS, added], workers=1)  # a commit: one small segment
    carried, made = completions(engine, "body_f", "vina")
    assert carried == made and carried["vinasat"] == 2
    engine.index([CORPUS, write(added, NEWS)], workers=1)  # another
    for field, prefix in (("body_f", "vina"), ("title_f", "vina"), ("body_f", "tr"), ("body_f", "tram")):
        carried, made = completions(engine, field, prefix)
        assert carried == made, (field, prefix)
    assert completions(engine, "body_f", "vina")[0]["vinasat"] == 3
    assert completions(engine, "title_f", "vina")[0]["vinaphone"] == 1
    engine.optimize()  # one segment: the deleted-free counts of a fresh process
    carried, made = completions(engine, "body_f", "vina")
    assert carried == made and carried["vinasat"] == 3


def test_a_commit_reads_the_words_of_the_segment_it_added_only(engine, tmp_path, monkeypatch):
    engine.search("tram*")  # the index made for the first generation
    read = []
    original = SegmentPostings.word_table
    monkeypatch.setattr(SegmentPostings, "word_table", lambda side, field: read.append(field) or original(side, field))
    engine.index([CORPUS, write(tmp_path / "moi.jsonl", NEWS)], workers=1)
    assert {hit.id for hit in engine.search("vinas*").hits} == {"vinasat-1", "vinasat-2", "vinasat-3"}
    assert sorted(read) == ["body_f", "title_f"]  # the new segment's, once each field


def test_a_prefix_query_finds_the_articles_a_commit_added(engine, tmp_path):
    assert engine.search("tram*").hits and not engine.search("vinas*").hits  # the term index made
    engine.index([CORPUS, write(tmp_path / "moi.jsonl", NEWS[:1])], workers=1)
    assert [hit.id for hit in engine.search("vinas*").hits] == ["vinasat-1"]


def test_a_marked_prefix_typed_any_way_finds_what_a_commit_added(engine, tmp_path):
    """`khoả*` (old tone placement), `khỏa*` (new), `khoa*` (no marks) and a phrase ending in a
    prefix expand through the term index the commit joined its segment to."""
    engine.search("tram*")
    engine.index([CORPUS, write(tmp_path / "moi.jsonl", [
        (f"thuy-lieu-{i}", f"Nhà máy Thuỷ Liễu Khoả số {i}", "Thuỷ Liễu Khoả hoà lưới điện ở Đắk Lắk.")
        for i in range(3)])], workers=1)
    added = {"thuy-lieu-0", "thuy-lieu-1", "thuy-lieu-2"}
    for query in ("khoả*", "khỏa*", "khoa*", "KHOẢ*", "thuỷ liễu kho*"):
        assert added <= {hit.id for hit in engine.search(query, limit=50).hits}, query
    carried, made = completions(engine, "body_f", "kho")
    assert carried == made and carried["khoa"] >= 3
