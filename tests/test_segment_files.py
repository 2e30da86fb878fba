"""The Whoosh files of a segment (stored fields, columns, keys) that searchkit writes without
Whoosh's `add_document` are the ones `add_document` writes, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchkit.indexing.corpus import iter_articles
from searchkit.models import Article
from tests.conftest import CORPUS


def _articles(metadata: bool) -> list[Article]:
    """300 articles made of the seeds. With `metadata`, every kind of it, some missing: three
    sources (a key of 100 articles), one path for all (300: postings in three blocks), a
    category of 128 (one block, full: Whoosh's block size), tags repeated within an article,
    as typed or in another case or tone placement (one folded key, counted twice), an empty
    hash, provinces named. Without, a title and a body only: no tag, province or source key
    has a term."""
    from dataclasses import replace

    seeds = list(iter_articles([CORPUS]))
    if not metadata:
        return [Article(id=f"bai-{i:03d}", title=seeds[i % 5].title, body=seeds[i % 5].body, hash=f"h{i:05d}")
                for i in range(300)]
    tags = [("5G", "trạm BTS", "5G"), ("CNTT",), (), ("Chữ ký số", "chữ ký số"), ("Thanh Hoá", "Thanh Hóa")]
    articles = []
    for i in range(300):
        seed = seeds[i % len(seeds)]
        articles.append(replace(
            seed, id=f"bai-{i:03d}", title=f"{seed.title} (kỳ {i})", path="tin/ict.jsonl", line=i + 1,
            hash="" if i == 7 else f"h{i:05d}", date=None if i % 11 == 0 else f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            source=["Mic.gov.vn", "VnExpress", "Báo Đắk Nông"][i % 3],
            category="Viễn thông" if i < 128 else None if i % 4 else "Bưu chính",
            author=None if i % 5 else "Minh Hòa", url=f"https://mic.gov.vn/bai-{i}.htm",
            province=["Đắk Nông", None, "Nghệ An"][i % 3], tags=tags[i % len(tags)],
            mentions=("Đắk Nông", "Hà Nội") if i % 2 else ()))
    return articles


def _whoosh_index(folder: Path, documents: list[dict]):
    """An index holding one segment, written by Whoosh's own `add_document` and commit."""
    from whoosh.index import create_in

    from searchkit.indexing.schema import build_schema

    folder.mkdir()
    ix = create_in(str(folder), build_schema())
    writer = ix.writer(compound=False)
    for document in documents:
        writer.add_document(**document)
    writer.commit(merge=False)
    return ix


def _files(folder: Path, segment_id: str) -> dict[str, bytes]:
    """A segment's files by their name without the segment's id."""
    return {path.name[len(segment_id):]: path.read_bytes() for path in folder.iterdir()
            if path.name.startswith(segment_id)}


@pytest.mark.parametrize("metadata", [True, False])
@pytest.mark.parametrize("stored_as_given", [False, True])
def test_a_segment_searchkit_writes_is_the_one_whooshs_add_document_writes(tmp_path, stored_as_given, metadata):
    """Stored fields, every column, every key's and every line's postings and the term index:
    the same bytes. Stored fields given as a segment holds them (a merge's) are written as
    they are."""
    from searchkit.indexing.adapter import index_segments, segment_leaves, stored_bytes, write_stored_segment
    from searchkit.indexing.schema import document

    documents = [document(article) for article in _articles(metadata)]
    ix = _whoosh_index(tmp_path / "whoosh", documents)
    (segment,) = index_segments(ix)
    expected = _files(tmp_path / "whoosh", segment.segment_id())
    given = documents
    if stored_as_given:  # read back from Whoosh's segment, as a merge reads its sources
        with ix.reader() as reader:
            ((leaf, _),) = segment_leaves(reader)
            stored, starts, ends = stored_bytes(leaf)
        given = [(doc, stored[start:end]) for doc, start, end in zip(documents, starts, ends)]
    (tmp_path / "searchkit").mkdir()
    written = write_stored_segment(str(tmp_path / "searchkit"), iter(given), stored_as_given=stored_as_given)
    found = _files(tmp_path / "searchkit", written.segment_id())
    assert sorted(found) == sorted(expected)
    assert {".trm", ".pst", "._stored.col", ".id.col"} <= set(found)
    assert (".province.col" in found) == metadata
    for name in expected:
        assert found[name] == expected[name], name


def test_a_codec_keeping_postings_in_the_term_index_is_refused_not_written_otherwise(tmp_path, monkeypatch):
    """searchkit writes Whoosh's keys as its default codec does (a block a term); a codec that
    keeps a term's postings inline would read those bytes otherwise, so it is a TypeError
    naming the field, not a segment written wrong."""
    import whoosh.codec
    from whoosh.codec.whoosh3 import W3Codec

    from searchkit.indexing.adapter import write_stored_segment
    from searchkit.indexing.schema import document

    monkeypatch.setattr(whoosh.codec, "default_codec", lambda *args, **kwargs: W3Codec(inlinelimit=2))
    with pytest.raises(TypeError, match="'hash'"):
        write_stored_segment(str(tmp_path), [document(article) for article in _articles(metadata=False)[:3]])


def test_a_batch_is_written_with_no_garbage_collection_and_leaves_no_cycle(tmp_path):
    """Analysing and writing a batch makes millions of short-lived containers and no cycle:
    the cyclic collector is paused meanwhile (`collector.paused`: it ran about 200 times a
    2,000-article batch, 14 times this one, to find nothing), then left as it was. A segment's postings gathered
    by key and line (a list or tuple each: 518,000 in a ×16 merge) are freed as soon as it is
    written: a writer class made in each call held them in a reference cycle, and every
    collection walked them until a full one freed them."""
    import gc

    from searchkit.indexing.segments import write_batch

    articles = _articles(metadata=True)
    (tmp_path / "first").mkdir()
    write_batch(str(tmp_path / "first"), articles[:5])  # the modules a first batch imports
    collections: list[int] = []
    gc.callbacks.append(watch := lambda phase, info: collections.append(info["generation"]) if phase == "start" else None)
    try:
        gc.enable()  # as Python starts: whatever an earlier test left
        gc.collect()
        collections.clear()
        batch = write_batch(str(tmp_path), articles)
        assert len(collections) <= 1 and gc.isenabled()  # once, after: what the batch kept counts as new
        gc.disable()
        write_batch(str(tmp_path), articles[:100])
        assert gc.collect() == 0 and not gc.isenabled()  # nothing left for it; left off, as it was
    finally:
        gc.callbacks.remove(watch)
        gc.enable()
    assert len(batch.ids) == 300 and not batch.failed
