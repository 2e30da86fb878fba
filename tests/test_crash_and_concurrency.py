"""A killed indexer leaves the last committed batch; readers keep working during a sync."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from searchkit import IndexBusyError, IndexNotFoundError, SearchEngine
from searchkit.indexing.store import open_index
from tests.conftest import ROOT, batch_ends, write_jsonl_corpus

BATCH = 100


def start_indexer(index_dir: Path, corpus: Path, workers: int = 1) -> subprocess.Popen:
    code = (
        "import sys; from searchkit import SearchEngine; "
        f"SearchEngine(sys.argv[1]).index([sys.argv[2]], batch_size={BATCH}, workers={workers})"
    )
    return subprocess.Popen([sys.executable, "-c", code, str(index_dir), str(corpus)], cwd=ROOT)


def committed(index_dir: Path) -> int:
    try:
        return open_index(index_dir).doc_count()
    except (IndexNotFoundError, OSError, EOFError):
        return 0


def wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def indexed_ids(index_dir: Path) -> list[str]:
    with open_index(index_dir).reader() as reader:
        column = reader.column_reader("id")
        return [column[n] for n in reader.all_doc_ids()]


@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_mid_run_keeps_the_last_committed_batch_and_a_rerun_completes(tmp_path, workers):
    corpus = tmp_path / "news.jsonl"
    ids = write_jsonl_corpus(corpus, 700)
    index_dir = tmp_path / "index"
    process = start_indexer(index_dir, corpus, workers)
    wait_for(lambda: committed(index_dir) >= 2 * BATCH or process.poll() is not None)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the indexer finished before it could be killed"

    survivors = indexed_ids(index_dir)
    assert len(survivors) in batch_ends([corpus], [corpus], BATCH, workers)  # whole batches (equal in bytes)
    assert 2 * BATCH <= len(survivors) < len(ids) and sorted(survivors) == ids[: len(survivors)]  # in file order

    report = SearchEngine(index_dir).index([corpus])  # the lock died with the process
    assert (report.added, report.unchanged, report.total) == (len(ids) - len(survivors), len(survivors), len(ids))
    final = indexed_ids(index_dir)
    assert len(final) == len(set(final)) == len(ids)
    assert not list(index_dir.glob(".batch-*"))  # the killed run's batch folders are swept


def reader_loop(index_dir: str, stop_file: str, out_file: str) -> None:
    """Run in a child process: search until told to stop (or 10 minutes); record problems."""
    engine = SearchEngine(index_dir)
    problems, searches, last_total = [], 0, 0
    deadline = time.monotonic() + 600
    while not os.path.exists(stop_file) and time.monotonic() < deadline:
        try:
            results = engine.search("Thông tin và Truyền thông", limit=100)
        except IndexNotFoundError:
            continue
        except Exception as error:  # noqa: BLE001 - any failure is what we look for
            problems.append(repr(error))
            continue
        searches += 1
        if searches == 1:  # the test waits for this before it stops the readers
            Path(out_file + ".ready").touch()
        found = [hit.id for hit in results.hits]
        if len(found) != len(set(found)):
            problems.append("duplicate hits")
        if results.total < last_total:
            problems.append(f"total went back from {last_total} to {results.total}")
        last_total = results.total
    Path(out_file).write_text(f"{searches}\n" + "\n".join(problems), encoding="utf-8")


def readers_searching(folder: Path, count: int) -> bool:
    """Whether each of `count` reader_loop processes has answered a search (spawned readers
    start slowly on a loaded machine: waiting for this, not a sleep, keeps the test about
    what searches see)."""
    return all((folder / f"r{i}.ready").exists() for i in range(count))


def assert_readers_clean(folder: Path, count: int) -> None:
    """Each of `count` reader_loop processes searched and recorded no problem."""
    for i in range(count):
        searches, *problems = (folder / f"r{i}").read_text(encoding="utf-8").split("\n")
        assert int(searches) > 0 and [p for p in problems if p] == []


def test_readers_keep_getting_correct_results_while_a_writer_syncs(tmp_path):
    import multiprocessing

    corpus = tmp_path / "news.jsonl"
    ids = write_jsonl_corpus(corpus, 500)
    index_dir = tmp_path / "index"
    stop = tmp_path / "stop"
    context = multiprocessing.get_context("spawn")
    readers = [
        context.Process(target=reader_loop, args=(str(index_dir), str(stop), str(tmp_path / f"r{i}")), daemon=True)
        for i in range(3)
    ]
    for reader in readers:
        reader.start()
    writer = start_indexer(index_dir, corpus)
    try:
        wait_for(lambda: committed(index_dir) >= BATCH)
        with pytest.raises(IndexBusyError, match="another process"):
            SearchEngine(index_dir).index([corpus])
        assert writer.wait(timeout=300) == 0
        wait_for(lambda: readers_searching(tmp_path, 3))
    finally:
        stop.touch()
        writer.kill()
        for reader in readers:
            reader.join(timeout=60)
    assert_readers_clean(tmp_path, 3)
    assert SearchEngine(index_dir).count() == len(ids)


def test_a_crafted_table_of_contents_runs_no_code(corpus_copy, tmp_path):
    """Whoosh pickles the segment list into _MAIN_<n>.toc; a crafted one is refused, not run."""
    import pickle

    from searchkit import IndexFormatError

    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy])
    (toc,) = engine.path.glob("_MAIN_*.toc")
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    toc.write_bytes(toc.read_bytes()[:_segments_offset(engine.path, toc.name)] + pickle.dumps(Payload(), protocol=2))
    with pytest.raises(IndexFormatError, match="not part of a segment list.*--rebuild"):
        SearchEngine(engine.path).search("trạm BTS")
    with pytest.raises(IndexFormatError):
        SearchEngine(engine.path).stats()
    assert not marker.exists()


def _segments_offset(folder: Path, name: str) -> int:
    """Where the pickled segment list starts in a table of contents (after the schema)."""
    from whoosh.filedb.filestore import FileStorage

    stream = FileStorage(str(folder)).open_file(name)
    for _ in range(3):
        stream.read_varint()
    stream.read_int(), stream.read_int()
    for _ in range(3):
        stream.read_varint()
    stream.skip_string()
    stream.read_int(), stream.read_int()
    offset = stream.tell()
    stream.close()
    return offset


def test_stored_fields_and_posting_blocks_are_unpickled_without_code(sample_engine, tmp_path):
    """Whoosh also pickles posting blocks and stored fields: after opening an index, all its
    unpickling goes through the allow-list."""
    import pickle

    import whoosh.codec.whoosh3
    import whoosh.columns

    from searchkit import IndexFormatError
    from searchkit.indexing.adapter import safe_loads

    sample_engine.search("trạm BTS", province="dak nong")
    assert whoosh.columns.loads is safe_loads and whoosh.codec.whoosh3.loads is safe_loads
    assert safe_loads(pickle.dumps({"title": "Trạm BTS", "ids": (1, 2), "data": b"\x00"}, protocol=2))["ids"] == (1, 2)
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    with pytest.raises(IndexFormatError, match="io.open|builtins.open"):
        safe_loads(pickle.dumps({"title": Payload()}, protocol=2))
    assert not marker.exists()


ADDS = 300
ADDER = """
import sys
from pathlib import Path
from searchkit import SearchEngine

