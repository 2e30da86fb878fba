"""Where a full build's time goes: the parent (reading, committing, merging) and each batch
in its worker (CPU, wall, and how long workers sat idle waiting for a batch).

    python bench/build_pipeline.py [--corpus PATH] [--workers N] [--index DIR] [--code CHECKOUT]

Builds the corpus into a fresh index with `searchkit.indexing.sync.sync` (as `searchkit index
--rebuild`), timing every `write_batch` inside the workers. Prints wall and CPU time of the
parent and of the workers (getrusage: the workers' system time and page faults apart, which
memory given back and faulted in again costs), peak RSS of each, and one line per batch: articles,
worker CPU, wall, when it started after the build began. Worker idle time is the workers'
wall time (first start to last end, times the workers) not spent inside a batch. On a
machine with fewer cores than --workers the figures mix in waiting for a core. --code runs
another checkout's searchkit (e.g. a `git worktree` of the commit before a change).

    python bench/build_pipeline.py --base CHECKOUT [--rounds 5] [--workers N]

builds with this checkout and with --base in turn, each in a fresh process, `--rounds` times
(the order swapped every round, so that neither always runs on the warmer machine), and
prints each run's figures, then each one's medians and the change: a host whose speed drifts
by a fifth within the hour moves a build more than most changes do, but moves both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The figures `--base` compares, as the table names them.
COMPARED = {"wall_s": "wall s", "workers_cpu_s": "workers' CPU s", "workers_system_s": "workers' system s",
            "workers_page_faults": "workers' faults", "parent_cpu_s": "parent CPU s",
            "first_batch_at_s": "first batch at s", "worker_idle_s": "workers idle s",
            "worker_peak_rss_mb": "worker peak RSS MB"}

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="/work/shared/corpus/corpus.jsonl")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--index", default=None, help="where to build (default: a temporary folder, removed)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line too")
    parser.add_argument("--code", default=str(Path(__file__).resolve().parent.parent),
                        help="the checkout whose searchkit is measured (default: this one)")
    parser.add_argument("--base", help="another checkout (a git worktree of the commit before), built in turn with --code")
    parser.add_argument("--rounds", type=int, default=3, help="builds of each checkout with --base (default 3)")
    args = parser.parse_args()
    if args.base:
        compare(args)
        return
    sys.path.insert(0, args.code)

    from searchkit.indexing import segments, sync

    timed = segments.write_batch
    started = time.time()

    def write_batch(index_dir, articles, done=None):  # in the worker (forked: inherits this)
        cpu, wall = time.process_time(), time.time()
        batch = timed(index_dir, articles, done)
        batch.timing = (len(articles), time.process_time() - cpu, wall - started, time.time() - started, os.getpid())
        return batch

    write_batch.__module__, write_batch.__qualname__ = segments.__name__, "write_batch"  # pickled by name
    segments.write_batch = write_batch
    batches = []
    commit = sync.commit_batch

    def commit_batch(ix, batch, *rest, **options):
        if batch is not None and hasattr(batch, "timing"):
            batches.append(batch.timing)
        return commit(ix, batch, *rest, **options)

    sync.commit_batch = commit_batch
    index = args.index or tempfile.mkdtemp(prefix="sk-build-")
    shutil.rmtree(index, ignore_errors=True)
    cpu = time.process_time()
    report = sync.sync(index, [args.corpus], rebuild=True, workers=args.workers)
    wall, parent_cpu = time.time() - started, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    if not args.index:
        shutil.rmtree(index, ignore_errors=True)
    busy = sum(b[1] for b in batches)
    span = (max(b[3] for b in batches) - min(b[2] for b in batches)) if batches else 0.0
    pids = {b[4] for b in batches}
    figures = {
        "articles": report.added, "workers": args.workers, "batches": len(batches), "wall_s": round(wall, 2),
        "parent_cpu_s": round(parent_cpu, 2), "workers_cpu_s": round(children.ru_utime + children.ru_stime, 2),
        "workers_system_s": round(children.ru_stime, 2), "workers_page_faults": children.ru_minflt,
        "batches_cpu_s": round(busy, 2), "first_batch_at_s": round(min((b[2] for b in batches), default=0), 2),
        "last_batch_end_s": round(max((b[3] for b in batches), default=0), 2),
        "worker_idle_s": round(span * len(pids) - sum(b[3] - b[2] for b in batches), 2) if len(pids) > 1 else 0.0,
        "parent_peak_rss_mb": round(own.ru_maxrss / 1024, 1), "worker_peak_rss_mb": round(children.ru_maxrss / 1024, 1),
        "load": os.getloadavg()[0], "code": str(Path(segments.__file__).parent.parent.parent),
    }
    for n, (articles, cpu_s, begin, end, pid) in enumerate(batches):
        print(f"batch {n:2d}: {articles:5d} articles, worker {pid}, CPU {cpu_s:5.2f} s, wall {end - begin:5.2f} s, "
              f"from {begin:6.2f} to {end:6.2f} s")
    for key, value in figures.items():
        print(f"{key:20s} {value}")
    if args.json:
        print(json.dumps(figures))


def compare(args: argparse.Namespace) -> None:
    """Build with --code and --base in turn, each in a fresh process; print the medians."""
    codes = [str(Path(args.code).resolve()), str(Path(args.base).resolve())]
    runs: dict[str, list[dict]] = {code: [] for code in codes}
    for round_ in range(max(1, args.rounds)):
        for code in (codes if round_ % 2 else codes[::-1]):  # the base first in the first round
            command = [sys.executable, __file__, "--code", code, "--workers", str(args.workers),
                       "--corpus", args.corpus, "--json"]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"build with {code} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            runs[code].append(figures)
            print(f"round {round_ + 1}, {code}: " + ", ".join(f"{key} {figures[key]}" for key in COMPARED), flush=True)
    medians = {code: {key: statistics.median(run[key] for run in runs[code]) for key in COMPARED} for code in codes}
    print(f"\nmedians of {max(1, args.rounds)} builds each, in turn ({args.workers} workers, load at the end "
          f"{os.getloadavg()[0]:.2f})")
    print(f"{'':20s} {'--code':>12s} {'--base':>12s} {'change':>9s}")
    for key, label in COMPARED.items():
        now, before = medians[codes[0]][key], medians[codes[1]][key]
        change = f"{100 * (now - before) / before:+.1f} %" if before else "-"
        print(f"{label:20s} {now:12.2f} {before:12.2f} {change:>9s}")


if __name__ == "__main__":
    main()
