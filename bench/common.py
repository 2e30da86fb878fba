"""Shared helpers for the bench scripts: paths, corpus reading, timing, subprocess runs, tables.

Nothing here asserts on timings: the scripts measure and print, a person reads.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "corpus.jsonl"
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "searchkit-bench"
RESULT_MARKER = "BENCH_RESULT "
MB = 1024 * 1024

# Make `import searchkit` and `import peers` work however the script is started. A checkout
# already on the path keeps its place: a tool that measures another one (a `git worktree` of the
# commit before) puts it first, and this checkout's searchkit must not take over.
if not any((Path(_p) / "searchkit" / "__init__.py").is_file() and (Path(_p) / "bench").is_dir()
           for _p in sys.path if _p):
    sys.path.insert(0, str(REPO_ROOT))
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))


# --------------------------------------------------------------------------- arguments


def base_parser(description: str) -> argparse.ArgumentParser:
    """The options every bench script shares."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"JSONL corpus (default: {DEFAULT_CORPUS})")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where indexes and scratch files go, outside the repo (default: {DEFAULT_WORKDIR})")
    return parser


def check_workdir(workdir: Path) -> Path:
    """Create the workdir, refusing a place inside the repository (data must never land there)."""
    workdir = workdir.resolve()
    if workdir == REPO_ROOT or REPO_ROOT in workdir.parents:
        sys.exit(f"--workdir {workdir} is inside the repository; pick a directory outside it, e.g. {DEFAULT_WORKDIR}")
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def check_corpus(corpus: Path) -> Path:
    corpus = corpus.resolve()
    if not corpus.is_file():
        sys.exit(f"corpus {corpus} not found; pass --corpus PATH to a JSONL file")
    return corpus


# --------------------------------------------------------------------------- corpus


def cache_bytecode(environ: dict | os._Environ, workdir: Path) -> None:
    """Have the Python processes started with `environ` cache their bytecode in the workdir's
    `pycache/`, as after any `pip install`: this project's sandbox sets PYTHONDONTWRITEBYTECODE,
    and each start then compiled searchkit's modules again (0.1-0.25 s of CPU)."""
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    environ["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")


