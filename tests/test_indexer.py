"""Incremental sync, rebuild, locking and refusing what is not a searchkit index."""

import json
import os
import subprocess
import sys
import time

import pytest

from searchkit import IndexBusyError, IndexDamagedError, IndexFormatError, IndexNotFoundError, SearchEngine
from tests.conftest import ROOT, write_articles
from tests.damage import damage


@pytest.fixture(params=["fork", "spawn"])
def start_method(request, monkeypatch) -> str:
    """The indexing tests that start workers run under each start method this platform has."""
    import multiprocessing

    if request.param not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {request.param} on this platform")
    monkeypatch.setenv("SEARCHKIT_START_METHOD", request.param)
    return request.param


@pytest.fixture
def engine(tmp_path, corpus_copy, start_method):
    engine = SearchEngine(tmp_path / "index")
    # batch_size=2: this first build of the five seeds goes to two workers, started by `start_method`
    assert engine.index([corpus_copy], batch_size=2, workers=2).added == 5
    return engine


def test_second_run_changes_nothing(engine, corpus_copy):
    report = engine.index([corpus_copy])
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 5)


def test_added_changed_and_deleted_files_are_synced(engine, corpus_copy):
    write_articles(corpus_copy, {"005_moi": "Chữ ký số\n\nTỉnh Điện Biên triển khai chữ ký số chuyên dùng."})
    changed = corpus_copy / "004_18419e47d282bcbb.txt"
    text = changed.read_text(encoding="utf-8").replace("Minh Đức", "Bổ sung: mạng 5G thử nghiệm.\nMinh Đức")
    changed.write_text(text, encoding="utf-8")
    (corpus_copy / "000_8ea709576470be64.txt").unlink()
    report = engine.index([corpus_copy])
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 3)
    assert report.total == 5
    assert engine.search("chữ ký số").hits[0].id == "005_moi"
    assert [h.id for h in engine.search("5G").hits] == ["004_18419e47d282bcbb"]
    assert "000_8ea709576470be64" not in {h.id for h in engine.search("An Giang", limit=50).hits}
    assert len({h.id for h in engine.search("thông tin", limit=50).hits}) == engine.search("thông tin").total


def test_what_a_sync_compares_against_is_each_live_article_once_at_its_last_hash(engine, corpus_copy):
    """`existing` (read a segment's columns at a time, its deleted documents skipped): after a
    change and a removal, the removed article is gone, the changed one is at its new hash, the
    others as they were, and the next sync finds nothing to do."""
    before = engine.backend.existing()
    changed = corpus_copy / "004_18419e47d282bcbb.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nBổ sung: mạng 5G thử nghiệm.\n", encoding="utf-8")
    (corpus_copy / "000_8ea709576470be64.txt").unlink()
    assert engine.index([corpus_copy]).removed == 1
    held = engine.backend.existing()
    assert sorted(held) == sorted(set(before) - {"000_8ea709576470be64"})
    assert held["004_18419e47d282bcbb"][0] != before["004_18419e47d282bcbb"][0]
    assert all(held[key] == before[key] for key in held if key != "004_18419e47d282bcbb")
    report = engine.index([corpus_copy])
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 4)


def test_indexing_another_path_keeps_the_first(engine, tmp_path):
    other = write_articles(tmp_path / "other", {"x": "Mã độc\n\nCảnh báo mã độc tống tiền."})
    report = engine.index([other])
    assert (report.added, report.removed, report.total) == (1, 0, 6)


def test_rebuild_starts_from_scratch(engine, corpus_copy):
    report = engine.index([corpus_copy], rebuild=True)
    assert (report.added, report.unchanged, report.total) == (5, 0, 5)


