"""A full disk, a file-size limit, a killed run and a damaged index: a StorageError (exit 5)
or IndexDamagedError (exit 3) that says what to do, the last commit intact, and nothing left
behind that the next run does not sweep."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import IndexDamagedError, IndexNotFoundError, SearchEngine, StorageError
from searchkit.cli import main
from searchkit.indexing.store import open_index
from tests.conftest import CORPUS, ROOT, batch_ends, write_jsonl_corpus


def leftovers(index_dir: Path) -> list[str]:
    """Files a finished run must not leave: batch folders, temporary tables of contents,
    segment files that the current table of contents does not name."""
    current = {segment.segment_id() for segment in open_index(index_dir)._segments()}
    found = []
    for name in os.listdir(index_dir):
        segment = re.match(r"(MAIN_[0-9a-z]+)\.", name)
        if name.startswith(".batch-") or re.match(r"_MAIN_\d+\.toc\.", name) or name.endswith(".tmp") \
                or (segment and segment.group(1) not in current):
            found.append(name)
    return found


@pytest.fixture
def small_disk(tmp_path):
    """A 1.5 MB tmpfs, unmounted at the end whatever happens."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root); "
                    "test_a_file_size_limit_is_a_storage_error covers the same path without it")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"running as root, but this machine refuses to mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_full_disk_keeps_the_last_commit_sweeps_the_rest_and_a_rerun_finishes(small_disk, tmp_path, workers):
    news = tmp_path / "news.jsonl"
    ids = write_jsonl_corpus(news, 400)  # about 4 MB of index: more than the disk holds
    index_dir = small_disk / "index"
    engine = SearchEngine(index_dir)
    assert engine.index([CORPUS]).total == 5

    with pytest.raises(StorageError, match="no space left on the disk") as raised:
        engine.index([CORPUS, news], batch_size=100, workers=workers)
    message = str(raised.value)
    assert re.search(r"[\d.]+ (bytes|KB|MB) free there", message) and "run the same command again" in message
    assert raised.value.exit_code == 5
    assert leftovers(index_dir) == []
    committed = engine.count()
    ends = batch_ends([CORPUS, news], [news], 100, workers)  # batches of equal bytes, 4 of them
    assert len(ends) == 4 and max(ends) == 400
    assert committed - 5 in {0} | ends and committed < 405  # whole batches only
    assert "003_968839511eb7d5a3" in {hit.id for hit in engine.search("Đắk Nông", limit=100)}

    result = CliRunner().invoke(main, ["index", str(CORPUS), str(news), "--index", str(index_dir)])
    assert result.exit_code == 5 and "no space left on the disk" in result.stderr
    assert leftovers(index_dir) == []
    committed_again = engine.count()  # the rerun may fit one more batch in what was swept
    assert committed <= committed_again < 405

    subprocess.run(["mount", "-o", "remount,size=32m", str(small_disk)], check=True)
    report = engine.index([CORPUS, news], batch_size=100, workers=workers)
    assert report.total == 405 and report.unchanged == committed_again and leftovers(index_dir) == []
    assert CliRunner().invoke(main, ["check", "--index", str(index_dir)]).exit_code == 0
    assert {hit.id for hit in engine.search("bài số 399")}  >= {ids[399]}


def test_a_file_size_limit_is_a_storage_error(tmp_path):
    """Without root: RLIMIT_FSIZE makes the workers' writes fail (EFBIG) as a full disk would."""
    news = tmp_path / "news.jsonl"
    write_jsonl_corpus(news, 400)
    index_dir = tmp_path / "index"
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024)); "
            "from searchkit.cli import main; sys.argv[0] = 'searchkit'; main()")
    result = subprocess.run([sys.executable, "-c", code, "index", str(news), "--index", str(index_dir)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 5, result.stderr
    assert "a file grew larger than the system allows" in result.stderr and "Traceback" not in result.stderr
    assert leftovers(index_dir) == []
    assert SearchEngine(index_dir).index([news]).total == 400  # no limit now: the rerun finishes


def test_what_a_killed_run_left_is_swept_by_the_next_run_even_with_nothing_to_do(tmp_path):
    engine = SearchEngine(tmp_path / "index")
    engine.index([CORPUS])
    index_dir = engine.path
    (index_dir / ".batch-x1y2").mkdir()
    (index_dir / ".batch-x1y2" / "MAIN_abc.seg").write_bytes(b"\0" * 1000)
    (index_dir / "_MAIN_99.toc.1732961234.56").write_bytes(b"half a table of contents")
    (index_dir / "MAIN_zzzzzzzzzzzzzzzz.seg").write_bytes(b"\0" * 1000)  # moved in, never committed
    (index_dir / "MAIN_zzzzzzzzzzzzzzzz.skp").write_bytes(b"\0" * 100)
    (index_dir / ".searchkit.json.tmp").write_text("{", encoding="utf-8")
    assert len(leftovers(index_dir)) == 5
    report = engine.index([CORPUS])
    assert (report.unchanged, report.total) == (5, 5)
    assert leftovers(index_dir) == []
    assert engine.search("trạm BTS").total == 3


def test_a_lost_table_of_contents_is_a_damaged_index_not_one_being_created(tmp_path):
    engine = SearchEngine(tmp_path / "index")
    engine.index([CORPUS])
    for toc in engine.path.glob("_MAIN_*.toc"):
        toc.unlink()
    os.utime(engine.path / "searchkit.json")  # just written: the index may be being created
    with pytest.raises(IndexNotFoundError, match="being created"):  # a fresh marker: maybe it is
        SearchEngine(engine.path).search("trạm")
    old = time.time() - 3600
    os.utime(engine.path / "searchkit.json", (old, old))
    with pytest.raises(IndexDamagedError, match="lost its table of contents .* rebuild it with: searchkit index --rebuild"):
        SearchEngine(engine.path).search("trạm")
    result = CliRunner().invoke(main, ["query", "trạm", "--index", str(engine.path)])
    assert result.exit_code == 3 and "damaged" in result.output
    assert SearchEngine(engine.path).index([CORPUS], rebuild=True).total == 5


def test_an_unwritable_index_folder_is_a_storage_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the full-disk tests cover StorageError")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(StorageError, match="permission denied"):
            SearchEngine(folder / "index").index([CORPUS])
    finally:
        folder.chmod(0o755)