engine, folder = SearchEngine(sys.argv[1]), Path(sys.argv[2])
for i in range(int(sys.argv[3])):
    article = folder / f"them-{i:03d}.txt"
    article.write_text(f"Trạm BTS số {i} ở Đắk Nông\\n\\nBài số {i}: Sở Thông tin và Truyền thông "
                       "lắp thêm một trạm BTS ở Gia Nghĩa.", encoding="utf-8")
    engine.index([article], remove_missing=False, workers=1)
"""


def test_searches_meet_no_false_damage_during_300_adds(corpus_copy, tmp_path):
    """Issue 18: merges delete the files of the segments they replace while searchers opened
    before still read them. A search that meets such a file gone runs again on the new
    commit: no "index damaged" while nothing is (4 of 6,330 searches failed before)."""
    import threading

    index_dir = tmp_path / "index"
    SearchEngine(index_dir).index([corpus_copy], workers=1)
    (tmp_path / "them").mkdir()
    adder = subprocess.Popen([sys.executable, "-c", ADDER, str(index_dir), str(tmp_path / "them"), str(ADDS)], cwd=ROOT)
    errors: list[str] = []
    searches = [0] * 3

    def read(slot: int) -> None:
        engine, last = SearchEngine(index_dir), 0
        deadline = time.monotonic() + 600
        while adder.poll() is None and time.monotonic() < deadline:
            try:
                results = engine.search("trạm BTS Đắk Nông", limit=20)
                if results.hits and engine.article(results.hits[-1].id) is None:
                    errors.append(f"{results.hits[-1].id} found, then not there")
            except Exception as error:  # noqa: BLE001 - any failure is what this looks for
                errors.append(f"{type(error).__name__}: {error}")
                continue
            if results.total < last:
                errors.append(f"total went back from {last} to {results.total}")
            last = results.total
            searches[slot] += 1

    threads = [threading.Thread(target=read, args=(slot,)) for slot in range(3)]
    for thread in threads:
        thread.start()
    try:
        assert adder.wait(timeout=900) == 0
    finally:
        adder.kill()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == [] and min(searches) > 0
    assert SearchEngine(index_dir).count() == 5 + ADDS
    assert SearchEngine(index_dir).check()["problems"] == []


def test_a_search_whose_files_a_commit_removed_runs_again_on_the_new_commit(corpus_copy, tmp_path, monkeypatch):
    """The race of the test above, made certain: between opening its searcher and reading the
    postings, another process's optimize replaces every segment and deletes their files."""
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy], workers=1)
    extra = tmp_path / "them"
    extra.mkdir()
    (extra / "them-1.txt").write_text("Trạm BTS mới\n\nĐắk Nông lắp thêm trạm BTS.", encoding="utf-8")
    engine.index([extra], workers=1, remove_missing=False)  # two segments: optimize merges them
    from searchkit.backends.local import LocalIndex

    opened = LocalIndex._current_searcher
    raced: list[int] = []

    def racing(self):
        searcher = opened(self)
        if not raced:
            raced.append(SearchEngine(self.path).optimize())
        return searcher

    monkeypatch.setattr(LocalIndex, "_current_searcher", racing)
    results = SearchEngine(engine.path).search("trạm BTS Đắk Nông")
    assert raced == [6] and results.total == SearchEngine(engine.path).search("trạm BTS Đắk Nông").total > 0