def test_a_rebuild_builds_its_statistics_from_its_own_articles_alone(engine, tmp_path, start_method, monkeypatch):
    """A rebuild's first commit drops the statistics caches of the articles it replaced: the
    rebuilt index's did-you-mean statistics are then built from scratch (in a helper process
    beside the pair model, where workers are forked), never updated from counts of articles
    it no longer holds, and only its own generation's caches are left."""
    from searchkit.backends import local
    from searchkit.indexing.manifest import cache_generation

    def generations() -> list[int]:
        return sorted({g for g in map(cache_generation, os.listdir(engine.path)) if g is not None})

    first = generations()
    assert first, "the first build saved its statistics"
    started, real = [], local._spellings_beside
    monkeypatch.setattr(local, "_spellings_beside", lambda path, generation: started.append(
        (generations(), real(path, generation))) or started[-1][1])
    other = write_articles(tmp_path / "other", {"ma-doc": "Mã độc\n\nCảnh báo mã độc tống tiền lan rộng ở Đắk Nông."})
    assert engine.index([other], rebuild=True).total == 1
    (found_then, helper), = started
    assert found_then == [], "no statistics of the dropped articles were left to update"
    assert (helper is not None) == (start_method == "fork" and (os.cpu_count() or 1) > 1)
    assert generations() == [max(generations())] and generations()[0] > max(first)
    assert engine.search("tong tien").hits[0].id == "ma-doc"


def test_a_first_build_on_more_cores_than_unmerged_segments_writes_no_more_and_merges_nothing(tmp_path, monkeypatch):
    """On sixteen cores, 1,200 articles go out in ten batches (MAX_SEGMENTS), written by ten
    workers: sixteen batches would leave sixteen segments, and merging ten of them after the
    last batch costs more than the larger batches save. Every article is found."""
    from searchkit.indexing import merge, segments, sync
    from searchkit.indexing.adapter import segment_leaves
    from searchkit.indexing.store import open_index
    from tests.conftest import write_jsonl_corpus

    ids = write_jsonl_corpus(tmp_path / "news.jsonl", 1200)
    pools, merged, real_written, real_merge = [], [], segments.written_batches, merge.merge_by_policy
    monkeypatch.setattr(sync, "written_batches", lambda *args, **kw: pools.append(args[2]) or real_written(*args, **kw))
    monkeypatch.setattr(sync, "merge_by_policy", lambda *args: merged.append(real_merge(*args)) or merged[-1])
    engine = SearchEngine(tmp_path / "index")
    assert engine.index([tmp_path / "news.jsonl"], batch_size=100, workers=16).added == 1200
    with open_index(engine.path).reader() as reader:
        assert len(segment_leaves(reader)) == merge.MAX_SEGMENTS
    assert pools == [merge.MAX_SEGMENTS] and merged == [0]
    assert [hit.id for hit in engine.search("Bài số 1199", limit=1).hits] == [ids[-1]]


@pytest.fixture
def lock_holder(engine, tmp_path):
    """Another process that holds the index's writer lock until the test ends."""
    ready = tmp_path / "locked"
    code = (
        "import sys, time, pathlib; from searchkit.indexing.store import writer_lock\n"
        "with writer_lock(pathlib.Path(sys.argv[1])):\n"
        "    pathlib.Path(sys.argv[2]).touch(); time.sleep(60)"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(engine.path), str(ready)], cwd=ROOT)
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    yield process
    process.kill()
    process.wait()


def test_second_writer_is_told_the_index_is_busy(engine, corpus_copy, lock_holder):
    with pytest.raises(IndexBusyError, match="being updated by another process"):
        engine.index([corpus_copy])
    started = time.monotonic()
    with pytest.raises(IndexBusyError):
        engine.index([corpus_copy], wait=0.5)
    assert time.monotonic() - started >= 0.5
    assert engine.search("trạm BTS").total == 3  # readers are never blocked
    lock_holder.kill()
    lock_holder.wait()
    assert engine.index([corpus_copy], wait=5).unchanged == 5


def test_a_directory_that_is_not_an_index_is_refused_not_overwritten(tmp_path, corpus_copy):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("việc cần làm", encoding="utf-8")
    with pytest.raises(IndexFormatError, match="not a searchkit index"):
        SearchEngine(notes).index([corpus_copy])
    with pytest.raises(IndexFormatError):
        SearchEngine(notes).search("việc")
    assert (notes / "todo.txt").read_text(encoding="utf-8") == "việc cần làm"


