"""Indexing benchmark: searchkit vs SQLite FTS5 vs tantivy, each build in its own process.

    python bench/indexing.py [--corpus PATH] [--workdir DIR] [--adds N] [--scale K]
    python bench/indexing.py [--corpus PATH] [--workdir DIR] [--typesense [--only-typesense] | --backend URL]

Prints full-build time, throughput, peak RSS and index size per engine, then searchkit's re-sync
times (no-op, and 1 changed + 1 added + 1 removed article on a copy of the corpus in the workdir).
Then N one-article `searchkit add` runs on a copy of the fresh index (default 200; 0 skips them):
segments, size and query p50 against the fresh build, before and after `searchkit optimize`.
With --scale K (K > 1) every engine also builds the corpus repeated K times with new ids: build
time and query p50 growth against the 1x corpus. The 1x indexes are left in the workdir for
query.py and relevance.py; the copies and the xK data are removed (with --keep-scaled, the xK
indexes stay where `query.py --scale K` reads them, in WORKDIR/query-xK).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import (
    MB,
    Timer,
    base_parser,
    check_corpus,
    check_workdir,
    corpus_fingerprint,
    dir_size,
    emit_result,
    fmt,
    latency_summary,
    machine_note,
    percentile,
    print_table,
    read_records,
    record_built,
    remove_path,
    run_child,
    write_records,
)
from peers import SearchkitEngine, add_typesense_options, engine_at, typesense_from_args

FLOOR_BUILD_S = 45.0  # issue 9 (aim: 30 s)
FLOOR_NOOP_S = 5.0
FLOOR_RESYNC_S = 3.0
FLOOR_RSS_BYTES = 600 * 1024 ** 2
FLOOR_SIZE_BYTES = 120 * 1024 ** 2
COPY_NAME = "corpus-copy.jsonl"
ADDED_ID = "bench-added-0001"
# Issue 9: N one-article adds after a full build, and the corpus repeated K times.
FLOOR_ADDS_SEGMENTS = 12
FLOOR_ADDS_SIZE = 1.5
FLOOR_OPTIMIZED_SIZE = 1.1
FLOOR_ADDS_P50 = 1.2
FLOOR_SCALE_BUILD = 4.4  # at --scale 4: build time grows at most this much (1.1x linear)
FLOOR_SCALE_P50 = 2.0
ADDS_DIR = "adds"  # under the workdir: the copied index and one file per added article
QUERIES_FILE = "indexing-queries.json"  # under the workdir: query.py's queries, made once per run
FRESH_COPY = "searchkit-fresh"  # under the workdir: the index as the full build left it, for the adds row
QUERY_COUNT, QUERY_SEED = 200, 20240601  # query.py's default queries
QUERY_ROUNDS = 3  # each index's queries run this many times, in turn with the others; the best p50 counts


# --------------------------------------------------------------------------- child side


def child_peer_build(key: str, corpus: Path, workdir: Path) -> dict:
    engine = engine_at(workdir, key)
    with Timer() as t:
        records = read_records(corpus)
        engine.build(records)
    engine.close()
    return {"seconds": t.seconds, "records": len(records), "size_bytes": engine.size_bytes()}


def _report_dict(report) -> dict:
    skipped = getattr(report, "skipped", []) or []
    return {name: getattr(report, name, None) for name in ("added", "updated", "removed", "unchanged")} | {
        "skipped": len(skipped), "report_seconds": getattr(report, "seconds", None)}


def child_searchkit(op: str, corpus: Path, workdir: Path) -> dict:
    engine = engine_at(workdir, "searchkit")
    if op == "full":
        engine.close()
        remove_path(engine.path)
    with Timer() as t:  # open + sync, as a user's `searchkit index` run would do
        report = engine.index_paths([corpus], rebuild=(op == "full"))
    engine.close()
    return {"seconds": t.seconds, "size_bytes": engine.size_bytes(), **_report_dict(report)}


def child_query(key: str, corpus: Path, workdir: Path, index: Path | None) -> dict:
    """query.py's fixed queries (drawn from `corpus`) on one engine's index, warm, with snippets;
    also the files the process holds open afterwards."""
    from query import make_queries, time_queries

    made = workdir / QUERIES_FILE  # written once by the parent: no child reads the corpus again
    queries = (json.loads(made.read_text(encoding="utf-8")) if made.exists()
               else make_queries(read_records(corpus), QUERY_COUNT, QUERY_SEED))
    engine = engine_at(workdir, key)
    if index is not None:
        engine.path = index
    seconds, counts = time_queries(engine, queries)
    open_files = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    engine.close()
    return latency_summary(seconds) | {"open_files": open_files, "zero_hits": sum(c == 0 for c in counts)}


def child_typesense(url: str, corpus: Path) -> dict:
    """A full build of the collection (rebuild), timed like searchkit's: read, analyse, import."""
    from searchkit import SearchEngine

    with Timer() as t:
        report = SearchEngine(backend=url).index([str(corpus)], rebuild=True)
    return {"seconds": t.seconds, **_report_dict(report)}


