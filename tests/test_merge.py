"""Segments merge: small ones after every sync (tiered), all of them with `optimize`; every
live article stays exactly once, deleted ones are reclaimed, searches keep answering."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from searchkit import SearchEngine
from searchkit.cli import main
from searchkit.indexing.merge import MAX_SEGMENTS, SLACK
from tests.conftest import segmented_engine, write_jsonl_corpus


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

    from tests.test_crash_and_concurrency import assert_readers_clean, reader_loop, readers_searching, wait_for

    engine, ids, root = grown
    stop = root / "stop"
    context = multiprocessing.get_context("spawn")
    readers = [context.Process(target=reader_loop, args=(str(engine.path), str(stop), str(root / f"r{i}")),
                               daemon=True) for i in range(2)]
    for reader in readers:
        reader.start()
    try:
        wait_for(lambda: readers_searching(root, 2))  # the merge runs under searches
        assert engine.optimize() == len(ids)
    finally:
        stop.touch()
        for reader in readers:
            reader.join(timeout=60)
    assert_readers_clean(root, 2)
    assert every_article_once(engine, ids)


# --------------------------------------------------------------------------- kill -9 and readers during merges
# Every article carries its own reference code ("Mã tra cứu: tk00017.") that no other article holds,
# so a search for it must find that article exactly once, whatever segment it lives in.

BASE = 10 * MAX_SEGMENTS  #: articles in the prepared index: MAX_SEGMENTS segments of ten, one short of a merge


def token(i: int) -> str:
    return f"tk{i:05d}"


def write_coded(path, first: int, count: int, edited: bool = False) -> dict[str, str]:
    """Articles `first`…`first+count-1` from the seed paragraphs, each with its reference
    code; `edited` changes their text (an update). Returns {id: code}."""
    write_jsonl_corpus(path, first + count)
    lines = path.read_text(encoding="utf-8").splitlines()[first:]
    coded = {}
    with path.open("w", encoding="utf-8") as stream:
        for i, line in enumerate(lines, start=first):
            record = json.loads(line)
            note = " Bài đã được cập nhật số liệu mới." if edited else ""
            record["body"] += f"\nMã tra cứu: {token(i)}.{note}"
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            coded[record["id"]] = token(i)
    return coded


def find_code(engine, code: str) -> list[str]:
    return [hit.id for hit in engine.search(code, limit=20, snippets=0).hits]


def assert_each_article_once(index_dir, coded: dict[str, str]) -> None:
    """The index holds exactly these articles, and each one's code finds it and only it."""
    engine = SearchEngine(index_dir)
    assert engine.count() == len(coded)
    for doc_id, code in coded.items():
        assert find_code(engine, code) == [doc_id], code