def test_missing_index(tmp_path):
    with pytest.raises(IndexNotFoundError, match="searchkit index"):
        SearchEngine(tmp_path / "none").search("trạm")


def test_a_first_build_that_fails_before_making_its_index_says_why_not_that_none_exists(tmp_path, corpus_copy,
                                                                                        monkeypatch):
    """A build whose own machinery fails before the index exists (a dependency missing: Whoosh
    without its `cached_property`) raises that failure, not "no index at …; build one with:
    searchkit index", which names the very command that failed; once the index exists, a
    failure is still told apart from damage by `searchkit check`."""
    from searchkit.indexing import sync

    def missing_dependency(index_dir, rebuild):
        raise ModuleNotFoundError("No module named 'cached_property'")

    monkeypatch.setattr(sync, "_open_for_writing", missing_dependency)
    with pytest.raises(ModuleNotFoundError, match="cached_property"):
        SearchEngine(tmp_path / "mới").index([corpus_copy])
    monkeypatch.undo()
    engine = SearchEngine(tmp_path / "mới")
    assert engine.index([corpus_copy]).added == 5

    def bug(*args, **kwargs):
        raise RuntimeError("lỗi trong searchkit")

    monkeypatch.setattr(sync, "to_index", bug)
    with pytest.raises(RuntimeError, match="lỗi trong searchkit"):  # no damage found: a bug, raised as itself
        engine.index([corpus_copy])
    assert engine.search("trạm BTS").total == 3  # nothing lost
    # a byte flipped where the check before a sync does not look (a large file's checksum: its
    # size is the same), then the bug: the damage `searchkit check` finds is named, the bug chained
    assert damage(engine.path, ".skp", "flip-middle", base=None)  # a flip needs no earlier generation
    monkeypatch.setattr(sync, "verify_trusted", lambda index_dir, ix: None)
    with pytest.raises(IndexDamagedError, match=r"\.skp") as raised:
        engine.index([corpus_copy])
    assert isinstance(raised.value.__cause__, RuntimeError)


@pytest.mark.parametrize("version", [0, 3, 4])  # 4: postings in Whoosh and .skp; 3: before .skp pair counts
def test_index_of_an_older_schema_asks_for_a_rebuild(engine, corpus_copy, version):
    marker = engine.path / "searchkit.json"
    marker.write_text(json.dumps({"format": "searchkit", "schema_version": version}), encoding="utf-8")
    with pytest.raises(IndexFormatError, match="--rebuild"):
        engine.search("trạm")
    with pytest.raises(IndexFormatError, match="--rebuild"):
        engine.index([corpus_copy])
    assert engine.index([corpus_copy], rebuild=True).total == 5
    assert engine.search("trạm BTS").total == 3


def test_an_index_of_an_empty_folder_answers_with_no_hits(tmp_path):
    (tmp_path / "empty").mkdir()
    engine = SearchEngine(tmp_path / "index")
    assert engine.index([tmp_path / "empty"]).total == 0
    results = engine.search("trạm BTS")
    assert (results.total, results.hits) == (0, ())


def test_a_few_changed_articles_are_written_without_starting_workers(tmp_path, monkeypatch, start_method):
    from searchkit.indexing import segments

    corpus = tmp_path / "news.jsonl"
    records = [{"id": f"bai-{i}", "title": f"Trạm BTS số {i}", "body": f"Viettel lắp trạm BTS thứ {i} tại Đắk Nông."}
               for i in range(2 * segments.SMALL_BATCH)]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    engine = SearchEngine(tmp_path / "index")
    started, real = [], segments.multiprocessing.get_context

    class Counted:  # a context whose pools of workers are counted (not the statistics' helper process)
        def __init__(self, kind):
            self.kind, self.context = kind, real(kind)

        def __getattr__(self, name):
            return getattr(self.context, name)

        def Value(self, *args, **kwargs):  # noqa: N802 - multiprocessing's name: one count per pool
            started.append(self.kind)
            return self.context.Value(*args, **kwargs)

    def counted(kind):
        return Counted(kind)

    monkeypatch.setattr(segments.multiprocessing, "get_context", counted)
    assert engine.index([corpus], workers=2).added == 2 * segments.SMALL_BATCH
    assert started == [start_method]  # a first build of 400 articles: two workers
    records[7]["body"] += " Cập nhật: trạm zqmoi đã phát sóng."
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    report = engine.index([corpus], workers=2)
    assert (report.updated, report.unchanged) == (1, 2 * segments.SMALL_BATCH - 1) and started == [start_method]
    assert [hit.id for hit in engine.search("zqmoi").hits] == ["bai-7"]