def run_as_child(argv: list[str]) -> None:
    parser = base_parser("(internal) one measured step in a fresh process")
    parser.add_argument("--child", required=True)
    parser.add_argument("--op", default="full")
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--url")
    args = parser.parse_args(argv)
    if args.child == "query":
        emit_result(child_query(args.op, args.corpus, args.workdir, args.index))
    elif args.child == "typesense":
        emit_result(child_typesense(args.url, args.corpus))
    elif args.child == "searchkit":
        emit_result(child_searchkit(args.op, args.corpus, args.workdir))
    else:
        emit_result(child_peer_build(args.child, args.corpus, args.workdir))


def spawn(key: str, corpus: Path, workdir: Path, op: str = "full") -> dict:
    return run_child([str(Path(__file__).resolve()), "--child", key, "--op", op,
                      "--corpus", str(corpus), "--workdir", str(workdir)], f"{key} {op}")


def spawn_query(key: str, queries_from: Path, workdir: Path, index: Path | None = None) -> dict:
    """p50/p95 of query.py's queries (made from `queries_from`) on `key`'s index in `workdir`
    (or at `index`), in a fresh process."""
    extra = ["--index", str(index)] if index is not None else []
    return run_child([str(Path(__file__).resolve()), "--child", "query", "--op", key, "--corpus", str(queries_from),
                      "--workdir", str(workdir), *extra], f"query {key}")


def interleaved_queries(key: str, queries_from: Path, workdir: Path, indexes: dict[str, Path],
                        rounds: int = QUERY_ROUNDS) -> dict[str, dict]:
    """spawn_query on each of `indexes` in turn, `rounds` times over, keeping each one's run
    with the lowest p50: the machine is shared, and taking the states in turn, each at its
    least disturbed, keeps a busy minute from landing on one of them only."""
    best: dict[str, dict] = {}
    for _ in range(rounds):
        for label, index in indexes.items():
            result = spawn_query(key, queries_from, workdir, index)
            if label not in best or result["p50"] < best[label]["p50"]:
                best[label] = result
    return best


# --------------------------------------------------------------------------- parent side


def edit_copy(copy: Path, records: list[dict]) -> dict:
    """Change one article, remove one, add one (deterministic picks); return what was done."""
    changed, removed, template = records[100], records[200], records[300]
    edited = []
    for i, r in enumerate(records):
        if i == 200:
            continue
        if i == 100:
            r = dict(r, body=r["body"] + "\nCập nhật: bài viết đã được chỉnh sửa để đo đồng bộ.")
        edited.append(r)
    edited.append(dict(template, id=ADDED_ID, title="Bài thêm để đo đồng bộ gia tăng",
                       body=template["body"] + "\nBài này được thêm vào bản sao kho dữ liệu."))
    write_records(copy, edited)
    return {"changed": changed["id"], "removed": removed["id"], "added": ADDED_ID}


def measure_searchkit(corpus: Path, workdir: Path, records: list[dict], results: dict,
                      keep_fresh: bool = False) -> tuple[list, dict]:
    """Full build, no-op re-sync, 3-article re-sync, revert; all on a copy of the corpus in the
    workdir. With `keep_fresh`, a copy of the index as built is kept for `measure_adds`: the
    re-syncs leave the workdir's index with more segments and deleted articles."""
    copy = workdir / COPY_NAME
    shutil.copyfile(corpus, copy)
    record_built(workdir, "searchkit", None)
    print("building searchkit ...", file=sys.stderr)
    results["searchkit"] = spawn("searchkit", copy, workdir, "full")
    remove_path(workdir / FRESH_COPY)
    if keep_fresh:
        shutil.copytree(engine_at(workdir, "searchkit").path, workdir / FRESH_COPY)
    noop = spawn("searchkit", copy, workdir, "sync")
    edits = edit_copy(copy, records)
    three = spawn("searchkit", copy, workdir, "sync")
    shutil.copyfile(corpus, copy)  # put the copy back so the index matches the corpus again
    revert = spawn("searchkit", copy, workdir, "sync")
    rows = [("no-op re-sync", noop, FLOOR_NOOP_S, "0/0/0"),
            ("1 changed + 1 added + 1 removed", three, FLOOR_RESYNC_S, "1/1/1"),
            ("revert those 3 (no floor)", revert, None, "1/1/1")]
    return rows, edits


