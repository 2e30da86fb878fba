"""Where a query's CPU goes: query.py's 200 queries on one searchkit index, each one's CPU time,
then (with --profile) cProfile's functions over the whole set.

    python bench/profile_queries.py INDEX [--queries N] [--seed N] [--rounds R]
                                   [--profile tottime|cumtime] [--top N] [--slowest N] [--times FILE]

INDEX is a searchkit index folder, e.g. WORKDIR/query-x16/searchkit-index that
`query.py --scale 16` leaves. Queries are those query.py draws from the 1x corpus (--corpus),
searched as query.py searches them (top 10 with snippets), after its warm-up queries. The
CPU time is this process's (`time.process_time`), so other jobs on a shared machine count
little. To compare two versions, run each from its own checkout (a `git worktree`), in turn;
on a noisy machine, run each a few times with --times and compare each query's least time
(`python bench/profile_queries.py --best FILE...` prints the percentiles of those).
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

from common import base_parser, check_corpus, percentile, read_records
from peers import SearchkitEngine
from query import WARMUP, make_queries


def cpu_times(engine: SearchkitEngine, queries: list[str]) -> list[float]:
    """Each query's CPU milliseconds, in the order given."""
    taken = []
    for query in queries:
        started = time.process_time()
        engine.search(query, limit=10, snippets=True)
        taken.append((time.process_time() - started) * 1000)
    return taken


def best_of(files: list[str]) -> None:
    """Print the percentiles of each query's least CPU time over several runs' --times files."""
    runs = [json.loads(open(name, encoding="utf-8").read()) for name in files]
    ms = sorted(min(times) for times in zip(*runs))
    print(f"{len(ms)} queries, least of {len(runs)} runs: CPU p50 {percentile(ms, 50):.1f} ms, "
          f"p90 {percentile(ms, 90):.1f} ms, p99 {percentile(ms, 99):.1f} ms, mean {sum(ms) / len(ms):.1f} ms")


def main() -> None:
    if sys.argv[1:2] == ["--best"]:
        return best_of(sys.argv[2:])
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the queries; each query's best is kept")
    parser.add_argument("--profile", choices=("tottime", "cumtime"), help="print cProfile's functions, sorted so")
    parser.add_argument("--top", type=int, default=30, help="functions printed with --profile")
    parser.add_argument("--slowest", type=int, default=10, help="slowest queries printed")
    parser.add_argument("--times", type=Path, help="write each query's CPU milliseconds there (JSON)")
    args = parser.parse_args()
    queries = make_queries(read_records(check_corpus(args.corpus)), args.queries, args.seed)
    engine = SearchkitEngine(args.index)
    for query in queries[:WARMUP]:
        engine.search(query, limit=10, snippets=True)
    profiler = cProfile.Profile() if args.profile else None
    best: list[float] | None = None
    for _ in range(args.rounds):
        if profiler:
            profiler.enable()
        taken = cpu_times(engine, queries)
        if profiler:
            profiler.disable()
        best = taken if best is None else [min(a, b) for a, b in zip(best, taken)]
    if args.times:
        args.times.write_text(json.dumps(best), encoding="utf-8")
    ms = sorted(best)
    print(f"{len(queries)} queries on {args.index}: CPU p50 {percentile(ms, 50):.1f} ms, "
          f"p90 {percentile(ms, 90):.1f} ms, p99 {percentile(ms, 99):.1f} ms, max {ms[-1]:.1f} ms, "
          f"mean {sum(ms) / len(ms):.1f} ms (best of {args.rounds} round(s){', profiled' if profiler else ''})")
    for spent, query in sorted(zip(best, queries), reverse=True)[:args.slowest]:
        print(f"  {spent:7.1f} ms  {query}")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.profile).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