@pytest.fixture(scope="module")
def ten_segments(tmp_path_factory):
    """An index of BASE coded articles from one file, in ten segments: the next sync with
    anything new merges. Returns the index folder, the file and {id: code}."""
    root = tmp_path_factory.mktemp("ten-segments")
    coded = write_coded(root / "base.jsonl", 0, BASE)
    engine = SearchEngine(root / "index")
    engine.index([root / "base.jsonl"], batch_size=BASE // MAX_SEGMENTS, workers=1)
    assert segment_count(engine) == MAX_SEGMENTS
    return engine.path, root / "base.jsonl", coded


def start_writer(args: list[str]) -> subprocess.Popen:
    from tests.conftest import ROOT

    return subprocess.Popen([sys.executable, "-m", "searchkit", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_while_merging(process, index_dir, delay: float) -> bool:
    """SIGKILL `delay` seconds after the writer starts writing (the first new name in the index
    folder: a segment being written), or as soon as it exits if it never does; True if it was
    killed, False if it had finished."""
    before = set(os.listdir(index_dir))
    deadline = time.monotonic() + 60
    while process.poll() is None and set(os.listdir(index_dir)) <= before and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return process.returncode == -signal.SIGKILL


def edit_base(base, original: str, changed: int, new: int) -> tuple[dict, dict]:
    """Rewrite the base file with article `changed` edited and article `new` appended, as a
    user does before `searchkit add FILE`; returns ({new id: code}, {changed id: code})."""
    lines = original.splitlines()
    edited = write_coded(base.with_name("edited.jsonl"), changed, 1, edited=True)
    added = write_coded(base.with_name("new.jsonl"), new, 1)
    lines[changed] = base.with_name("edited.jsonl").read_text(encoding="utf-8").strip()
    lines.append(base.with_name("new.jsonl").read_text(encoding="utf-8").strip())
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return added, edited


# (command, seconds after the writer starts writing): seeded, bounded moments
KILLS = [("optimize", 0.0), ("add", 0.0)] + list(zip(
    ["optimize", "add"] * 2, [ms / 1000 for ms in random.Random(20261130).sample(range(20, 900), 4)]))


def test_kill_9_during_a_merge_keeps_every_article_exactly_once(ten_segments, tmp_path):
    """`optimize` (everything into one) and an `add` whose sync merges ten segments, each
    killed with SIGKILL at a different moment: the index opens with every article exactly
    once, the next writer sweeps what the killed one left, `check` is clean and the
    following merge succeeds. Where each kill lands (before, inside or after the merge)
    depends on the machine's load: the outcome must be the same wherever it lands, so that is
    what is asserted, not the moment."""
    base_dir, base, base_coded = ten_segments
    original = base.read_text(encoding="utf-8")
    for round_, (command, delay) in enumerate(KILLS):
        index_dir = tmp_path / f"index-{round_}"
        shutil.copytree(base_dir, index_dir)
        coded, new, changed = dict(base_coded), {}, {}
        if command == "add":  # one changed article and one new: a batch, a deletion, then a merge
            new, changed = edit_base(base, original, changed=round_, new=BASE + round_)
            process = start_writer(["add", str(base), "--index", str(index_dir), "-q"])
        else:
            process = start_writer(["optimize", "--index", str(index_dir)])
        was_killed = kill_while_merging(process, index_dir, delay)
        stderr = process.stderr.read().decode()
        assert was_killed or process.returncode == 0, stderr

        engine = SearchEngine(index_dir)
        batch_committed = bool(new) and bool(find_code(engine, token(BASE + round_)))
        if batch_committed:
            coded |= new  # the batch was committed before the kill
        assert_each_article_once(index_dir, coded)  # whatever moment the kill landed on

        nothing_new = tmp_path / f"empty-{round_}"
        nothing_new.mkdir()
        engine.index([nothing_new], remove_missing=False, workers=1)  # the next writer run sweeps
        assert not list(index_dir.glob(".batch-*"))
        result = CliRunner().invoke(main, ["check", "--index", str(index_dir)])
        assert result.exit_code == 0, result.output

        if command == "add":  # the interrupted add, run again, completes
            assert engine.index([base], remove_missing=False, workers=1).skipped == ()
            coded |= new
        engine.optimize()
        assert segment_count(engine) == 1
        assert_each_article_once(index_dir, coded)
        if changed:
            assert find_code(engine, '"cập nhật số liệu mới"') == list(changed)  # the new text, once
        base.write_text(original, encoding="utf-8")


def code_reader_loop(index_dir: str, stop_file: str, out_file: str, codes: dict[str, str], kept: list[str]) -> None:
    """Run in a child process until told to stop (or 10 minutes): search every article's code.
    An article in `kept` must be found exactly once every time; any other at most once, and
    never lost once found. Writes the number of rounds, then the problems seen."""
    from pathlib import Path

    engine, seen, problems, rounds = SearchEngine(index_dir), set(), [], 0
    ready = Path(out_file + ".ready")
    deadline = time.monotonic() + 600
    while not os.path.exists(stop_file) and time.monotonic() < deadline and len(problems) < 20:
        for doc_id, code in codes.items():
            try:
                found = find_code(engine, code)
            except Exception as error:  # noqa: BLE001 - any failure is what we look for
                problems.append(f"{code}: {error!r}")
                continue
            if found not in ([doc_id], []) or (not found and (doc_id in kept or doc_id in seen)):
                problems.append(f"{code}: {found} (round {rounds})")
            seen.update(found)
        rounds += 1
        ready.touch()
    Path(out_file).write_text(f"{rounds}\n" + "\n".join(problems), encoding="utf-8")


def test_readers_find_each_article_once_while_syncs_update_add_and_merge(tmp_path):
    """A writer process runs twelve syncs, each changing one article and adding one to a
    ten-segment index, so that each one merges; two reader processes meanwhile search every
    article by its code and never see it twice, or missing once it was there."""
    import multiprocessing

    from tests.conftest import ROOT
    from tests.test_crash_and_concurrency import wait_for

    base = tmp_path / "news.jsonl"
    coded = write_coded(base, 0, BASE)
    engine = SearchEngine(tmp_path / "index")
    engine.index([base], batch_size=BASE // 10, workers=1)
    original, versions, every = base.read_text(encoding="utf-8"), [], dict(coded)
    for k in range(12):  # version k: articles 0…k changed, BASE…BASE+k added
        added, _ = edit_base(base, original if k == 0 else versions[-1].read_text(encoding="utf-8"), k, BASE + k)
        every |= added
        versions.append(base.with_name(f"v{k}.jsonl"))
        base.replace(versions[-1])
    base.write_text(original, encoding="utf-8")
    writer_code = ("import shutil, sys; from searchkit import SearchEngine; engine = SearchEngine(sys.argv[1])\n"
                   "for version in sys.argv[3:]:\n"
                   "    shutil.copyfile(version, sys.argv[2]); engine.index([sys.argv[2]], remove_missing=False)")

    stop = tmp_path / "stop"
    context = multiprocessing.get_context("spawn")
    readers = [context.Process(target=code_reader_loop, daemon=True,
                               args=(str(engine.path), str(stop), str(tmp_path / f"r{i}"), every, list(coded)))
               for i in range(2)]
    for reader in readers:
        reader.start()
    try:
        wait_for(lambda: all((tmp_path / f"r{i}.ready").exists() for i in range(2)))  # readers are searching
        writer = subprocess.run([sys.executable, "-c", writer_code, str(engine.path), str(base), *map(str, versions)],
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert writer.returncode == 0, writer.stderr
    finally:
        stop.touch()
        for reader in readers:
            reader.join(timeout=60)
    for i in range(2):
        rounds, *problems = (tmp_path / f"r{i}").read_text(encoding="utf-8").split("\n")
        assert int(rounds) > 1 and [p for p in problems if p] == []
    assert segment_count(engine) <= MAX_SEGMENTS + SLACK
    assert_each_article_once(engine.path, every)
    assert sorted(find_code(engine, '"cập nhật số liệu mới"')) == sorted(coded)[:12]  # each changed one, once


# --------------------------------------------------------------------------- merges written at the same time
# A first build of hundreds of thousands of articles ends with several merges of ten segments each
# (33 segments of 8,000 at 16 times the corpus): those that do not depend on each other are
# written at once, each in a process of its own, and committed in the order the policy made them.

def _made_one_by_one(sizes, rng) -> list[list[str]]:
    """`plan_merge` applied merge after merge, each result given an id as a real segment's."""
    from searchkit.indexing.merge import SegmentSize, plan_merge

    made, current = [], list(sizes)
    while len(made) < 100:
        chosen = plan_merge(current)
        if not chosen:
            break
        made.append(chosen)
        live = sum(s.live for s in current if s.segment_id in chosen)
        current = [s for s in current if s.segment_id not in chosen]
        current += [SegmentSize(f"{rng.getrandbits(80):020x}", live)] if live else []
    return made


def test_the_merges_planned_together_are_the_first_ones_the_policy_makes_one_by_one():
    """Over random indexes (segments of a build's sizes and of adds', some mostly deleted), the
    merges planned together are the first ones made one by one, in that order; a merge of a
    result, or one chosen only were that result's id another, waits for the next round."""
    from searchkit.indexing.merge import SegmentSize, planned_merges

    rng = random.Random(20261207)
    together = waited = 0
    for _ in range(400):
        sizes = []
        for _ in range(rng.randint(1, 40)):
            live = rng.choice([1, 1, 2, 5, 10, 10, 41, 2000, 7860, 8320])
            deleted = rng.choice([0, 0, 0, 0, live, live * 2])
            sizes.append(SegmentSize(f"{rng.getrandbits(80):020x}", live, deleted))
        made, planned = _made_one_by_one(sizes, random.Random(rng.random())), planned_merges(sizes)
        assert planned == made[:len(planned)]
        assert bool(planned) == bool(made)
        together += len(planned) > 1
        waited += len(planned) < len(made)
    assert together > 50 and waited > 50  # both kinds met


def test_a_merge_chosen_only_for_its_results_id_waits():
    """Twelve segments of ten articles and two results of ten: which ten of the fourteen merge
    depends on the results' ids, unknown until they are written: planned after them."""
    from searchkit.indexing.merge import SegmentSize, planned_merges

    sizes = [SegmentSize(f"one{i:02}", 1) for i in range(20)] + [SegmentSize(f"ten{i:02}", 10) for i in range(12)]
    planned = planned_merges(sizes)
    assert planned == [[f"one{i:02}" for i in range(10)], [f"one{i:02}" for i in range(10, 20)]]


def _unmerged(root, monkeypatch, segments: int, size: int):
    """An index of about `segments` segments of about `size` coded articles (batches are cut
    by bytes too), none merged yet: a first build whose batches were not grown and whose merges
    were left for the next sync. Returns its folder and {id: code}."""
    from searchkit.indexing import sync

    with monkeypatch.context() as patched:
        patched.setattr(sync, "_scaled_batch_size", lambda requested, articles, workers=1: requested)
        patched.setattr(sync, "merge_by_policy", lambda *args: 0)
        coded = write_coded(root / "base.jsonl", 0, segments * size)
        engine = SearchEngine(root / "index")
        engine.index([root / "base.jsonl"], batch_size=size, workers=1)
    assert segment_count(engine) >= segments - 3
    return engine.path, coded


def _laid_out(index_dir) -> tuple[list[int], list[str]]:
    """Each segment's article count, in order, and every article's id in doc-number order."""
    from searchkit.indexing.adapter import index_segments
    from searchkit.indexing.store import open_index

    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        ids = [searcher.stored_fields(n)["id"] for n in range(searcher.doc_count_all())]
    return [s.doc_count() for s in index_segments(ix)], ids


def test_merges_written_at_once_leave_the_index_that_merging_one_by_one_leaves(tmp_path, monkeypatch):
    """About 24 segments of five articles: a sync with two workers writes its two merges of ten
    at once, in two processes, and commits them in turn; the same segments, articles and
    article order as one worker merging one by one, and every article found once by its code."""
    from searchkit.indexing import merge

    index, coded = _unmerged(tmp_path, monkeypatch, 24, 5)
    apart = tmp_path / "apart"
    shutil.copytree(index, apart)
    calls = []
    monkeypatch.setattr(merge, "MERGE_APART_ARTICLES", 1)  # a first build's merges are of thousands
    written_apart = merge._written_apart
    monkeypatch.setattr(merge, "_written_apart", lambda *args: calls.append(args[1]) or written_apart(*args))
    SearchEngine(index).index([tmp_path / "base.jsonl"], workers=1)  # nothing new: the merges only
    SearchEngine(apart).index([tmp_path / "base.jsonl"], workers=2)
    assert len(calls) == 1 and len(calls[0]) == 2  # one round of two merges, written apart
    assert _laid_out(apart) == _laid_out(index)
    assert len(_laid_out(apart)[0]) <= MAX_SEGMENTS and sorted(_laid_out(apart)[1]) == sorted(coded)
    assert_each_article_once(apart, coded)
    assert SearchEngine(apart).check()["problems"] == []
    query = "Mã tra cứu trạm BTS"
    assert [h.id for h in SearchEngine(apart).search(query, limit=30).hits] == \
        [h.id for h in SearchEngine(index).search(query, limit=30).hits]


def test_a_damaged_segment_stops_the_merges_written_with_it_and_leaves_nothing_behind(tmp_path, monkeypatch):
    """One segment of the second of two merges written at once is damaged: merging fails
    naming its file, neither merge is committed, and the folder the first one wrote is gone."""
    from searchkit.errors import IndexDamagedError
    from searchkit.indexing import merge
    from searchkit.indexing.merge import merge_by_policy, planned_merges, segment_sizes
    from searchkit.indexing.segments import BATCH_PREFIX
    from searchkit.indexing.store import open_index

    index, _ = _unmerged(tmp_path, monkeypatch, 24, 5)
    planned = planned_merges(segment_sizes(open_index(index)))
    before, second = segment_count(SearchEngine(index)), planned[1]
    damaged = next(index.glob(f"*{second[0]}.skp"))
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    monkeypatch.setattr(merge, "MERGE_APART_ARTICLES", 1)
    with pytest.raises(IndexDamagedError) as raised:  # the merges alone: no sweep after them
        merge_by_policy(open_index(index), index, workers=2)
    assert second[0] in str(raised.value)
    assert not [p for p in os.listdir(index) if p.startswith(BATCH_PREFIX)]
    assert segment_count(SearchEngine(index)) == before


def test_merges_of_a_few_articles_are_made_one_by_one_whatever_the_workers(tmp_path, monkeypatch):
    """Merges of fewer than MERGE_APART_ARTICLES articles in all (an add's) are not worth a
    process each: made in turn by the writer, with the same result."""
    from searchkit.indexing import merge

    index, coded = _unmerged(tmp_path, monkeypatch, 24, 5)
    monkeypatch.setattr(merge, "_written_apart", lambda *args: pytest.fail("merged apart"))
    SearchEngine(index).index([tmp_path / "base.jsonl"], workers=2)
    assert segment_count(SearchEngine(index)) <= MAX_SEGMENTS
    assert_each_article_once(index, coded)


@pytest.mark.parametrize("available, at_once", [(None, 1), (10, 1), (10**12, 2)])
def test_merges_are_written_at_once_only_as_many_as_the_memory_holds(tmp_path, monkeypatch, available, at_once):
    """Memory unknown, or too little for two merges at their peak: one by one, the same index;
    enough: two at once."""
    from searchkit.indexing import merge

    index, coded = _unmerged(tmp_path, monkeypatch, 24, 5)
    monkeypatch.setattr(merge, "MERGE_APART_ARTICLES", 1)
    monkeypatch.setattr(merge, "memory_available", lambda: available)
    calls, written_apart = [], merge._written_apart
    monkeypatch.setattr(merge, "_written_apart", lambda *args: calls.append(args[2]) or written_apart(*args))
    SearchEngine(index).index([tmp_path / "base.jsonl"], workers=4)
    assert calls == ([] if at_once == 1 else [at_once])
    assert segment_count(SearchEngine(index)) <= MAX_SEGMENTS
    assert_each_article_once(index, coded)


def test_the_memory_available_is_read_where_the_system_tells_it():
    from searchkit.indexing.merge import memory_available

    found = memory_available()
    assert found is None or found > 0
    if os.path.exists("/proc/meminfo"):
        assert found is not None


MERGES_APART = """
import sys
from searchkit import SearchEngine
from searchkit.indexing import merge
merge.MERGE_APART_ARTICLES = 1  # this index's merges are of a few articles: written apart all the same
SearchEngine(sys.argv[1]).index([sys.argv[2]], workers=2)
"""


def _running(name: str) -> bool:
    """Whether a process whose command line holds `name` is running (read from /proc)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if name.encode() in cmdline.read():
                    return True
        except OSError:  # ended meanwhile
            continue
    return False


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.3])
def test_kill_9_while_merges_are_written_at_once_keeps_every_article_once(tmp_path, monkeypatch, delay):
    """A writer merging two groups at once is killed with SIGKILL (at bounded moments after its
    processes start writing): the processes writing the merges die with it, the index opens
    with every article exactly once, and the next sync sweeps what they wrote and merges."""
    from tests.conftest import ROOT

    index, coded = _unmerged(tmp_path, monkeypatch, 24, 5)
    script = tmp_path / f"merges-apart-{int(delay * 1000)}.py"
    script.write_text(MERGES_APART, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(index), str(tmp_path / "base.jsonl")], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    was_killed = kill_while_merging(process, index, delay)
    assert was_killed or process.returncode == 0, process.stderr.read().decode()
    deadline = time.monotonic() + 20
    while _running(script.name):
        assert time.monotonic() < deadline, "a process writing a merge outlived its killed writer"
        time.sleep(0.05)
    assert_each_article_once(index, coded)
    SearchEngine(index).index([tmp_path / "base.jsonl"], workers=1)  # the next writer sweeps, then merges
    assert not list(index.glob(".batch-*"))
    assert segment_count(SearchEngine(index)) <= MAX_SEGMENTS
    assert_each_article_once(index, coded)
    assert SearchEngine(index).check()["problems"] == []


def _second_merge_killed(index_dir: str, segment_ids: list[str]):
    """`merge._merged_apart`, but the process writing the merge holding `MARKED` is killed."""
    from pathlib import Path

    from searchkit.indexing.merge import write_merged
    from searchkit.indexing.store import open_index

    if MARKED[0] in segment_ids:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer does
    return write_merged(open_index(index_dir), Path(index_dir), segment_ids)


MARKED: list[str] = []


def test_a_merge_process_killed_fails_the_merges_instead_of_waiting_for_ever(tmp_path, monkeypatch):
    """The process writing the second of two merges is killed (out of memory, say): merging
    fails at once, commits nothing and leaves no folder behind."""
    from concurrent.futures.process import BrokenProcessPool

    from searchkit.indexing import merge
    from searchkit.indexing.merge import merge_by_policy, planned_merges, segment_sizes
    from searchkit.indexing.store import open_index

    index, coded = _unmerged(tmp_path, monkeypatch, 24, 5)
    before = segment_count(SearchEngine(index))
    monkeypatch.setattr(merge, "MERGE_APART_ARTICLES", 1)
    monkeypatch.setattr(merge, "_merged_apart", _second_merge_killed)
    monkeypatch.setattr(sys.modules[__name__], "MARKED", [planned_merges(segment_sizes(open_index(index)))[1][0]])
    with pytest.raises(BrokenProcessPool):
        merge_by_policy(open_index(index), index, workers=2)
    assert not [p for p in os.listdir(index) if p.startswith(".batch-")]
    assert segment_count(SearchEngine(index)) == before
    assert_each_article_once(index, coded)


def test_a_sync_whose_merge_process_is_killed_merges_one_by_one_and_ends_as_it_would(tmp_path, monkeypatch):
    """The same killed process in a sync: its merges are made again one by one in the writer,
    the sync reports no error, and the index is the one merging one by one leaves."""
    from searchkit.indexing import merge
    from searchkit.indexing.merge import planned_merges, segment_sizes
    from searchkit.indexing.store import open_index

    index, coded = _unmerged(tmp_path, monkeypatch, 24, 5)
    one_by_one = tmp_path / "one-by-one"
    shutil.copytree(index, one_by_one)
    SearchEngine(one_by_one).index([tmp_path / "base.jsonl"], workers=1)
    monkeypatch.setattr(merge, "MERGE_APART_ARTICLES", 1)
    monkeypatch.setattr(merge, "_merged_apart", _second_merge_killed)
    monkeypatch.setattr(sys.modules[__name__], "MARKED", [planned_merges(segment_sizes(open_index(index)))[1][0]])
    report = SearchEngine(index).index([tmp_path / "base.jsonl"], workers=2)
    assert report.unchanged == len(coded) and report.skipped == ()
    assert not [p for p in os.listdir(index) if p.startswith(".batch-")]
    assert _laid_out(index) == _laid_out(one_by_one)
    assert_each_article_once(index, coded)
    assert SearchEngine(index).check()["problems"] == []


def _stored_by_id(index_dir) -> dict[str, dict]:
    from searchkit.indexing.store import open_index

    with open_index(index_dir).reader() as reader:
        return {fields["id"]: fields for fields in reader.all_stored_fields()}  # live articles only


def test_a_merge_copies_each_articles_stored_fields_as_its_segment_held_them(tmp_path, monkeypatch):
    """Sixty articles with every kind of metadata, in six segments, a few removed since:
    `optimize` copies each live article's stored fields into the merged segment as they were
    (not pickled and compressed again); each reads back the same, and the merged stored-fields
    file is byte for byte the one pickling and compressing them again would write."""
    from searchkit.indexing.adapter import leaf_segment_id, segment_leaves, stored_bytes, write_stored_segment
    from searchkit.indexing.schema import document
    from searchkit.indexing.store import open_index
    from searchkit.models import Article

    write_jsonl_corpus(tmp_path / "plain.jsonl", 60)
    records = [json.loads(line) for line in (tmp_path / "plain.jsonl").read_text(encoding="utf-8").splitlines()]
    for i, record in enumerate(records):
        record.update(date=f"2024-0{1 + i % 9}-1{i % 10}", source=["Mic.gov.vn", "VnExpress", "Báo Đắk Nông"][i % 3],
                      category=["Viễn thông", "Chuyển đổi số"][i % 2], url=f"https://mic.gov.vn/bai-{i}.htm",
                      author=["Minh Hòa", "Thùy Dung"][i % 2], tags=[["5G", "trạm BTS"], ["CNTT"], []][i % 3])
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus], batch_size=10, workers=1)
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for i, r in enumerate(records) if i % 7 != 3),
                      encoding="utf-8")
    engine.index([corpus], workers=1)  # nine removed: deletions in five segments
    before = _stored_by_id(engine.path)
    assert len(before) == 51 and segment_count(engine) >= 6
    assert {"tags", "date", "author", "url", "category", "source"} <= set(before["bai-00000"])

    from whoosh.columns import CompressedBytesColumn

    compressed = []
    compress = CompressedBytesColumn.Writer.add
    monkeypatch.setattr(CompressedBytesColumn.Writer, "add", lambda *args: compressed.append(1) or compress(*args))
    assert engine.optimize() == 51
    assert compressed == []  # copied, not compressed again
    monkeypatch.undo()
    assert _stored_by_id(engine.path) == before
    with open_index(engine.path).reader() as reader:
        ((leaf, _),) = segment_leaves(reader)
        merged = next(engine.path.glob(f"{leaf_segment_id(leaf)}._stored.col")).read_bytes()
        (tmp_path / "again").mkdir()
        again = write_stored_segment(str(tmp_path / "again"), (document(Article.from_stored(leaf.stored_fields(n)))
                                                               for n in range(leaf.doc_count_all())))
        assert len(stored_bytes(leaf)[1]) == 51
    assert (tmp_path / "again" / f"{again.segment_id()}._stored.col").read_bytes() == merged


def test_a_merge_whose_postings_fail_beside_its_stored_fields_leaves_nothing_behind(tmp_path, monkeypatch):
    """The postings file is written in a thread beside Whoosh's files: when it fails (a full
    disk), the error is the merge's, nothing is committed, and the folder is gone once the
    other thread is done with it."""
    import errno

    from searchkit import StorageError
    from searchkit.indexing import postings
    from searchkit.indexing.segments import BATCH_PREFIX

    engine = segmented_engine(tmp_path, 60, batch_size=10)
    before = segment_count(engine)

    def full(path, *args):
        open(path, "wb").close()  # begun, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(postings, "merge_postings", full)
    with pytest.raises(StorageError):
        engine.optimize()
    monkeypatch.undo()
    assert not [p for p in os.listdir(engine.path) if p.startswith(BATCH_PREFIX)]
    assert segment_count(SearchEngine(engine.path)) == before
    assert SearchEngine(engine.path).check()["problems"] == []
    assert engine.optimize() == 60