def print_typesense(r: dict | None, n: int, corpus_bytes: int, base: dict | None = None) -> None:
    """The Typesense build: the client (read, analyse, send) and the server's memory after it."""
    if r is None:
        return
    base = base or {}
    server = r.get("server_rss_bytes")
    print_table(["engine", "build s", "articles/s", "MB/s", "client peak RSS MB", "server RSS MB", "data MB",
                 "time vs sk"],
                [["searchkit on Typesense", r["seconds"], n / r["seconds"], corpus_bytes / MB / r["seconds"],
                  r["peak_rss_bytes"] / MB, server / MB if server else "-",
                  r["size_bytes"] / MB if r.get("size_bytes") else "-", ratio(r["seconds"], base.get("seconds"))]],
                title="Full build on Typesense (one node; the client in its own process, the server's RSS "
                      "read after the build)")


def ratio(value: float | None, base: float | None) -> str:
    if not value or not base:
        return "-"
    return f"{value / base:.2f}x"


def within(value: float | None, floor: float) -> str:
    if value is None:
        return "-"
    return "yes" if value <= floor else "NO"


# --------------------------------------------------------------------------- issue 9: adds and scale


def searchkit_command() -> list[str]:
    """The `searchkit` console script of the Python running this bench (or `python -m searchkit`)."""
    script = Path(sys.executable).with_name("searchkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "searchkit"]


def run_cli(args: list[str]) -> tuple[float, str]:
    """One `searchkit` CLI run in a new process: (wall seconds, stdout); a failure stops the bench."""
    with Timer() as t:
        proc = subprocess.run([*searchkit_command(), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"searchkit {' '.join(args)}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return t.seconds, proc.stdout


def one_article_adds(index: Path, records: list[dict], count: int, folder: Path) -> dict:
    """`count` runs of `searchkit add FILE`, each FILE one article (a corpus article under a new
    id); the segment count after each run."""
    from searchkit import SearchEngine

    seconds, segments = [], []
    for i in range(count):
        path = folder / f"add-{i:04d}.jsonl"
        write_records(path, [dict(records[(i * 37) % len(records)], id=f"bench-add-{i:04d}")])
        seconds.append(run_cli(["add", str(path), "--index", str(index), "-q"])[0])
        segments.append(SearchEngine(str(index)).stats()["segments"])
        if (i + 1) % 20 == 0:
            print(f"  {i + 1}/{count} adds, {segments[-1]} segments", file=sys.stderr)
    return {"segments_max": max(segments), "segments_last": segments[-1],
            "add_p50_s": percentile(seconds, 50), "add_max_s": max(seconds)}


def index_facts(index: Path) -> dict:
    """Segments, articles and size on disk of a searchkit index."""
    from searchkit import SearchEngine

    stats = SearchEngine(str(index)).stats()
    return {"segments": stats["segments"], "articles": stats["articles"], "size_bytes": dir_size(index)}


def measure_adds(corpus: Path, workdir: Path, records: list[dict], count: int) -> None:
    """Issue 9's row: `count` one-article adds on a copy of the fresh index, then `optimize`;
    the fresh index, a copy taken after the adds and the optimized one answer queries in turn."""
    folder = workdir / ADDS_DIR
    remove_path(folder)
    folder.mkdir()
    fresh_index, index, after_adds = workdir / FRESH_COPY, folder / "searchkit-index", folder / "after-adds"
    if not fresh_index.exists():  # the build was not run now: the workdir's index is the baseline
        fresh_index = engine_at(workdir, "searchkit").path
    shutil.copytree(fresh_index, index)
    print(f"searchkit: {count} one-article adds on a copy of the index ...", file=sys.stderr)
    adds = one_article_adds(index, records, count, folder)
    shutil.copytree(index, after_adds)
    optimize_s, _ = run_cli(["optimize", "--index", str(index), "--json"])
    states = {"fresh build": fresh_index, f"after {count} adds": after_adds, "after optimize": index}
    latency = interleaved_queries("searchkit", corpus, workdir, states)
    fresh, added, optimized = ({**index_facts(path), **latency[label]} for label, path in states.items())
    remove_path(folder)
    remove_path(workdir / FRESH_COPY)
    rows = [[label, s["segments"], s["articles"], s["size_bytes"] / MB, ratio(s["size_bytes"], fresh["size_bytes"]),
             s["p50"], s["p95"], ratio(s["p50"], fresh["p50"]), s["open_files"]]
            for label, s in zip(states, (fresh, added, optimized))]
    print_table(["searchkit index", "segments", "articles", "index MB", "size vs fresh", "query p50 ms", "p95 ms",
                 "p50 vs fresh", "open files"], rows,
                title=f"searchkit: {count} one-article `searchkit add` runs on a copy of the fresh index, then "
                      f"`searchkit optimize` (query.py's {QUERY_COUNT} queries, warm, in fresh processes, "
                      f"the states in turn, best of {QUERY_ROUNDS})")
    size_ratio = added["size_bytes"] / fresh["size_bytes"]
    optimized_ratio = optimized["size_bytes"] / fresh["size_bytes"]
    p50_ratio = added["p50"] / fresh["p50"]
    print_table(["searchkit adds floor", "measured", "floor", "within"], [
        ["max segments during the adds", adds["segments_max"], f"<= {FLOOR_ADDS_SEGMENTS}",
         within(adds["segments_max"], FLOOR_ADDS_SEGMENTS)],
        ["size after the adds / fresh", size_ratio, f"<= {FLOOR_ADDS_SIZE:g}x", within(size_ratio, FLOOR_ADDS_SIZE)],
        ["size after optimize / fresh", optimized_ratio, f"<= {FLOOR_OPTIMIZED_SIZE:g}x",
         within(optimized_ratio, FLOOR_OPTIMIZED_SIZE)],
        ["query p50 after the adds / fresh", p50_ratio, f"<= {FLOOR_ADDS_P50:g}x", within(p50_ratio, FLOOR_ADDS_P50)],
        ["`searchkit add` wall s, p50 / max (no floor)", f"{adds['add_p50_s']:.2f} / {adds['add_max_s']:.2f}", "", ""],
        ["`searchkit optimize` wall s (no floor)", optimize_s, "", ""],
        [f"articles after optimize (expected {len(records) + count:,})", optimized["articles"], "",
         "yes" if optimized["articles"] == len(records) + count else "NO"],
    ])


def measure_scale(corpus: Path, workdir: Path, records: list[dict], results: dict, times: int,
                  fingerprint: str, keep: bool = False, rounds: int = QUERY_ROUNDS) -> None:
    """Issue 9's row: every engine builds the corpus repeated `times` times; build time and
    query p50 growth against the 1x builds of this run (best of `rounds`). `keep`: the xK
    indexes are built where `query.py --scale K` reads them (its folder, its manifest) and
    left there, so that it times its queries without building them again (a many-core
    machine's time is lent by the minute: `many_cores.sh`); else they are removed."""
    from query import SCALED_DIR, write_scaled

    folder = workdir / (SCALED_DIR.format(times=times) if keep else f"scale-x{times}")
    scaled_fp = f"{fingerprint}-x{times}"
    if not keep:
        remove_path(folder)
    folder.mkdir(exist_ok=True)
    data = folder / f"corpus-x{times}.jsonl"
    record_built(folder, "corpus", None)
    write_scaled(records, times, data)
    rows, growth = [], {}
    for key, label in (("searchkit", "searchkit"), ("fts5", "SQLite FTS5"), ("tantivy", "tantivy")):
        if key not in results:
            continue
        print(f"building {key} on the corpus x{times} ...", file=sys.stderr)
        record_built(folder, key, None)
        built = spawn(key, data, folder)
        record_built(folder, key, scaled_fp)
        latency = interleaved_queries(key, corpus, workdir, {"1x": engine_at(workdir, key).path,
                                                            f"x{times}": engine_at(folder, key).path}, rounds)
        one_q, many_q, one = latency["1x"], latency[f"x{times}"], results[key]
        growth[key] = (built["seconds"] / one["seconds"], many_q["p50"] / one_q["p50"])
        rows.append([label, one["seconds"], built["seconds"], f"{growth[key][0]:.2f}x", one_q["p50"], many_q["p50"],
                     f"{growth[key][1]:.2f}x", one["size_bytes"] / MB, built["size_bytes"] / MB,
                     built["peak_rss_bytes"] / MB])
    data.unlink(missing_ok=True)
    if not keep:
        remove_path(folder)
    print_table(["engine", "1x build s", f"x{times} build s", "growth", "1x p50 ms", f"x{times} p50 ms", "growth",
                 "1x MB", f"x{times} MB", f"x{times} peak RSS MB"], rows,
                title=f"The corpus x{times} ({times * len(records):,} articles, copies under new ids; query.py's "
                      f"{QUERY_COUNT} queries, warm, in fresh processes, 1x and x{times} in turn, "
                      f"best of {rounds})" + (f"; the indexes kept in {folder}" if keep else ""))
    if "searchkit" in growth:
        build_floor = FLOOR_SCALE_BUILD / 4 * times
        print_table(["searchkit scale floor", "measured", "floor", "within"], [
            [f"build time x{times} / 1x", growth["searchkit"][0], f"<= {build_floor:g}x",
             within(growth["searchkit"][0], build_floor)],
            [f"query p50 x{times} / 1x", growth["searchkit"][1], f"<= {FLOOR_SCALE_P50:g}x",
             within(growth["searchkit"][1], FLOOR_SCALE_P50)],
        ])


def main() -> None:
    if "--child" in sys.argv:
        run_as_child(sys.argv[1:])
        return
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--adds", type=int, default=200, metavar="N",
                        help="one-article `searchkit add` runs after the full build (default 200; 0 skips them)")
    parser.add_argument("--scale", type=int, default=1, metavar="K",
                        help="also build the corpus repeated K times with new ids, every engine (issue 9: 4)")
    parser.add_argument("--keep-scaled", action="store_true",
                        help="build the xK indexes where `query.py --scale K` reads them, and keep them there")
    parser.add_argument("--scale-rounds", type=int, default=QUERY_ROUNDS, metavar="N",
                        help=f"runs of the queries on the 1x and xK indexes, in turn; the best counts "
                             f"(default {QUERY_ROUNDS})")
    add_typesense_options(parser)
    parser.add_argument("--only-typesense", action="store_true",
                        help="build only the Typesense collection (the other rows are left out)")
    args = parser.parse_args()
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
    corpus_bytes = corpus.stat().st_size
    fingerprint = corpus_fingerprint(corpus)
    records = read_records(corpus)
    from query import make_queries

    (workdir / QUERIES_FILE).write_text(json.dumps(make_queries(records, QUERY_COUNT, QUERY_SEED), ensure_ascii=False),
                                        encoding="utf-8")
    n = len(records)
    print(f"corpus: {corpus} ({n:,} articles, {corpus_bytes / MB:.1f} MB); workdir: {workdir}")
    print(machine_note())
    print()

    results: dict[str, dict] = {}
    sync_rows, edits = [], {}
    backend, server = typesense_from_args(args, workdir)
    if backend is not None:
        try:
            print("building searchkit on Typesense ...", file=sys.stderr)
            results["typesense"] = run_child([str(Path(__file__).resolve()), "--child", "typesense", "--url",
                                              backend.url, "--corpus", str(corpus), "--workdir", str(workdir)],
                                             "typesense")
            backend.record_built(fingerprint)
            if server is not None:
                time.sleep(2.0)  # let the server settle before reading its memory
                results["typesense"]["server_rss_bytes"] = server.rss_bytes()
                results["typesense"]["size_bytes"] = dir_size(server.nodes[0].data_dir)
        finally:
            if server is not None:
                server.stop()
    if args.only_typesense:
        print_typesense(results.get("typesense"), n, corpus_bytes)
        return
    sk_available = SearchkitEngine.available()
    if sk_available:
        try:
            sync_rows, edits = measure_searchkit(corpus, workdir, records, results, keep_fresh=args.adds > 0)
            record_built(workdir, "searchkit", fingerprint)
        except RuntimeError as e:  # report the peers anyway
            print(f"searchkit failed: {e}", file=sys.stderr)
            record_built(workdir, "searchkit", None)
            sk_available = False
    else:
        print("searchkit is not importable yet: peer figures only", file=sys.stderr)
        record_built(workdir, "searchkit", None)

    for key in ("fts5", "tantivy"):
        print(f"building {key} ...", file=sys.stderr)
        record_built(workdir, key, None)
        results[key] = spawn(key, corpus, workdir)
        record_built(workdir, key, fingerprint)

    base = results.get("searchkit", {})
    rows = []
    for key, label in (("searchkit", "searchkit"), ("fts5", "SQLite FTS5"), ("tantivy", "tantivy")):
        r = results.get(key)
        if r is None:
            rows.append([label, "not available"] + [""] * 8)
            continue
        rows.append([label, r["seconds"], n / r["seconds"], corpus_bytes / MB / r["seconds"],
                     r["peak_rss_bytes"] / MB, r["peak_pss_bytes"] / MB, r["size_bytes"] / MB,
                     ratio(r["seconds"], base.get("seconds")), ratio(r["peak_rss_bytes"], base.get("peak_rss_bytes")),
                     ratio(r["size_bytes"], base.get("size_bytes"))])
    print_table(["engine", "build s", "articles/s", "MB/s", "peak RSS MB", "peak PSS MB", "index MB",
                 "time vs sk", "RSS vs sk", "size vs sk"], rows,
                title="Full build (each engine in its own process; peers' time includes reading the JSONL; "
                      "RSS and PSS summed over the process tree, PSS counting pages shared by forked "
                      "workers once)")
    print_typesense(results.get("typesense"), n, corpus_bytes, base)

    if sk_available:
        rows = []
        for label, r, floor, expected in sync_rows:
            counts = "/".join(fmt(r.get(k)) for k in ("added", "updated", "removed"))
            rows.append([label, r["seconds"], r.get("report_seconds"), counts, expected, fmt(r.get("unchanged")),
                         r.get("skipped"), r["peak_rss_bytes"] / MB,
                         f"<= {floor:g} s" if floor else "", within(r["seconds"], floor) if floor else ""])
        print_table(["searchkit re-sync", "wall s", "report s", "add/upd/rem", "expected", "unchanged",
                     "skipped", "peak RSS MB", "floor", "within"], rows,
                    title=f"searchkit incremental sync on a copy of the corpus in the workdir "
                          f"(edited: {json.dumps(edits)}; wall = open + sync in a fresh process)")
        sk, noop, three = results["searchkit"], sync_rows[0][1], sync_rows[1][1]
        print_table(["searchkit floor", "measured", "floor", "within"], [
            ["full build s", sk["seconds"], f"<= {FLOOR_BUILD_S:g} s", within(sk["seconds"], FLOOR_BUILD_S)],
            ["index size MB", sk["size_bytes"] / MB, f"<= {FLOOR_SIZE_BYTES / MB:,.0f} MB",
             within(sk["size_bytes"], FLOOR_SIZE_BYTES)],
            ["no-op re-sync s", noop["seconds"], f"<= {FLOOR_NOOP_S:g} s", within(noop["seconds"], FLOOR_NOOP_S)],
            ["3-article re-sync s", three["seconds"], f"<= {FLOOR_RESYNC_S:g} s",
             within(three["seconds"], FLOOR_RESYNC_S)],
            ["peak RSS MB, process tree (max of all runs)", max(r["peak_rss_bytes"] for r in (sk, noop, three)) / MB,
             f"<= {FLOOR_RSS_BYTES / MB:,.0f} MB",
             within(max(r["peak_rss_bytes"] for r in (sk, noop, three)), FLOOR_RSS_BYTES)],
            ["peak PSS MB, process tree (no floor)", max(r["peak_pss_bytes"] for r in (sk, noop, three)) / MB, "", ""],
        ])
    try:
        if sk_available and args.adds > 0:
            measure_adds(corpus, workdir, records, args.adds)
        if args.scale > 1:
            measure_scale(corpus, workdir, records, results, args.scale, fingerprint, args.keep_scaled,
                          args.scale_rounds)
    except RuntimeError as e:  # a failed CLI run or child: the tables above stand
        print(f"FAILED: {e}")
    print(f"at the end: {machine_note()}")


if __name__ == "__main__":
    main()
