"""Latency of completions (`SearchEngine.complete`, behind `/api/suggest`) on the 16k index.

    python bench/suggest.py [--workdir DIR] [--index PATH] [--runs 3]

Every prefix a person types on the way to each dev-set query (known items, accented and
unaccented, and topical queries: `t`, `tr`, `tra`, … `tram bts`) is completed once per run, in
shuffled order, on one warm engine, as a server would after its warm-up. Prints the time to
build the completion table (once per index generation), then p50 / p99 / max per completion,
overall and by prefix length, against the 20 ms floor; and a few completions to read.
Reads the index that bench/indexing.py built in the workdir (read-only; a copy of it is made
when --copy is given, since the first load of the pair model may write its cache file).
"""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

from common import BENCH_DIR, base_parser, check_workdir

FLOOR_MS = 20.0
SEED = 20241130
SHOWN = ("tram b", "nghe a", "cong nghe th", "ho chi", "dien thoai di", "samsung gal", "5g", "dak n")


def prefixes() -> list[str]:
    queries: set[str] = set()
    for name, variants in (("known_items.jsonl", ("accented", "unaccented")), ("topical.jsonl", None)):
        for line in (BENCH_DIR / "devset" / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if variants is None or record.get("variant") in variants:
                queries.add(record["query"])
    typed = {query[:n] for query in queries for n in range(1, len(query) + 1)}
    return sorted(p for p in typed if p.strip())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="index to read (default: WORKDIR/searchkit-index)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    index = args.index or check_workdir(args.workdir) / "searchkit-index"
    if not index.exists():
        raise SystemExit(f"no index at {index}: build one with bench/indexing.py, or pass --index")

    from searchkit.engine import SearchEngine

    engine = SearchEngine(index)
    engine.search("thông tin", limit=1)  # what the server's warm-up does first
    started = time.perf_counter()
    engine.complete("t", limit=1)
    build = time.perf_counter() - started
    typed = prefixes()
    timings: dict[int, list[float]] = {}
    for run in range(args.runs):
        random.Random(SEED + run).shuffle(typed)
        for prefix in typed:
            started = time.perf_counter()
            engine.complete(prefix)
            timings.setdefault(len(prefix), []).append((time.perf_counter() - started) * 1000)
    every = [t for values in timings.values() for t in values]
    print(f"index: {index} ({engine.count():,} articles)")
    print(f"completion table built in {build:.2f} s (first completion after the warm-up search)")
    print(f"{len(typed):,} prefixes x {args.runs} runs: p50 {statistics.median(every):.2f} ms, "
          f"p99 {percentile(every, 0.99):.2f} ms, max {max(every):.2f} ms (floor {FLOOR_MS:.0f} ms)")
    for low, high in ((1, 1), (2, 3), (4, 8), (9, 20), (21, 10_000)):
        values = [t for n, ts in timings.items() if low <= n <= high for t in ts]
        if values:
            print(f"  {low:>2}-{min(high, 999):<3} chars: {len(values):>6} completions, p50 {statistics.median(values):.2f} ms, "
                  f"p99 {percentile(values, 0.99):.2f} ms, max {max(values):.2f} ms")
    for prefix in SHOWN:
        print(f"  {prefix!r:16} → {engine.complete(prefix)}")
    print("PASS" if percentile(every, 0.99) <= FLOOR_MS else "ABOVE THE FLOOR")


if __name__ == "__main__":
    main()
