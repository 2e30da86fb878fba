"""The benchmarks' memory sampler (`bench/common.py`): it finds a build's whole process tree
and reads its memory cheaply, so that sampling it every 50 ms does not slow the build it
measures (reading every process's page tables each time took a tenth of a 2-core build)."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")

# a parent that forks a child holding 64 MB, as `searchkit index` forks its workers
_FORKING = """
import os, sys, time
child = os.fork()
if child == 0:
    held = b"x" * (64 << 20)  # written: resident
    print(os.getpid(), flush=True)
    time.sleep(60)
    os._exit(0)
time.sleep(60)
"""


def _common():
    """bench/common.py as a module (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "bench" / "common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _resident(pid: int) -> int:
    """The bytes a process holds in memory, from its /proc status (not as the sampler reads it)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) * 1024


@pytest.fixture
def forked():
    """(parent pid, child pid) of a running parent and its forked child, both stopped after."""
    proc = subprocess.Popen([sys.executable, "-c", _FORKING], stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    try:
        yield proc.pid, child
    finally:
        for pid in (child, proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=10)
        proc.stdout.close()


def test_a_process_tree_is_found_from_its_children_lists_as_a_scan_of_every_process_finds_it(forked):
    common = _common()
    parent, child = forked
    assert common._tree(parent) == [parent, child]
    assert sorted(common._tree_by_scan(parent)) == [parent, child]
    assert common._tree_by_scan(parent) == [parent, child]  # the same order: a kernel without children lists
    assert common._tree(child) == [child]


def test_the_tree_s_resident_memory_counts_the_child_s_and_its_proportional_share_only_when_asked(forked):
    common = _common()
    parent, child = forked
    rss, pss = common._tree_memory_bytes(parent)
    assert abs(rss - _resident(parent) - _resident(child)) < 1 << 20  # as the kernel's status says
    assert rss >= 64 << 20  # the child's 64 MB, written: resident
    assert 64 << 20 <= pss <= rss
    cheap_rss, no_pss = common._tree_memory_bytes(parent, with_pss=False)
    assert no_pss == 0 and abs(cheap_rss - rss) < 8 << 20


def test_a_process_that_has_ended_has_no_tree_and_no_memory(forked):
    common = _common()
    parent, child = forked
    os.kill(child, signal.SIGKILL)
    os.kill(parent, signal.SIGKILL)
    os.waitpid(parent, 0)
    assert common._tree(parent) == []
    assert common._tree_memory_bytes(parent) == (0, 0)
