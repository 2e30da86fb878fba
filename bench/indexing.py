"""Indexing benchmark: searchkit vs SQLite FTS5 vs tantivy, each build in its own process.

    python bench/indexing.py [--corpus PATH] [--workdir DIR] [--typesense [--only-typesense] | --backend URL]

Prints full-build time, throughput, peak RSS and index size per engine, then searchkit's re-sync
times (no-op, and 1 changed + 1 added + 1 removed article on a copy of the corpus in the workdir).
The indexes are left in the workdir for query.py and relevance.py.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

from common import (MB, Timer, base_parser, check_corpus, check_workdir, corpus_fingerprint, dir_size, emit_result,
                    fmt, machine_note, print_table, read_records, record_built, remove_path, run_child,
                    write_records)
from peers import SearchkitEngine, add_typesense_options, engine_at, typesense_from_args

FLOOR_BUILD_S = 150.0
FLOOR_NOOP_S = 5.0
FLOOR_RESYNC_S = 3.0
FLOOR_RSS_BYTES = int(1.5 * 1024 ** 3)
COPY_NAME = "corpus-copy.jsonl"
ADDED_ID = "bench-added-0001"


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
    parser.add_argument("--url")
    args = parser.parse_args(argv)
    if args.child == "typesense":
        emit_result(child_typesense(args.url, args.corpus))
    elif args.child == "searchkit":
        emit_result(child_searchkit(args.op, args.corpus, args.workdir))
    else:
        emit_result(child_peer_build(args.child, args.corpus, args.workdir))


def spawn(key: str, corpus: Path, workdir: Path, op: str = "full") -> dict:
    return run_child([str(Path(__file__).resolve()), "--child", key, "--op", op,
                      "--corpus", str(corpus), "--workdir", str(workdir)], f"{key} {op}")


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


def measure_searchkit(corpus: Path, workdir: Path, records: list[dict], results: dict) -> tuple[list, dict]:
    """Full build, no-op re-sync, 3-article re-sync, revert; all on a copy of the corpus in the workdir."""
    copy = workdir / COPY_NAME
    shutil.copyfile(corpus, copy)
    record_built(workdir, "searchkit", None)
    print("building searchkit ...", file=sys.stderr)
    results["searchkit"] = spawn("searchkit", copy, workdir, "full")
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


def main() -> None:
    if "--child" in sys.argv:
        run_as_child(sys.argv[1:])
        return
    parser = base_parser(__doc__.splitlines()[0])
    add_typesense_options(parser)
    parser.add_argument("--only-typesense", action="store_true",
                        help="build only the Typesense collection (the other rows are left out)")
    args = parser.parse_args()
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
    corpus_bytes = corpus.stat().st_size
    fingerprint = corpus_fingerprint(corpus)
    records = read_records(corpus)
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
            backend.state.write_text(json.dumps({"collection": backend.collection_name, "fingerprint": fingerprint}))
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
            sync_rows, edits = measure_searchkit(corpus, workdir, records, results)
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
            rows.append([label, "not available"] + [""] * 7)
            continue
        rows.append([label, r["seconds"], n / r["seconds"], corpus_bytes / MB / r["seconds"],
                     r["peak_rss_bytes"] / MB, r["size_bytes"] / MB,
                     ratio(r["seconds"], base.get("seconds")), ratio(r["peak_rss_bytes"], base.get("peak_rss_bytes")),
                     ratio(r["size_bytes"], base.get("size_bytes"))])
    print_table(["engine", "build s", "articles/s", "MB/s", "peak RSS MB", "index MB",
                 "time vs sk", "RSS vs sk", "size vs sk"], rows,
                title="Full build (each engine in its own process; peers' time includes reading the JSONL)")
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
            ["no-op re-sync s", noop["seconds"], f"<= {FLOOR_NOOP_S:g} s", within(noop["seconds"], FLOOR_NOOP_S)],
            ["3-article re-sync s", three["seconds"], f"<= {FLOOR_RESYNC_S:g} s",
             within(three["seconds"], FLOOR_RESYNC_S)],
            ["peak RSS MB (max of all runs)", max(r["peak_rss_bytes"] for r in (sk, noop, three)) / MB,
             f"<= {FLOOR_RSS_BYTES / MB:,.0f} MB",
             within(max(r["peak_rss_bytes"] for r in (sk, noop, three)), FLOOR_RSS_BYTES)],
        ])
    print(f"at the end: {machine_note()}")


if __name__ == "__main__":
    main()