def _racing_commits(monkeypatch, engine: SearchEngine, folder: Path, runs: int) -> list[int]:
    """Make the first `runs` opened searchers of every engine stale at once: between opening
    and reading, another engine adds an article and optimizes, deleting the files they read."""
    from searchkit.backends.local import LocalIndex

    opened = LocalIndex._current_searcher
    raced: list[int] = []

    def racing(self):
        searcher = opened(self)
        if len(raced) < runs:
            article = folder / f"chen-{len(raced):02d}.txt"
            article.write_text(f"Trạm BTS chen {len(raced)}\n\nĐắk Nông lắp trạm BTS số {len(raced)}.", encoding="utf-8")
            writer = SearchEngine(self.path)
            writer.index([article], workers=1, remove_missing=False)
            raced.append(writer.optimize())
        return searcher

    monkeypatch.setattr(LocalIndex, "_current_searcher", racing)
    return raced


def test_a_search_that_meets_a_new_commit_six_times_running_still_answers(corpus_copy, tmp_path, monkeypatch):
    """CI, 2026-12-05: a reader slower than a busy writer met a new commit more often in a
    row than the 4 runs it was allowed, and reported the removed files as damage."""
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy], workers=1)
    before = engine.search("trạm BTS Đắk Nông", limit=20).total
    (tmp_path / "them").mkdir()
    raced = _racing_commits(monkeypatch, engine, tmp_path / "them", runs=6)
    results = SearchEngine(engine.path).search("trạm BTS Đắk Nông", limit=20)
    assert raced == [6, 7, 8, 9, 10, 11]  # the articles after each optimize
    assert results.total == before + 6 and sum("chen" in hit.title for hit in results.hits) == 6
    assert SearchEngine(engine.path).check()["problems"] == []