def test_a_batch_decodes_the_lines_left_to_it_and_reports_one_that_does_not_parse(tmp_path):
    """A worker's batch may hold JSONL lines its reader only identified (`PendingArticle`):
    each is decoded there; one that does not parse is reported with its line, and the others
    are written all the same."""
    import json

    from searchkit.indexing.corpus import PendingArticle
    from searchkit.indexing.segments import write_batch

    def pending(number: int, record: dict) -> PendingArticle:
        return PendingArticle(id=str(record["id"]), title="", body="", path="tin.jsonl", line=number,
                              hash=f"h{number}", raw=json.dumps(record, ensure_ascii=False).encode("utf-8"))

    batch = write_batch(str(tmp_path), [
        pending(1, {"id": "a", "title": "Trạm BTS ở Đắk Nông", "body": "Viettel lắp trạm BTS mới."}),
        pending(2, {"id": "b", "body": ["không phải văn bản"]}),
        pending(3, {"id": "c", "title": "Chữ ký số", "body": "Nghệ An cấp chữ ký số."}),
    ], lambda n: None)
    assert batch.ids == ["a", "c"]
    assert [(s.path, s.line, s.reason) for s in batch.failed] == [
        ("tin.jsonl", 2, "'body' must be a string, not a list")]


def test_a_written_batch_leaves_its_articles_to_be_freed_at_once_not_kept_in_a_reference_cycle(tmp_path):
    """Whoosh's writer raised and kept an error while creating its temporary folder; its
    traceback held the calling frames, and so the whole batch, in a reference cycle that only
    a full garbage collection frees (a worker then carried two batches, and collected more)."""
    import gc
    import weakref

    from searchkit.indexing.segments import write_batch
    from searchkit.models import Article

    articles = [Article(id="a", title="Trạm BTS ở Đắk Nông", body="Viettel lắp trạm BTS mới ở Đắk Nông."),
                Article(id="b", title="Chữ ký số", body="Nghệ An cấp chữ ký số cho cán bộ.")]
    watched = weakref.ref(articles[0])
    gc.collect()
    gc.disable()  # only reference counts free what the batch leaves
    try:
        batch = write_batch(str(tmp_path), articles, lambda n: None)
        del articles
        assert batch.ids == ["a", "b"]
        assert watched() is None
    finally:
        gc.enable()


def test_a_build_worker_collects_garbage_less_often_than_python_does(monkeypatch):
    """A batch's millions of short-lived lists and tuples are freed by their counts; Python's
    threshold of 700 made the collector look at them 815 times in 6,000 articles."""
    import gc

    from searchkit.indexing import segments

    before = gc.get_threshold()
    import ctypes

    def no_libc(*args, **kwargs):
        raise OSError("not this test process's parent-death signal")

    monkeypatch.setattr(segments.signal, "signal", lambda *args: None)  # nor its Ctrl-C
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    prepared, kept = [], []
    monkeypatch.setattr(segments, "_prepare_analysis", lambda: prepared.append(True))  # in a process of its own below
    monkeypatch.setattr(segments, "keep_freed_memory", lambda: kept.append(True))  # and this one's malloc left alone
    try:
        segments._worker_init()
        assert gc.get_threshold() == (segments.WORKER_GC_THRESHOLD, *before[1:])
        assert segments.WORKER_GC_THRESHOLD > 10 * before[0]
        assert prepared == [True] and kept == [True]
    finally:
        gc.set_threshold(*before)
        segments._shared_count = None


