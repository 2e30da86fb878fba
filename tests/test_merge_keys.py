"""A merge gives Whoosh each article's keys read from its segment's columns and terms
(`adapter.DocumentKeys`), not from its unpickled stored fields: the same values, so the same
files, for Vietnamese news with dates, sources, categories, provinces, tags and the provinces
each article names, over segments with replaced and removed articles."""

from __future__ import annotations

from searchkit import SearchEngine
from searchkit.indexing.adapter import DocumentKeys, _field_kinds, segment_leaves, stored_bytes, stored_from_bytes
from searchkit.indexing.schema import ALWAYS_GIVEN, document
from searchkit.models import Article

from .test_keyed_tables import records, write


def engine_with_removals(root) -> SearchEngine:
    corpus = write(root / "tin.jsonl", records(240))
    engine = SearchEngine(root / "index")
    engine.index([corpus], batch_size=80, workers=1)
    edited = frozenset({3, 40, 170, 239})
    write(corpus, [r for r in records(240, edited=edited) if int(r["id"][4:]) not in {0, 7, 150, 201}]
          + records(30, start=240))
    engine.index([corpus], batch_size=80, workers=1)
    return engine


def keys_as_stored(leaf, indexed: set[str]) -> list[dict]:
    """Each document's keys as the merge made them before: from its stored fields."""
    stored, starts, ends = stored_bytes(leaf)
    found = []
    for doc in range(len(starts)):
        made = document(Article.from_stored(stored_from_bytes(stored[starts[doc]:ends[doc]])))
        found.append({name: value for name, value in made.items() if name in indexed and value is not None})
    return found


def lines_apart(keys: dict) -> dict:
    return {name: sorted(value.split("\n")) if "\n" in value else value for name, value in keys.items()}


def test_every_documents_keys_read_from_columns_and_terms_are_those_its_stored_fields_give(tmp_path):
    engine = engine_with_removals(tmp_path)

    def compare(view):
        leaves = [leaf for leaf, _ in segment_leaves(view.searcher.reader())]
        assert len(leaves) >= 2 and any(leaf.has_deletions() for leaf in leaves)
        indexed = {name for name, (kind, _) in _field_kinds(leaves[0].schema).items() if kind is not None}
        for leaf in leaves:
            read = DocumentKeys(leaf, ALWAYS_GIVEN)
            expected = keys_as_stored(leaf, indexed)
            assert len(expected) == leaf.doc_count_all()
            for doc, keys in enumerate(expected):
                assert lines_apart(read[doc]) == lines_apart(keys), doc
        return indexed, expected

    indexed, last = engine.backend.reading(compare)
    assert {"id", "hash", "path", "date", "source_key", "tag_key", "mentions_key"} <= indexed
    assert any("\n" in keys.get("tag_key", "") for keys in last)  # an article with several tags
    assert any("date" not in keys for keys in last)  # an undated one


def test_a_merged_index_finds_what_the_index_found_before(tmp_path):
    engine = engine_with_removals(tmp_path)
    searches = [dict(query="truyền thông", category="Viễn thông"), dict(query="trạm BTS", province="Đắk Nông"), dict(query="truyền thông", tag="Viettel"),
                dict(query="thông tin", source="VNPT", since="2012"), dict(query="chữ ký số", mentions="Hà Nội")]
    before = [[(hit.id, hit.date, hit.source, hit.province) for hit in engine.search(limit=50, **s).hits]
              for s in searches]
    assert all(before)
    assert engine.optimize() >= 1
    after = [[(hit.id, hit.date, hit.source, hit.province) for hit in engine.search(limit=50, **s).hits]
             for s in searches]
    assert sorted(map(sorted, after)) == sorted(map(sorted, before))


def test_a_merge_and_the_statistics_after_it_are_written_with_huge_pages_and_searches_without(tmp_path, monkeypatch):
    """A merge's arrays are hundreds of MB at scale: it asks numpy for huge pages while it
    writes, as the writer does for the statistics it saves after it (`searchkit.cpu`); a
    search after it makes its arrays without them again."""
    import pytest

    from searchkit import cpu
    from searchkit.backends.local import LocalIndex
    from searchkit.indexing import merge

    switch = cpu._advice_switch()
    if switch is None:
        pytest.skip("this numpy has no huge-page switch")
    from numpy._core.multiarray import _get_madvise_hugepage as advice

    engine = engine_with_removals(tmp_path)
    seen: list[tuple[str, bool]] = []
    write_files, load_pairs = merge._write_merged_files, LocalIndex.load_pairs
    monkeypatch.setattr(merge, "_write_merged_files", lambda *a: seen.append(("merge", advice())) or write_files(*a))
    monkeypatch.setattr(LocalIndex, "load_pairs", lambda self, *a, **k: seen.append(("pairs", advice()))
                        or load_pairs(self, *a, **k))
    monkeypatch.setattr(cpu, "_huge_pages_chosen_here", True)  # as when no one set NUMPY_MADVISE_HUGEPAGE
    before = switch(False)
    try:
        assert engine.optimize() > 0
        assert ("merge", True) in seen and ("pairs", True) in seen
        seen.clear()
        assert engine.search("Đắk Nông").total > 0 and advice() is False
        assert all(on is False for _, on in seen)  # the search's own statistics, if it read any
    finally:
        switch(before)