def test_commits_that_never_stop_make_a_busy_error_not_damage(corpus_copy, tmp_path, monkeypatch):
    from searchkit.backends import local

    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy], workers=1)
    (tmp_path / "them").mkdir()
    monkeypatch.setattr(local, "COMMIT_RETRIES", 3)
    _racing_commits(monkeypatch, engine, tmp_path / "them", runs=3)
    with pytest.raises(IndexBusyError, match="kept changing while it was read .3 runs") as caught:
        SearchEngine(engine.path).search("trạm BTS Đắk Nông")
    assert caught.value.kind == "index.changing" and caught.value.exit_code == 4
    assert SearchEngine(engine.path).search("trạm BTS Đắk Nông").total > 0  # the commits done, it answers


def test_damage_found_by_a_check_that_met_a_commit_is_not_reported(corpus_copy, tmp_path):
    """A check run to explain an unexpected error reads the newest commit; files it finds
    missing while commits go on were removed by them, not lost."""
    from searchkit.backends.local import _raise_real_failure
    from searchkit.errors import IndexDamagedError

    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy], workers=1)
    column = next(engine.path.glob("MAIN_*.hash.col"))
    column.unlink()
    failure = TypeError("'NoneType' object is not subscriptable")
    assert _raise_real_failure(engine.path, failure, moved=lambda: True) is None
    with pytest.raises(IndexDamagedError, match=f"{column.name} is missing"):
        _raise_real_failure(engine.path, failure, moved=lambda: False)


def test_the_latest_generation_is_read_from_the_names_alone(corpus_copy, tmp_path):
    from searchkit.indexing.store import latest_generation

    engine = SearchEngine(tmp_path / "index")
    assert latest_generation(engine.path) is None  # no folder yet
    engine.index([corpus_copy], workers=1)
    generation = open_index(engine.path).latest_generation()
    (engine.path / f"_MAIN_{generation}.toc").write_bytes(b"")  # unread: only its name counts
    (engine.path / "_MAIN_99.toc.tmp").write_bytes(b"")
    assert latest_generation(engine.path) == generation


def test_a_writer_preparing_statistics_while_another_commits_reports_no_damage(corpus_copy, tmp_path, monkeypatch):
    """After its sync released the lock, a writer builds the did-you-mean statistics of its
    commit; another writer's optimize meanwhile removed the files it reads."""
    from searchkit.backends.local import LocalIndex

    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus_copy], workers=1)
    (tmp_path / "them").mkdir()
    article = tmp_path / "them" / "them-1.txt"
    article.write_text("Chữ ký số cho cán bộ xã\n\nNghệ An cấp chữ ký số cho cán bộ cấp xã.", encoding="utf-8")
    loading = LocalIndex.load_spellings
    raced: list[int] = []

    def racing(self, reader, **options):
        if not raced:
            raced.append(0)  # before: the optimize prepares its own statistics through here
            raced[0] = SearchEngine(self.path).optimize()
        return loading(self, reader, **options)

    monkeypatch.setattr(LocalIndex, "load_spellings", racing)
    report = engine.index([article], workers=1, remove_missing=False)
    assert report.added == 1 and raced == [6]
    assert engine.search("chữ ký số Nghệ An").hits[0].title == "Chữ ký số cho cán bộ xã"
    assert SearchEngine(engine.path).check()["problems"] == []
