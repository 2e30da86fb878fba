"""Platforms without fcntl or fork: the lock, the workers' start method, the stated Python range."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from searchkit import SearchkitError
from searchkit.indexing import segments
from tests.conftest import CORPUS, ROOT

# A Windows-like interpreter on this machine: no fcntl, and an msvcrt whose `locking` takes the
# lock as Windows would (one byte from the current position, EACCES when held elsewhere). It is
# built on the real fcntl, imported before it is hidden, so two processes really exclude each other.
# (subprocess takes any msvcrt for Windows: it, and what imports it, is imported first.)
WITHOUT_FCNTL = textwrap.dedent("""
    import asyncio, errno, fcntl as _real, multiprocessing.pool, subprocess, sys, types
    msvcrt = types.ModuleType("msvcrt")
    msvcrt.LK_NBLCK, msvcrt.LK_UNLCK = 2, 0
    msvcrt.calls = []
    def locking(fd, mode, nbytes, _real=_real):
        msvcrt.calls.append(mode)
        try:
            _real.lockf(fd, _real.LOCK_EX | _real.LOCK_NB if mode == msvcrt.LK_NBLCK else _real.LOCK_UN, nbytes)
        except BlockingIOError:
            raise PermissionError(errno.EACCES, "locked") from None
    msvcrt.locking = locking
    sys.modules["msvcrt"] = msvcrt if HAS_MSVCRT else None
    sys.modules["fcntl"] = None
    del _real
""")

INDEX_AND_SEARCH = textwrap.dedent("""
    import json, multiprocessing
    import searchkit
    from searchkit import SearchEngine
    from searchkit.indexing import segments

    started, real = [], multiprocessing.get_context
    def spied(method=None):
        started.append(method)
        return real(method)
    segments.multiprocessing.get_context = spied

    engine = SearchEngine(sys.argv[1])
    # batch_size=2: a first build of the five seeds goes to two worker processes
    report = engine.index([sys.argv[2]], batch_size=2, workers=2)
    hits = [hit.id for hit in SearchEngine(sys.argv[1]).search("Điện Biên").hits]
    print(json.dumps({"added": report.added, "skipped": len(report.skipped), "started": started,
                      "hits": hits, "msvcrt": msvcrt.calls, "fcntl": sys.modules["fcntl"] is None}))
""")


def run_python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **env})


def test_without_fcntl_the_seeds_are_indexed_by_spawned_workers_and_found(tmp_path):
    """What Windows has: no fcntl, no fork. `import searchkit` works, the lock is msvcrt's."""
    code = "HAS_MSVCRT = True\n" + WITHOUT_FCNTL + INDEX_AND_SEARCH
    done = run_python(code, str(tmp_path / "index"), str(CORPUS), SEARCHKIT_START_METHOD="spawn")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert (result["added"], result["skipped"], result["started"]) == (5, 0, ["spawn"])
    assert result["hits"][0] == "004_18419e47d282bcbb"  # 'Điện Biên': the article from Điện Biên first
    assert result["fcntl"] and result["msvcrt"][:1] == [2]  # locked through msvcrt, never fcntl
    assert result["msvcrt"].count(0) == result["msvcrt"].count(2)  # each lock released


def test_the_msvcrt_lock_keeps_a_second_writer_out(tmp_path):
    (tmp_path / "index").mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "HAS_MSVCRT = True\n" + WITHOUT_FCNTL + textwrap.dedent("""
            from searchkit.indexing.store import writer_lock
            with writer_lock(__import__("pathlib").Path(sys.argv[1])):
                print("held", flush=True)
                sys.stdin.readline()
        """), str(tmp_path / "index")], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code = "HAS_MSVCRT = True\n" + WITHOUT_FCNTL + textwrap.dedent("""
            from searchkit import IndexBusyError, SearchEngine
            try:
                SearchEngine(sys.argv[1]).index([sys.argv[2]])
            except IndexBusyError as error:
                print("busy:", error)
        """)
        done = run_python(code, str(tmp_path / "index"), str(CORPUS))
        assert "busy: the index at" in done.stdout, done.stderr
    finally:
        holder.communicate("\n", timeout=60)


def test_without_any_lock_searching_works_and_indexing_says_why_it_cannot(tmp_path, sample_engine):
    code = "HAS_MSVCRT = False\n" + WITHOUT_FCNTL + textwrap.dedent("""
        from searchkit import SearchEngine, StorageError
        print(SearchEngine(sys.argv[1]).search("trạm BTS dak nong").total)
        try:
            SearchEngine(sys.argv[3]).index([sys.argv[2]])
        except StorageError as error:
            print("refused:", error)
    """)
    done = run_python(code, str(sample_engine.path), str(CORPUS), str(tmp_path / "index"))
    assert done.returncode == 0, done.stderr
    total, refused = done.stdout.splitlines()[-2:]
    assert int(total) >= 1
    assert refused.startswith("refused: cannot lock the index") and "neither fcntl" in refused


@pytest.mark.parametrize("platform, methods, expected", [
    ("linux", ["fork", "spawn", "forkserver"], "fork"),
    ("darwin", ["fork", "spawn", "forkserver"], "spawn"),  # fork is there, but unsafe with macOS's libraries
    ("win32", ["spawn"], "spawn"),
    ("linux", ["spawn"], "spawn"),  # a Linux Python built without fork
])
def test_fork_only_on_linux_where_it_exists(monkeypatch, platform, methods, expected):
    monkeypatch.delenv(segments.START_METHOD_ENV, raising=False)
    monkeypatch.setattr(segments.sys, "platform", platform)
    monkeypatch.setattr(segments.multiprocessing, "get_all_start_methods", lambda: methods)
    assert segments.start_method() == expected


def test_the_start_method_can_be_forced_and_a_wrong_one_is_named(monkeypatch):
    monkeypatch.setenv(segments.START_METHOD_ENV, " Spawn ")
    assert segments.start_method() == "spawn"
    monkeypatch.setenv(segments.START_METHOD_ENV, "thread")
    with pytest.raises(SearchkitError, match=r"SEARCHKIT_START_METHOD='thread' is not a start method") as caught:
        segments.start_method()
    assert caught.value.exit_code == 2 and "spawn" in str(caught.value)


def test_the_readme_states_the_python_range_that_pyproject_requires():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    required = re.search(r'^requires-python = ">=3\.(\d+)"$', pyproject, re.MULTILINE)
    stated = re.search(r"Python 3\.(\d+)\+", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert required and stated and required.group(1) == stated.group(1)
    assert sys.version_info >= (3, int(required.group(1)))
    assert re.search(r'^license = "MIT"$', pyproject, re.MULTILINE)
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