_FREED_AND_KEPT = """
import os, sys
import numpy as np
from searchkit.indexing.segments import keep_freed_memory
if sys.argv[1] == "kept":
    keep_freed_memory()
def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
arrays = [np.ones(1 << 17) for _ in range(48)]  # 48 arrays of 1 MB, as a batch's postings make them
full = resident()
del arrays
print((full - resident()) >> 20)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
                    reason="glibc's malloc only")
def test_a_build_worker_keeps_what_a_batch_freed_for_the_next_instead_of_faulting_it_in_again():
    """By default glibc returns a freed array's pages to the system, and the next batch's
    arrays fault them in again, zeroed page by page; a worker keeps them."""
    def given_back_mb(how: str) -> int:
        done = subprocess.run([sys.executable, "-c", _FREED_AND_KEPT, how], capture_output=True, text=True,
                              cwd=ROOT, timeout=60, check=True)
        return int(done.stdout)

    assert given_back_mb("default") >= 40
    assert given_back_mb("kept") <= 8


def test_a_build_worker_loads_the_tagger_and_the_province_regex_before_its_first_batch():
    """What each worker's first batch paid for (0.11 s of CPU, on every worker's critical
    path) is loaded as the worker starts, while the parent reads the batches: pyvi's model,
    and the regex that finds provinces, looked through from the first text on (a small `add`
    in one process reads its few texts everywhere instead, and never compiles it)."""
    script = """
from searchkit.indexing import segments
from searchkit.text import places, segment
segments._prepare_analysis()
gazetteer = places.load_gazetteer()
looked = gazetteer._looked[0]
print(segment._tagger.cache_info().currsize, "_starts" in vars(gazetteer), looked >= places.EVERYWHERE_CHARS)
print(gazetteer.find_all("Sở TT&TT tỉnh Đăk Nông và VNPT Hà Nội"), gazetteer._looked[0] == looked)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.stdout.split("\n")[:2] == ["1 True True", "('Đắk Nông', 'Hà Nội') True"], out.stderr


def test_a_worker_whose_preparation_fails_still_writes_its_batches(tmp_path):
    """A pool whose initializer raises is broken (its batches would all be written in the
    writer's process, on one core): what the preparation meets is left to the batches, which
    the workers write, analysing their articles or saying which ones failed."""
    script = """
import os, sys
from searchkit.indexing import analysis, segments
from searchkit.models import Article

def unreadable():
    raise OSError("pyvi's model could not be read")

analysis.prepare_for_many = unreadable  # forked workers inherit it
parent, write = os.getpid(), segments.write_batch

def told(index_dir, articles, done=None):
    print("in a worker" if os.getpid() != parent else "in the writer", file=sys.stderr)
    return write(index_dir, articles, done)

segments.write_batch = told
articles = [Article(id=f"bai-{i}", title="Trạm BTS ở Đắk Nông", body="Viettel lắp trạm BTS mới.") for i in range(4)]
print([batch.ids for batch in segments.written_batches(sys.argv[1], [articles[:2], articles[2:]], 2, many=True)])
"""
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=60,
                         cwd=ROOT, env={**os.environ, "SEARCHKIT_START_METHOD": "fork"})
    assert out.stdout.strip() == "[['bai-0', 'bai-1'], ['bai-2', 'bai-3']]", out.stderr
    assert out.stderr.count("in a worker") == 2 and "in the writer" not in out.stderr, out.stderr


