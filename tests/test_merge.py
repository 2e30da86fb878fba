"""Segments merge: small ones after every sync (tiered), all of them with `optimize`; every
live article stays exactly once, deleted ones are reclaimed, searches keep answering."""

import json

import pytest
from click.testing import CliRunner

from searchkit import SearchEngine
from searchkit.cli import main
from searchkit.indexing.merge import MAX_SEGMENTS, SLACK
from tests.conftest import write_jsonl_corpus


def segment_count(engine) -> int:
    return engine.stats()["segments"]


def every_article_once(engine, ids) -> bool:
    """Each article is found by its own number ('Bài số 7.') exactly once, and nothing else is there."""
    found = [hit.id for hit in engine.search('"Bài số"', limit=1000, snippets=0).hits]
    return sorted(found) == sorted(ids) and engine.count() == len(ids)


@pytest.fixture
def grown(tmp_path):
    """An index grown by 30 one-article adds, each its own sync."""
    corpus = tmp_path / "all.jsonl"
    ids = write_jsonl_corpus(corpus, 30)
    engine = SearchEngine(tmp_path / "index")
    for i, line in enumerate(corpus.read_text(encoding="utf-8").splitlines()):
        one = tmp_path / "adds" / f"bai-{i:05d}.jsonl"
        one.parent.mkdir(exist_ok=True)
        one.write_text(line + "\n", encoding="utf-8")
        engine.index([one], remove_missing=False, workers=1)
        assert segment_count(engine) <= MAX_SEGMENTS + SLACK
    return engine, ids, tmp_path


def test_one_article_adds_keep_the_segments_few_and_every_article_once(grown):
    engine, ids, _ = grown
    assert segment_count(engine) <= MAX_SEGMENTS + SLACK
    assert every_article_once(engine, ids)
    assert engine.search("Bài số 17").hits[0].id == "bai-00017"


def test_optimize_makes_one_segment_and_reclaims_deleted_articles(grown):
    engine, ids, root = grown
    changed = json.loads((root / "adds" / "bai-00003.jsonl").read_text(encoding="utf-8"))
    changed["body"] = "Bài số 3. Trạm BTS mới ở Đắk Nông."
    (root / "adds" / "bai-00003.jsonl").write_text(json.dumps(changed, ensure_ascii=False) + "\n", encoding="utf-8")
    engine.index([root / "adds" / "bai-00003.jsonl"], remove_missing=False, workers=1)  # one article replaced
    before = [hit.id for hit in engine.search("Đắk Nông trạm BTS", limit=50).hits]
    result = CliRunner().invoke(main, ["optimize", "--index", str(engine.path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["segments"] == 1
    assert segment_count(engine) == 1 and every_article_once(engine, ids)
    assert [hit.id for hit in engine.search("Đắk Nông trạm BTS", limit=50).hits] == before
    assert SearchEngine(engine.path).check()["problems"] == []


def test_a_merged_index_syncs_as_before(grown):
    engine, ids, root = grown
    engine.optimize()
    report = engine.index([root / "adds"], workers=1)  # nothing changed: nothing to do
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 30)


def test_readers_see_no_error_duplicate_or_missing_article_while_segments_merge(grown):
    import multiprocessing
    import time

    from tests.test_crash_and_concurrency import assert_readers_clean, reader_loop

    engine, ids, root = grown
    stop = root / "stop"
    context = multiprocessing.get_context("spawn")
    readers = [context.Process(target=reader_loop, args=(str(engine.path), str(stop), str(root / f"r{i}")),
                               daemon=True) for i in range(2)]
    for reader in readers:
        reader.start()
    time.sleep(2)
    try:
        assert engine.optimize() == len(ids)
        time.sleep(1)
    finally:
        stop.touch()
        for reader in readers:
            reader.join(timeout=60)
    assert_readers_clean(root, 2)
    assert every_article_once(engine, ids)
