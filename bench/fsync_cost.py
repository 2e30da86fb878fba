"""What durable commits cost (issue 18): time spent inside fsync during a full build and N
one-article adds, in one process, beside the wall time of each.

    python bench/fsync_cost.py [--corpus PATH] [--workdir DIR] [--adds N]

Every commit fsyncs the files it adds and their folder before its rename and the folder after
(searchkit/indexing/durable.py); this script times each `os.fsync` call the indexer makes (all
of them run in the committing process), so the figure stays readable on a loaded machine where
the wall times of two separate runs differ by more than the fsyncs take. To compare with the
code before fsync, run a copy of this script from a checkout of that code (bench scripts import
the searchkit of the checkout they are in): it then reports 0 fsyncs.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import time

from common import base_parser, check_corpus, check_workdir, machine_note


class FsyncTimer:
    """Replaces os.fsync with a timed call for the life of the process."""

    def __init__(self):
        self.seconds, self.calls, self._real = 0.0, 0, os.fsync
        os.fsync = self._timed

    def _timed(self, descriptor: int) -> None:
        started = time.perf_counter()
        try:
            self._real(descriptor)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--adds", type=int, default=200, metavar="N", help="one-article adds after the build")
    args = parser.parse_args()
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir) / "fsync-cost"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    timer = FsyncTimer()
    from searchkit import SearchEngine

    print(machine_note())
    engine = SearchEngine(workdir / "index")
    started = time.perf_counter()
    total = engine.index([corpus]).total
    build, build_fsync, build_calls = time.perf_counter() - started, timer.seconds, timer.calls
    print(f"full build of {total:,} articles: {build:.1f} s, of which {build_fsync:.2f} s in {build_calls} fsyncs")

    walls, spent, calls = [], [], []
    with open(corpus, encoding="utf-8") as stream:
        records = [json.loads(line) for _, line in zip(range(args.adds), stream)]
    for number, record in enumerate(records):
        path = workdir / f"add-{number:04d}.jsonl"
        path.write_text(json.dumps(dict(record, id=f"fsync-add-{number:04d}"), ensure_ascii=False) + "\n",
                        encoding="utf-8")
        seconds, count, started = timer.seconds, timer.calls, time.perf_counter()
        engine.index([path], remove_missing=False, workers=1)
        walls.append(time.perf_counter() - started)
        spent.append(timer.seconds - seconds)
        calls.append(timer.calls - count)
    if records:
        print(f"{len(records)} one-article adds (in process): wall p50 {statistics.median(walls):.2f} s, "
              f"mean {statistics.mean(walls):.2f} s; in fsync p50 {statistics.median(spent) * 1000:.0f} ms, "
              f"mean {statistics.mean(spent) * 1000:.0f} ms, {statistics.mean(calls):.1f} fsyncs an add")
    print(f"at the end: {machine_note()}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