def test_a_build_whose_worker_is_killed_writes_the_rest_here_and_loses_no_article(tmp_path):
    """The kernel kills a build worker (out of memory) while it writes a batch; a
    `multiprocessing.Pool` waited for that batch for ever. The batches not yet handed back,
    and every one after them, are written in the writer's own process: each of the 1,200
    articles is in the index once, nothing skipped, no batch folder left."""
    import multiprocessing

    from searchkit.indexing.segments import BATCH_PREFIX
    from searchkit.indexing.store import open_index
    from tests.conftest import write_jsonl_corpus

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the worker's kill is patched into forked workers")
    ids = write_jsonl_corpus(tmp_path / "news.jsonl", 1200)
    script = """
import os, signal, sys
from searchkit import SearchEngine
from searchkit.indexing import segments, sync
sync._scaled_batch_size = lambda requested, articles, workers=1: requested  # twelve batches of 100
parent, write = os.getpid(), segments.write_batch

def killed_on_its_batch(index_dir, articles, done=None):
    if os.getpid() != parent and any(article.id == "bai-00450" for article in articles):
        open(sys.argv[3], "w").write("killed")
        os.kill(os.getpid(), signal.SIGKILL)
    return write(index_dir, articles, done)

segments.write_batch = killed_on_its_batch  # forked workers inherit it
report = SearchEngine(sys.argv[1]).index([sys.argv[2]], batch_size=100, workers=2)
print(report.added, len(report.skipped))
"""
    index, killed = tmp_path / "index", tmp_path / "killed"
    out = subprocess.run([sys.executable, "-c", script, str(index), str(tmp_path / "news.jsonl"), str(killed)],
                         capture_output=True, text=True, timeout=180, cwd=ROOT,
                         env={**os.environ, "SEARCHKIT_START_METHOD": "fork"})
    assert out.stdout.split()[:2] == ["1200", "0"], out.stderr
    assert killed.read_text() == "killed"
    with open_index(index).searcher() as searcher:
        assert sorted(searcher.stored_fields(n)["id"] for n in range(searcher.doc_count_all())) == ids
    assert not [p for p in os.listdir(index) if p.startswith(BATCH_PREFIX)]
    assert SearchEngine(index).check()["problems"] == []
    assert [hit.id for hit in SearchEngine(index).search("Bài số 450", limit=1).hits] == ["bai-00450"]


class BreakingPool:
    """A pool of workers that breaks at the `broken_at`-th task handed to it: at once
    (`at_handing`), or when its result is asked for; each task before it answers
    `answer(*args)` at once (a task of no arguments, a worker's start, its own answer)."""

    def __init__(self, broken_at: int, at_handing: bool, answer):
        self.broken_at, self.at_handing, self.answer, self.handed = broken_at, at_handing, answer, 0

    def submit(self, work, *args):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        self.handed += 1
        broken = self.handed >= self.broken_at
        if broken and self.at_handing:
            raise BrokenProcessPool("a worker was killed")
        future = Future()
        if broken:
            future.set_exception(BrokenProcessPool("a worker was killed"))
        else:
            future.set_result(self.answer(*args) if args else work())
        return future


@pytest.mark.parametrize("broken_at", range(1, 9))
@pytest.mark.parametrize("at_handing", [True, False])
def test_a_broken_pool_hands_on_or_leaves_as_lost_every_batch_once_in_order(broken_at, at_handing):
    """Whenever a pool of two workers breaks (seven batches, handed over one ahead), each batch
    is either handed on as written or left as lost, never both and never neither, and the lost
    ones come in order after those handed on, followed by those never read."""
    from searchkit.indexing import segments

    answer = lambda index_dir, batch: segments.Batch(f"folder-{batch[0]}", None, batch)  # noqa: E731
    segments._started(BreakingPool(broken_at, at_handing, answer), 2)  # broken as it starts: left to the batches
    pool = BreakingPool(broken_at, at_handing, answer)
    batches = iter([[f"bai-{i}"] for i in range(7)])
    lost: list = []
    written = [batch.ids for batch in segments._written_in(pool, "index", batches, 2, lost, lambda: None)]
    assert written + lost + list(batches) == [[f"bai-{i}"] for i in range(7)]
    assert len(written) == broken_at - 1


