"""Query latency benchmark: 200 mixed queries on searchkit, SQLite FTS5 and tantivy, then
long queries as separate rows: 30-word questions and pasted 200-word paragraphs.

    python bench/query.py [--corpus PATH] [--workdir DIR] [--queries N] [--seed N] [--show] [--scale K]
                          [--typesense [--typesense-dir DIR] | --backend URL]

Queries are drawn deterministically (fixed seed) from the corpus: 1-4 consecutive words of an
article's title or body, some as "quoted phrases", some unaccented (marks stripped, đ→d); all
searched with snippets, top 10. Questions wrap 25 words of an article's body in a question
frame (`Vì sao … ?`, `… như thế nào?`) to make 30 words; paragraphs are 200 consecutive words.
Reuses the indexes indexing.py left in the workdir when they were built from the same corpus,
and builds the missing ones.

With --scale K (K > 1) the same queries (still drawn from the 1x corpus) run on the corpus
repeated K times, copies after the first under new ids ('<id>-x2', …), as indexing.py --scale
makes it. Every engine's xK index is built once into WORKDIR/query-xK and kept there, keyed by
the corpus fingerprint and K, so later runs re-time without rebuilding (the x16 searchkit build
takes minutes); the repeated JSONL is removed once every engine has built from it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import (
    Timer,
    base_parser,
    check_corpus,
    check_workdir,
    corpus_fingerprint,
    is_built,
    latency_summary,
    machine_note,
    percentile,
    print_table,
    read_records,
    record_built,
    rng,
    strip_accents,
    words,
    write_records,
)
from peers import SearchkitEngine, add_typesense_options, engine_at, ensure_index, typesense_from_args
from startup import environment as startup_environment

SCALED_DIR = "query-x{times}"  # under the workdir; indexing.py --keep-scaled builds there too (else in scale-xK, removed)

FLOOR_P50_MS = 30.0
FLOOR_P95_MS = 100.0
FLOOR_QUESTION_P99_MS = 100.0
FLOOR_X16_P50_MS, FLOOR_X16_P99_MS = 12.0, 40.0  # issue 21, on the corpus x16
LONG_QUERIES = 50
FRAMES = [("Vì sao", "?"), ("", "như thế nào?"), ("Tại sao", "vậy?"), ("Có phải", "không?"),
          ("", "là gì?"), ("Làm thế nào để", "?")]
WARMUP = 10
LABELS = {"searchkit": "searchkit", "fts5": "SQLite FTS5", "tantivy": "tantivy", "typesense": "sk on Typesense"}


def make_queries(records: list[dict], n: int = 200, seed: int = 20240601) -> list[str]:
    """n queries of 1-4 words from article text: ~25% phrases, ~30% unaccented."""
    r = rng(seed)
    queries: list[str] = []
    while len(queries) < n:
        rec = r.choice(records)
        text = rec.get("title") if rec.get("title") and r.random() < 0.25 else rec.get("body") or ""
        ws = [w for w in words(text) if any(c.isalpha() for c in w) and len(w) > 1]
        if len(ws) < 4:
            continue
        k = r.randint(1, 4)
        start = r.randrange(len(ws) - k + 1)
        chunk = ws[start:start + k]
        roll = r.random()
        if k >= 2 and roll < 0.20:
            q = '"' + " ".join(chunk) + '"'
        elif k >= 3 and roll < 0.30:
            q = '"' + " ".join(chunk[:2]) + '" ' + " ".join(chunk[2:])
        else:
            q = " ".join(chunk)
        if r.random() < 0.30:
            q = strip_accents(q)
        queries.append(q)
    return queries


def make_long_queries(records: list[dict], n: int, length: int, seed: int) -> list[str]:
    """n queries of `length` words: a question frame around body words (length 30), or a
    pasted paragraph (longer)."""
    r = rng(seed + length)
    queries: list[str] = []
    while len(queries) < n:
        ws = words(r.choice(records).get("body") or "")
        frame = r.choice(FRAMES) if length <= 40 else ("", "")
        inside = length - len((frame[0] + " " + frame[1]).split())
        if len(ws) < inside:
            continue
        start = r.randrange(len(ws) - inside + 1)
        queries.append(" ".join(filter(None, [frame[0], *ws[start:start + inside], frame[1]])))
    return queries


def time_queries(engine, queries: list[str], cpu: list[float] | None = None) -> tuple[list[float], list[int]]:
    """Wall seconds and hit counts of each query (after WARMUP queries); each one's CPU seconds
    (this process's, every thread) appended to `cpu` when given: on a shared machine the wall
    time counts other jobs' turns, the CPU time does not."""
    for q in queries[:WARMUP]:
        engine.search(q, limit=10, snippets=True)
    seconds, counts = [], []
    for q in queries:
        started = time.process_time()
        with Timer() as t:
            ids = engine.search(q, limit=10, snippets=True)
        seconds.append(t.seconds)
        if cpu is not None:
            cpu.append(time.process_time() - started)
        counts.append(len(ids))
    return seconds, counts


def cold_cli_seconds(workdir: Path, query: str, runs: int = 5) -> tuple[float | None, str]:
    """The median wall time of `runs` `searchkit` console-script queries, each a fresh process
    (optional: skipped without the script), after one run not counted. Bytecode is cached as
    after any `pip install` (startup.py's environment): with PYTHONDONTWRITEBYTECODE, what this
    project's sandbox sets, every start compiles the package again (about 0.1 s more).
    bench/startup.py measures cold starts properly, beside the peers'."""
    script = shutil.which("searchkit") or str(Path(sys.executable).with_name("searchkit"))
    if not os.path.exists(script):
        return None, "no searchkit console script installed"
    index = engine_at(workdir, "searchkit").path
    env = startup_environment(None, workdir, bytecode=True)
    seconds = []
    for _ in range(runs + 1):
        with Timer() as t:
            proc = subprocess.run([script, "query", "--index", str(index), "--", query],
                                  capture_output=True, text=True, env=env)
        if proc.returncode not in (0, 1):  # 1 = the query matched nothing, still a full run
            return None, f"exit {proc.returncode}: {proc.stderr.strip()[-200:]}"
        seconds.append(t.seconds)
    return statistics.median(seconds[1:]), f"searchkit query --index DIR -- QUERY, median of {runs}"


def write_scaled(records: list[dict], times: int, path: Path) -> None:
    """The corpus `times` times over; copies after the first get new ids ('<id>-x2', …), as
    indexing.py --scale writes it."""
    write_records(path, (dict(r, id=f"{r['id']}-x{copy + 1}") if copy else r
                         for copy in range(times) for r in records))


def scaled_corpus(records: list[dict], workdir: Path, fingerprint: str, times: int,
                  keys: list[str]) -> tuple[Path, Path, str]:
    """(folder, JSONL, fingerprint) of the corpus repeated `times` times. The folder keeps the
    engines' xK indexes between runs (its manifest says which corpus and K built them); the
    JSONL is written only when some engine still has to build from it."""
    folder = workdir / SCALED_DIR.format(times=times)
    folder.mkdir(exist_ok=True)
    scaled_fp = f"{fingerprint}-x{times}"
    data = folder / f"corpus-x{times}.jsonl"
    missing = [key for key in keys if not (is_built(folder, key, scaled_fp) and engine_at(folder, key).exists())]
    if missing and not is_built(folder, "corpus", scaled_fp):
        print(f"writing the corpus x{times} for {', '.join(missing)} ...", file=sys.stderr)
        record_built(folder, "corpus", None)
        write_scaled(records, times, data)
        record_built(folder, "corpus", scaled_fp)
    return folder, data, scaled_fp


def drop_scaled_corpus(folder: Path, data: Path, scaled_fp: str, keys: list[str]) -> None:
    """Remove the repeated JSONL once every engine's index is built from it (it is big)."""
    if all(is_built(folder, key, scaled_fp) for key in keys):
        data.unlink(missing_ok=True)
        record_built(folder, "corpus", None)


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--show", action="store_true", help="print the generated queries")
    parser.add_argument("--long", type=int, default=LONG_QUERIES, metavar="N",
                        help=f"long queries of each shape (default {LONG_QUERIES}; 0 skips them)")
    parser.add_argument("--scale", type=int, default=1, metavar="K",
                        help="time the queries on the corpus repeated K times with new ids "
                             "(indexes built once into WORKDIR/query-xK and reused)")
    add_typesense_options(parser)
    args = parser.parse_args()
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
    fingerprint = corpus_fingerprint(corpus)
    records = read_records(corpus)
    queries = make_queries(records, args.queries, args.seed)
    long_queries = {"30-word questions": make_long_queries(records, args.long, 30, args.seed),
                    "200-word paragraphs": make_long_queries(records, args.long, 200, args.seed)}
    long_queries = {shape: asked for shape, asked in long_queries.items() if asked}
    keys = ["searchkit", "fts5", "tantivy"] if SearchkitEngine.available() else ["fts5", "tantivy"]
    index_dir, index_corpus, index_fp = workdir, corpus, fingerprint
    if args.scale > 1:
        if args.typesense or args.backend:
            sys.exit("--scale does not apply to a Typesense backend; leave out --typesense/--backend")
        index_dir, index_corpus, index_fp = scaled_corpus(records, workdir, fingerprint, args.scale, keys)
    del records
    phrases = sum('"' in q for q in queries)
    unaccented = sum(q == strip_accents(q) for q in queries)
    print(f"corpus: {corpus}; workdir: {workdir}")
    if args.scale > 1:
        print(f"indexes: the corpus x{args.scale} (copies under new ids) in {index_dir}")
    print(f"{len(queries)} queries (seed {args.seed}): {phrases} with a quoted phrase, {unaccented} without "
          f"accents; lengths 1-4 words; top 10 with snippets; {WARMUP} warm-up queries not counted")
    print(machine_note())
    print()
    if args.show:
        for q in queries:
            print("  ", q)
        print()

    if "searchkit" not in keys:
        print("searchkit is not importable yet: peer figures only\n")
    rows, summaries, long_rows = [], {}, []
    backend, server = typesense_from_args(args, workdir)
    if backend is not None:
        keys.append("typesense")
    try:
        measure(keys, backend, index_corpus, index_dir, index_fp, queries, long_queries, rows, summaries, long_rows)
        if args.scale > 1:
            drop_scaled_corpus(index_dir, index_corpus, index_fp, keys)
    finally:
        if server is not None:
            print(f"Typesense server RSS after the queries: {server.rss_bytes() / 1024 ** 2:,.0f} MB\n")
            server.stop()
    report(keys, rows, summaries, long_rows, index_dir, queries, args.scale)


def measure(keys, backend, corpus, workdir, fingerprint, queries, long_queries, rows, summaries, long_rows) -> None:
    for key in keys:
        if key == "typesense":
            engine = backend.ensure(corpus, fingerprint)
        else:
            engine = ensure_index(key, corpus, workdir, fingerprint)
        cpu: list[float] = []
        seconds, counts = time_queries(engine, queries, cpu)
        for shape, asked in long_queries.items():
            taken, found = time_queries(engine, asked)
            ms = sorted(t * 1000 for t in taken)
            long_rows.append([shape, LABELS[key], percentile(ms, 50), percentile(ms, 99), ms[-1],
                              sum(found) / len(found), sum(c == 0 for c in found)])
        engine.close()
        cpu_ms = sorted(t * 1000 for t in cpu)
        s = summaries[key] = latency_summary(seconds) | {"p99": percentile([t * 1000 for t in seconds], 99),
                                                         "cpu_p50": percentile(cpu_ms, 50),
                                                         "cpu_p99": percentile(cpu_ms, 99)}
        rows.append([LABELS[key], s["p50"], s["p95"], s["p99"], s["mean"], s["max"],
                     percentile(cpu_ms, 50), percentile(cpu_ms, 99), sum(counts) / len(counts),
                     sum(c == 0 for c in counts)])


def report(keys, rows, summaries, long_rows, workdir, queries, scale: int = 1) -> None:
    base = summaries.get("searchkit")
    if base:
        for row, key in zip(rows, keys):
            row.append(f"{summaries[key]['p50'] / base['p50']:.2f}x")
    print_table(["engine", "p50 ms", "p95 ms", "p99 ms", "mean ms", "max ms", "CPU p50 ms", "CPU p99 ms",
                 "hits/query", "zero-hit queries"]
                + (["p50 vs sk"] if base else []), rows, title="Query latency (in-process, warm)")

    long_rows.sort(key=lambda row: row[0], reverse=True)
    if long_rows:
        print_table(["queries", "engine", "p50 ms", "p99 ms", "max ms", "hits/query", "zero-hit queries"], long_rows,
                    title="Long queries (top 10 with snippets, warm)")

    if base:
        question = next((row for row in long_rows if row[:2] == ["30-word questions", "searchkit"]), None)
        fts5 = summaries.get("fts5")
        floor_rows = [["p50 ms", base["p50"], f"<= {FLOOR_P50_MS:g}", "yes" if base["p50"] <= FLOOR_P50_MS else "NO"],
                      ["p95 ms", base["p95"], f"<= {FLOOR_P95_MS:g}", "yes" if base["p95"] <= FLOOR_P95_MS else "NO"]]
        if fts5:
            floor_rows.append(["p50 ms vs SQLite FTS5's", base["p50"], f"<= {fts5['p50']:.2f}",
                               "yes" if base["p50"] <= fts5["p50"] else "NO"])
        if scale >= 16:
            floor_rows += [[f"p50 ms at x{scale} (issue 21: x16)", base["p50"], f"<= {FLOOR_X16_P50_MS:g}",
                            "yes" if base["p50"] <= FLOOR_X16_P50_MS else "NO"],
                           [f"p99 ms at x{scale} (issue 21: x16)", base["p99"], f"<= {FLOOR_X16_P99_MS:g}",
                            "yes" if base["p99"] <= FLOOR_X16_P99_MS else "NO"],
                           [f"CPU p50 / p99 ms at x{scale} (a busy machine's wall times count others' turns)",
                            f"{base['cpu_p50']:.2f} / {base['cpu_p99']:.2f}", "", ""]]
        if question:
            floor_rows.append(["30-word question p99 ms", question[3], f"<= {FLOOR_QUESTION_P99_MS:g}",
                               "yes" if question[3] <= FLOOR_QUESTION_P99_MS else "NO"])
        cold, how = cold_cli_seconds(workdir, queries[0])
        floor_rows.append([f"cold CLI ms, `{how}` (optional)" if cold is not None else "cold CLI (optional)",
                           cold * 1000 if cold is not None else how, "", ""])
        print_table(["searchkit", "measured", "floor", "within"], floor_rows)
    print(f"at the end: {machine_note()}")


if __name__ == "__main__":
    main()
