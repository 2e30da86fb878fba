"""Durable commits and true messages (issue 18): every commit puts its new files and their
folder on the disk before its rename and the folder again after it (a power cut, not only a
kill, leaves the old commit or the new one); a full disk says how many batches stay
committed; a damaged marker says it is damaged."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import IndexDamagedError, SearchEngine, StorageError
from searchkit.cli import main
from searchkit.indexing import durable
from tests.conftest import CORPUS, write_jsonl_corpus
from tests.test_storage import leftovers, small_disk  # noqa: F401 - the fixture, shared

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names open files through /proc (Linux)")

#: What a commit renames into place: the table of contents, the manifest, the marker, the caches.
COMMITTED = re.compile(r"^(_MAIN_\d+\.toc|manifest-\d+\.json|searchkit\.json|suggest-\d+\.arrays|pairs-\d+\.arrays)$")


@pytest.fixture
def disk_events(monkeypatch):
    """Every fsync (by the path its descriptor names) and rename, in order."""
    events: list[tuple[str, str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{descriptor}"), ""))
        return real_fsync(descriptor)

    def replace(source, target, **kwargs):
        real_replace(source, target, **kwargs)
        events.append(("rename", os.fspath(source), os.fspath(target)))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return events


def check_commits(events, folder: Path) -> int:
    """Each rename that commits: the files moved in since the last commit and the temporary
    file synced before it, the folder synced last before it and first after it. Returns how
    many table-of-contents commits were seen."""
    folder, tables, moved = str(folder), 0, []
    for at, (kind, source, target) in enumerate(events):
        if kind != "rename":
            continue
        if Path(source).parent.name.startswith(".batch-"):
            if Path(target).parent == Path(folder):  # a segment's file moved into the index
                moved.append((at, target))
            continue  # (or named within its batch folder: a merge's postings, once its segment's id is known)
        if Path(target).parent != Path(folder) or not COMMITTED.match(Path(target).name):
            continue
        synced_before = [path for kind_, path, _ in events[:at] if kind_ == "fsync"]
        assert synced_before[-1] == folder, f"the folder is not synced right before {target}"
        assert source in synced_before, f"{source} is renamed to {target} without being synced"
        assert events[at + 1] == ("fsync", folder, ""), f"the folder is not synced right after {target}"
        if target.endswith(".toc"):
            tables += 1
            for moved_at, path in moved:
                assert ("fsync", path, "") in events[moved_at:at], f"{path} is committed without being synced"
            moved = []
    assert not moved, "segment files were moved in but no commit followed"
    return tables


def test_every_commit_syncs_its_files_and_folder_around_the_rename(tmp_path, disk_events):
    engine = SearchEngine(tmp_path / "index")
    engine.index([CORPUS], workers=1)
    assert check_commits(disk_events, engine.path) >= 1
    names = {Path(target).name for kind, _, target in disk_events if kind == "rename"}
    assert {"searchkit.json", "manifest-1.json"} <= names and any(n.startswith("suggest-") for n in names)

    disk_events.clear()
    article = tmp_path / "moi.txt"
    article.write_text("Đắk Nông: Cáp quang về xã vùng sâu\n\nViễn thông Đắk Nông kéo cáp quang đến 20 xã.",
                       encoding="utf-8")
    engine.index([article], remove_missing=False, workers=1)  # an `add`: one batch, one commit
    assert check_commits(disk_events, engine.path) == 1
    segment_files = [target for kind, _, target in disk_events if kind == "rename" and ".batch-" not in target
                     and re.match(r"MAIN_\w+\.", Path(target).name)]
    assert segment_files and all(("fsync", path, "") in disk_events for path in segment_files)
    assert engine.search("cáp quang vùng sâu").hits[0].id == "moi"


def test_a_merge_and_optimize_commit_durably_too(tmp_path, disk_events):
    news = tmp_path / "news.jsonl"
    write_jsonl_corpus(news, 60)
    engine = SearchEngine(tmp_path / "index")
    engine.index([news], batch_size=20, workers=1)
    disk_events.clear()
    engine.optimize()
    assert check_commits(disk_events, engine.path) == 1
    assert engine.count() == 60


def test_commit_rename_syncs_files_then_folder_renames_then_folder(tmp_path, disk_events):
    (tmp_path / "MAIN_x.seg").write_text("Hà Nội", encoding="utf-8")
    (tmp_path / ".toc.tmp").write_text("mục lục", encoding="utf-8")
    durable.commit_rename(tmp_path / ".toc.tmp", tmp_path / "toc", [tmp_path / "MAIN_x.seg"])
    folder = str(tmp_path)
    assert disk_events == [("fsync", f"{folder}/MAIN_x.seg", ""), ("fsync", f"{folder}/.toc.tmp", ""),
                           ("fsync", folder, ""), ("rename", f"{folder}/.toc.tmp", f"{folder}/toc"),
                           ("fsync", folder, "")]
    assert (tmp_path / "toc").read_text("utf-8") == "mục lục"


def test_a_folder_that_cannot_be_synced_is_not_an_error(tmp_path, monkeypatch):
    """Some network and FUSE file systems refuse to fsync a folder (EINVAL)."""
    real_fsync = os.fsync

    def refusing(descriptor):
        if os.path.isdir(os.readlink(f"/proc/self/fd/{descriptor}")):
            raise OSError(22, "Invalid argument")
        return real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", refusing)
    (tmp_path / ".a.tmp").write_text("Huế", encoding="utf-8")
    durable.commit_rename(tmp_path / ".a.tmp", tmp_path / "a")
    assert (tmp_path / "a").read_text("utf-8") == "Huế"


def test_a_full_disk_says_which_batches_stay_committed(small_disk, tmp_path):  # noqa: F811
    news = tmp_path / "news.jsonl"
    write_jsonl_corpus(news, 400)
    index_dir = small_disk / "index"
    engine = SearchEngine(index_dir)
    engine.index([CORPUS])
    with pytest.raises(StorageError) as raised:
        engine.index([CORPUS, news], batch_size=100, workers=1)
    message, committed = str(raised.value), engine.count() - 5
    assert committed > 0, "the disk held no batch: make it larger"
    batches = committed // 100
    kept = "The batch" if batches == 1 else f"The {batches} batches"
    assert f"{kept} this run committed before ({committed} articles) stay in the index; what it wrote after " \
           "them was removed; make room (or fix the disk) and run the same command again, which resumes after " \
           "them" in message
    assert "The index keeps its last commit" not in message and leftovers(index_dir) == []


def test_a_full_disk_before_any_batch_says_the_index_keeps_its_last_commit(small_disk, tmp_path):  # noqa: F811
    news = tmp_path / "news.jsonl"
    write_jsonl_corpus(news, 400)
    engine = SearchEngine(small_disk / "index")
    engine.index([CORPUS])
    with pytest.raises(StorageError) as raised:
        engine.index([news], batch_size=400, workers=1, remove_missing=False)  # one batch: too large for the disk
    assert "The index keeps its last commit and what this run had written was removed" in str(raised.value)
    assert "batches this run committed" not in str(raised.value) and engine.count() == 5


@pytest.mark.parametrize("marker", ["", "{", '{"format": "searchkit"}', "\x00\x00\x00"])
def test_a_damaged_marker_says_it_is_damaged(tmp_path, marker):
    engine = SearchEngine(tmp_path / "index")
    engine.index([CORPUS])
    (engine.path / "searchkit.json").write_text(marker, encoding="utf-8")
    with pytest.raises(IndexDamagedError) as raised:
        SearchEngine(engine.path).search("trạm BTS")
    message = str(raised.value)
    assert "searchkit.json is damaged or unreadable" in message and "None" not in message
    assert "searchkit index --rebuild" in message
    result = CliRunner().invoke(main, ["query", "trạm BTS", "--index", str(engine.path)])
    assert result.exit_code == 3 and "None" not in result.output
    assert SearchEngine(engine.path).index([CORPUS], rebuild=True).total == 5