@pytest.mark.parametrize("broken_at", range(1, 9))
@pytest.mark.parametrize("at_handing", [True, False])
def test_parts_analysed_for_a_store_are_each_analysed_once_in_order_whenever_the_pool_breaks(broken_at, at_handing):
    """The parts a store's workers analyse (Typesense: `sync.in_workers`): when a worker is
    killed, those the pool had not analysed and every one after them are analysed in this
    process, in order; none is lost or analysed twice."""
    from searchkit.indexing.sync import in_workers

    analysed = []

    def analyse(part):
        analysed.append(part)
        return [f"phân tích {word}" for word in part]

    pool = BreakingPool(broken_at, at_handing, lambda part: [f"phân tích {word}" for word in part])
    parts = [[f"bài {i}"] for i in range(7)]
    assert list(in_workers(pool, analyse, iter(parts), 3)) == [[f"phân tích bài {i}"] for i in range(7)]
    assert analysed == parts[broken_at - 1:]  # here, from the first one the pool did not analyse


def test_a_resync_of_a_few_changed_articles_shares_them_between_the_workers(tmp_path, monkeypatch):
    """The corpus' estimate counts every article; a re-sync gets only the changed ones. 300
    changed articles of 1,200 go to both workers, not in one batch sized for the whole corpus."""
    import json

    from searchkit import SearchEngine
    from searchkit.indexing import sync
    from tests.conftest import write_jsonl_corpus

    corpus = tmp_path / "tin.jsonl"
    write_jsonl_corpus(corpus, 1200)
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus], workers=2)
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    for record in records[:300]:
        record["body"] += " Sở TT&TT Đắk Nông cập nhật."
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    sizes: list[int] = []
    writing = sync.written_batches

    def counted(index_dir, parts, *args, **kwargs):
        def seen():
            for part in parts:
                sizes.append(len(part))
                yield part
        return writing(index_dir, seen(), *args, **kwargs)

    monkeypatch.setattr(sync, "written_batches", counted)
    report = engine.index([corpus], workers=2)
    assert (report.updated, report.unchanged) == (300, 900)
    assert sizes == [150, 150]


def test_ids_and_paths_written_in_vietnamese_are_read_back_as_written(tmp_path):
    """What a sync compares against is read a column at a time, cut by byte lengths: ids and
    paths of several bytes a character (`Đắk Nông`, `chữ ký số`) must come back whole."""
    from searchkit.indexing.adapter import segment_leaves, text_column
    from searchkit.indexing.store import open_index

    corpus = write_articles(tmp_path / "Tin tức Đắk Nông", {
        "trạm_BTS": "Đắk Nông phát triển trạm BTS\n\nTỉnh Đắk Nông xây thêm trạm BTS.",
        "chữ ký số": "Chữ ký số\n\nTỉnh Điện Biên triển khai chữ ký số chuyên dùng.",
        "bts": "BTS\n\nTrạm BTS mới phủ sóng vùng sâu.",
    })
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus])
    write_articles(corpus, {"Hoà Bình": "Hoà Bình\n\nNhà máy thuỷ điện Hoà Bình dùng cáp quang."})
    (corpus / "bts.txt").unlink()
    engine.index([corpus])  # a second segment; `bts` deleted from the first
    held = engine.backend.existing()
    assert sorted(held) == ["Hoà Bình", "chữ ký số", "trạm_BTS"]
    assert all("Tin tức Đắk Nông" in path for _, path in held.values())
    whoosh_read = {}  # what Whoosh reads a value at a time, deleted articles left out
    with open_index(tmp_path / "index").reader() as reader:
        leaves = [leaf for leaf, _ in segment_leaves(reader)]
        assert len(leaves) == 2 and leaves[0].has_deletions()
        for leaf in leaves:
            for name in ("id", "hash", "path"):
                assert text_column(leaf, name) == list(leaf.column_reader(name))
            columns = zip(*(leaf.column_reader(name) for name in ("id", "hash", "path")))
            whoosh_read.update((i, (h, p)) for n, (i, h, p) in enumerate(columns) if not leaf.is_deleted(n))
    assert list(held.items()) == list(whoosh_read.items())
    assert held["chữ ký số"] == whoosh_read["chữ ký số"] and "bts" not in held and held.get("bts") is None