def iter_records(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def devset_queries() -> list[str]:
    """The dev set's known-item and topical queries, in their files' order: what serve.py sends,
    after_commit.py and instructions.py search."""
    return [json.loads(line)["query"] for name in ("known_items.jsonl", "topical.jsonl")
            for line in (BENCH_DIR / "devset" / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def read_records(path: Path) -> list[dict]:
    return list(iter_records(path))


def corpus_fingerprint(path: Path) -> str:
    """Content hash, so an index built from an identical copy of the corpus is recognised."""
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_records(path: Path, records: Iterable[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- text

_WORD = re.compile(r"\w+")


def strip_accents(text: str) -> str:
    """Unaccented form as a user without a Vietnamese keyboard types it: marks gone, đ→d."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


# --------------------------------------------------------------------------- measuring


class Timer:
    """`with Timer() as t: ...; t.seconds`"""

    def __enter__(self) -> "Timer":
        self._start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: Any) -> None:
        self.seconds = time.perf_counter() - self._start


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "mean": statistics.fmean(ms) if ms else float("nan"),
            "max": max(ms) if ms else float("nan")}


def dir_size(path: Path) -> int:
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except FileNotFoundError:
                pass
    return total


def remove_path(path: Path) -> None:
    path = Path(path)
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(str(path) + suffix)
        if side.exists():
            side.unlink()


def self_peak_rss_bytes() -> int:
    """Peak RSS of this process (+ the largest waited-for child, if the engine forks workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return own + kids


#: How often `run_child` samples the tree's memory: RSS (`statm`, a few µs a process) every
#: SAMPLE_S, PSS every PSS_EVERY samples. Reading `smaps_rollup` walks a process's page
#: tables under its memory-map lock: 2.5 ms for a build's three processes, and sampled every
#: 50 ms it took 1.1 s of CPU from a 10 s build that needs both of the machine's 2 cores.
SAMPLE_S = 0.05
PSS_EVERY = 10


def _tree_memory_bytes(root_pid: int, with_pss: bool = True) -> tuple[int, int]:
    """Current (RSS, PSS; PSS 0 unless `with_pss`) summed over a process and all its
    descendants, read from /proc.

    RSS counts every page a process maps, so forked workers count the parent's shared pages
    again each; PSS divides a shared page among the processes sharing it (each counted once
    in the sum), which is what the tree really holds."""
    page = os.sysconf("SC_PAGE_SIZE")
    rss = pss = 0
    for pid in _tree(root_pid):
        rss += _statm_pages(pid) * page
        if with_pss:
            pss += _status_kb(f"/proc/{pid}/smaps_rollup", "Pss:") * 1024
    return rss, pss


def _tree(root_pid: int) -> list[int]:
    """A process and its descendants: from each thread's `children` list (0.04 ms for a
    build's tree), or, where the kernel has none, from every process's parent in /proc."""
    try:
        tree, frontier = [root_pid], [root_pid]
        while frontier:
            pid = frontier.pop()
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    found = [int(child) for child in f.read().split()]
                tree += found
                frontier += found
        return tree
    except FileNotFoundError:
        if not os.path.exists(f"/proc/{root_pid}/task"):  # the process itself has gone
            return []
    except OSError:  # a thread or child ended while read: the scan below
        pass
    return _tree_by_scan(root_pid)


def _tree_by_scan(root_pid: int) -> list[int]:
    """`_tree` from every process's parent in /proc: the process first, then its descendants
    as found (the same order as `_tree`, whichever way the kernel lets the tree be read)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = [root_pid], [root_pid]
    while frontier:  # a process has one parent: none is found twice
        pid = frontier.pop()
        found = [child for child, parent in parents.items() if parent == pid]
        tree += found
        frontier += found
    return tree


def _statm_pages(pid: int) -> int:
    """Resident pages of a process (`/proc/PID/statm`'s second number; 0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _status_kb(path: str, key: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_child(args: list[str], label: str) -> dict:
    """Run `python <args>` in a fresh process; return its JSON result plus the sampled peak tree RSS.

    The child prints one line `BENCH_RESULT {json}`; everything else it prints goes to our stderr.
    The peak RSS reported is the larger of the child's own high-water mark (exact, one process)
    and the sum over its process tree sampled every SAMPLE_S (catches worker processes); the
    peak PSS is the same sum with shared pages counted once (see `_tree_memory_bytes`), sampled
    every PSS_EVERY samples: cheap enough not to slow what is measured.
    """
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=None, text=True,
                            cwd=str(REPO_ROOT))
    peak = peak_pss = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        for count in itertools.count():
            if stop.is_set():
                break
            rss, pss = _tree_memory_bytes(proc.pid, with_pss=count % PSS_EVERY == 0)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            stop.wait(SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    stop.set()
    sampler.join()
    result = None
    for line in out.splitlines():
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER):])
        elif line.strip():
            print(f"  [{label}] {line}", file=sys.stderr)
    if proc.returncode != 0 or result is None:
        raise RuntimeError(f"{label}: child exited with {proc.returncode} and no result")
    result["peak_rss_bytes"] = max(result.get("self_peak_rss_bytes", 0), peak)
    result["peak_pss_bytes"] = peak_pss or result["peak_rss_bytes"]
    return result


def emit_result(result: dict) -> None:
    """Called in a child: hand the result back to run_child()."""
    result["self_peak_rss_bytes"] = self_peak_rss_bytes()
    sys.stdout.write(RESULT_MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- index manifest
# Which corpus each engine's index in the workdir was built from, so query.py and relevance.py
# reuse what indexing.py built, and rebuild when the corpus differs.


def _manifest_path(workdir: Path) -> Path:
    return Path(workdir) / "manifest.json"


def read_manifest(workdir: Path) -> dict:
    try:
        return json.loads(_manifest_path(workdir).read_text())
    except (OSError, ValueError):
        return {}


def record_built(workdir: Path, engine: str, fingerprint: str | None) -> None:
    manifest = read_manifest(workdir)
    if fingerprint is None:
        manifest.pop(engine, None)
    else:
        manifest[engine] = fingerprint
    _manifest_path(workdir).write_text(json.dumps(manifest, indent=2))


def is_built(workdir: Path, engine: str, fingerprint: str) -> bool:
    return read_manifest(workdir).get(engine) == fingerprint


# --------------------------------------------------------------------------- output


def fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    """Plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    if title:
        print(title)
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
    print()


def machine_note() -> str:
    load = os.getloadavg()
    return (f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} "
            f"{load[2]:.2f} (shared machine: timings are noisy)")


def rng(seed: int) -> random.Random:
    return random.Random(seed)
