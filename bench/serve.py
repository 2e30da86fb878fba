"""Load test of `searchkit serve` over loopback, with the SQLite FTS5 peer on the same stack.

    python bench/serve.py [--corpus PATH] [--workdir DIR] [--scratch DIR] [--duration S]
                          [--clients 16 64] [--workers 2] [--mix "dev set" distinct uncached]
                          [--compare-per-thread] [--base CHECKOUT] [--rounds N]

wrk (apt-get install wrk) sends queries to `/api/search?q=…&limit=10` from 2 threads over 16
and then 64 keep-alive connections for `--duration` seconds after a 5-second warm-up (the dev
set's queries), in two mixes: the dev set's queries (bench/devset/known_items.jsonl, every
variant, and topical.jsonl, shuffled), which repeat, so that searchkit answers many from the
answers it keeps between commits; and distinct queries (words of the corpus' titles), none
sent twice, so that every answer is searched: the figure for queries never seen. A third mix,
`uncached`, sends the dev set's with searchkit's answer cache off; a fourth, `page`, what the
search page asks (searchkit only): the dev set's with facets (every third also sorted by
date, every third since a year), each after the completions of its first letters as they are
typed (`/api/suggest`). Meanwhile a
writer adds 10 new articles every 5 seconds (`searchkit add` as a process, as a newsroom's
job would, its bytecode cached as after any install; plain INSERTs for FTS5): a commit far more
often than any newsroom publishes. Each
run starts from a fresh copy of the 16k index that bench/indexing.py built in the workdir
(read-only: the copies live in --scratch), and afterwards checks that every added article is
in the index exactly once. Prints requests/s, p50/p99 latency and errors by kind (wrk's
connection errors and timeouts, each non-200 status with a sample answer, and the server log's
error lines) per server, mix and client count, next to the floors.

`--compare-per-thread` adds a run of the alternative design at 16 clients: one SearchEngine
per server thread instead of one shared engine whose lock makes threads take turns.

`--storm N` adds N clients looping the 31-prefix query of issue 18 (`th* l* đ* T* m* …`,
limit 100, the API's most) through the measured runs, as the audit's four `hey` clients did:
the normal traffic's requests/s beside the storm's answers by status. `--only-searchkit`
skips the FTS5 runs.

`--base CHECKOUT` runs another checkout's server and writer (a `git worktree` of the commit
before) in turn with this one's, `--rounds` times each, and prints each one's medians: on a
shared machine whose figures drift by a third within an hour, only runs in turn compare.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from common import (
    BENCH_DIR,
    REPO_ROOT,
    base_parser,
    cache_bytecode,
    check_corpus,
    check_workdir,
    corpus_fingerprint,
    devset_queries,
    is_built,
    machine_note,
    print_table,
    read_records,
)

FLOOR_RPS_16 = 150.0
FLOOR_P99_MS = 250.0
FLOOR_RPS_64, FLOOR_P99_64_MS = 600.0, 200.0
MIXES = ("dev set", "distinct", "uncached", "page")
WARMUP_SECONDS = 5
SEED = 20241130
WRK_SCRIPT = r"""
local paths, counter = {}, 0
for line in io.lines(os.getenv("SERVE_BENCH_PATHS")) do paths[#paths + 1] = line end
local thread_count, threads = 0, {}
function setup(thread)
  thread:set("offset", thread_count * tonumber(os.getenv("SERVE_BENCH_STRIDE")))
  thread_count = thread_count + 1
  threads[#threads + 1] = thread
end
function init(args) counter = tonumber(offset) or 0; statuses = {}; samples = {} end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
function response(status, headers, body)
  -- every answer that is not a 200, by status, and the first few bodies: what the errors were
  if status ~= 200 then
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
    if #samples < 3 then samples[#samples + 1] = key .. " " .. string.sub(body or "", 1, 300) end
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  local counts, kept = {}, {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("statuses") or {}) do counts[key] = (counts[key] or 0) + n end
    for _, text in ipairs(thread:get("samples") or {}) do kept[#kept + 1] = text end
  end
  local parts = {}
  for key, n in pairs(counts) do parts[#parts + 1] = string.format('"%s": %d', key, n) end
  io.write(string.format('WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
  for _, text in ipairs(kept) do io.write("WRK_SAMPLE " .. string.gsub(text, "\n", " ") .. "\n") end
end
"""


@dataclass
class Run:
    server: str
    clients: int
    mix: str = "dev set"  # the queries: the dev set's, repeating, or "distinct" (never repeating)
    code: Path = REPO_ROOT  # the checkout whose server and writer run
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: dict = field(default_factory=dict)
    added: int = 0
    writes: int = 0
    writer_errors: list = field(default_factory=list)
    check: str = ""
    samples: list = field(default_factory=list)  # the first non-200 answers' bodies
    server_errors: list = field(default_factory=list)  # the server log's error lines
    cache: tuple = (0, 0)  # searchkit's answers from its cache and searched, warm-up included
    cpu_seconds: float = 0.0  # the server processes' CPU time (user + system) over the measured run
    writer_cpu: float = 0.0  # the writer's processes' CPU time (`searchkit add`, each its own process)
    storm: dict = field(default_factory=dict)  # the storm's answers by HTTP status

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """The server's CPU milliseconds per answer: steadier than req/s on a shared machine."""
        return 1000 * self.cpu_seconds / self.requests if self.requests else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values()) + len(self.writer_errors)

    def error_note(self) -> str:
        """The errors by kind, a sample answer and the server's own error lines."""
        notes = [f"{kind} {n}" for kind, n in self.errors.items()] + self.writer_errors[:3]
        notes += [f"answer: {text[:200]}" for text in self.samples[:2]]
        notes += [f"server log: {line[:200]}" for line in self.server_errors[:3]]
        return "; ".join(notes)


def main() -> None:
    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--scratch", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "searchkit-serve-bench",
                        help="where the writable copies of the indexes go (outside the repo)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of measured load per run")
    parser.add_argument("--clients", type=int, nargs="+", default=[16, 64], help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--write-every", type=float, default=5.0, metavar="SECONDS",
                        help="the writer starts an addition this often (0: no writer)")
    parser.add_argument("--write-batch", type=int, default=10, metavar="N", help="articles per addition")
    parser.add_argument("--compare-per-thread", action="store_true",
                        help="also measure one SearchEngine per thread (uses GBs of memory)")
    parser.add_argument("--storm", type=int, default=0, metavar="N",
                        help="N clients looping the 31-prefix query during the measured runs")
    parser.add_argument("--only-searchkit", action="store_true", help="skip the FTS5 runs")
    parser.add_argument("--base", type=Path, help="another checkout (a git worktree of the commit before) whose "
                                                  "server and writer run in turn with this one's")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each in turn (with --base: each checkout's)")
    parser.add_argument("--mix", nargs="+", choices=MIXES, default=["dev set", "distinct"],
                        help="the queries: the dev set's (repeating: a server may answer them from a cache), "
                             "distinct ones (none repeats: every answer is searched), and/or 'uncached': the "
                             "dev set's with searchkit's answer cache off (to compare with a checkout without one)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    corpus, workdir, scratch = check_corpus(args.corpus), check_workdir(args.workdir), check_workdir(args.scratch)
    cache_bytecode(os.environ, workdir)  # the servers' and writers' (`code_environment`), as installed
    fingerprint = corpus_fingerprint(corpus)
    for engine in ("searchkit", "fts5"):
        if not is_built(workdir, engine, fingerprint):
            sys.exit(f"no {engine} index of {corpus} in {workdir}: run python bench/indexing.py first")
    paths = scratch / "paths.txt"
    paths.write_text("\n".join(query_paths()) + "\n", encoding="utf-8")
    distinct = scratch / "distinct-paths.txt"
    distinct.write_text("\n".join(distinct_paths(corpus)) + "\n", encoding="utf-8")
    page = scratch / "page-paths.txt"
    page.write_text("\n".join(page_paths()) + "\n", encoding="utf-8")
    script = scratch / "mixed.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    articles = new_articles(corpus)
    servers = ["searchkit"] + ([] if args.only_searchkit else ["SQLite FTS5"])
    codes = [REPO_ROOT] + ([args.base.resolve()] if args.base else [])
    plan = [(code, server, c, mix) for _ in range(max(1, args.rounds)) for code in codes for server in servers
            for mix in args.mix for c in args.clients
            if (server == "searchkit" or mix not in ("uncached", "page")) and (server == "searchkit" or code == REPO_ROOT)]
    if args.compare_per_thread:
        plan.append((REPO_ROOT, "searchkit, engine per thread", 16, "dev set"))
    runs = []
    for code, server, clients, mix in plan:
        run = Run(server, clients, mix, code)
        measure(run, workdir, scratch, articles, paths, {"distinct": distinct, "page": page}.get(mix, paths), script, args)
        runs.append(run)
        print(f"{label(run, args):30} {mix:9} {clients:3} clients: {run.rps:7.1f} req/s  p50 {run.p50_ms:6.1f} ms  "
              f"p99 {run.p99_ms:6.1f} ms  errors {run.error_count}  {run.check}"
              + f"  cached {cached_share(run)}"
              + (f"  storm answers {dict(sorted(run.storm.items()))}" if args.storm else "")
              + (f"\n    errors: {run.error_note()}" if run.error_count or run.server_errors else ""), flush=True)
    report(runs, args)


def query_paths() -> list[str]:
    """The dev set's queries as API paths, shuffled with a fixed seed."""
    queries = devset_queries()
    random.Random(SEED).shuffle(queries)
    return [f"/api/search?limit=10&q={quote(q, safe='')}" for q in queries]


def page_paths() -> list[str]:
    """What the search page asks for the dev set's queries, shuffled as `query_paths`: the
    completions of the first two to five letters as they are typed, then the search with its
    facets, every third sorted by date and every third since 2010."""
    queries = devset_queries()
    random.Random(SEED).shuffle(queries)
    found = []
    for n, query in enumerate(queries):
        found += [f"/api/suggest?q={quote(query[:end], safe='')}" for end in range(2, min(len(query), 5) + 1)]
        options = ("", "&sort=date", "&since=2010")[n % 3]
        found.append(f"/api/search?limit=10&facets=true{options}&q={quote(query, safe='')}")
    return found


def new_articles(corpus: Path) -> list[dict]:
    """Articles for the writer: the corpus' last ones under new ids (so every one is an addition)."""
    records = read_records(corpus)[-600:]
    return [{**record, "id": f"serve-bench-{n}"} for n, record in enumerate(records)]


def distinct_paths(corpus: Path, seed: int = SEED) -> list[str]:
    """A query no other request repeats, ~16,000 of them: two to four words of each article's
    title (a reader's words for it), shuffled; so that no answer can come from a cache."""
    rng, seen, queries = random.Random(seed), set(), []
    for record in read_records(corpus):
        words = [w.strip(".,:;!?\"'“”‘’()[]–-") for w in (record.get("title") or "").split()]
        words = [w for w in words if w]
        if len(words) < 2:
            continue
        size = min(len(words), rng.randint(2, 4))
        start = rng.randint(0, len(words) - size)
        query = " ".join(words[start:start + size])
        if query.casefold() not in seen:
            seen.add(query.casefold())
            queries.append(query)
    rng.shuffle(queries)
    return [f"/api/search?limit=10&q={quote(q, safe='')}" for q in queries]


def measure(run: Run, workdir: Path, scratch: Path, articles: list[dict], warmup: Path, paths: Path, script: Path,
            args) -> None:
    fts5 = run.server.startswith("SQLite")
    target = fresh_copy(workdir, scratch, fts5)
    port = free_port()
    log = scratch / f"server-{run.server.split()[0].lower()}-{run.clients}.log"
    process = start_server(run.server, target, port, args.workers, log, cache=run.mix != "uncached", code=run.code)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, base)
        wrk(base, run.clients, WARMUP_SECONDS, warmup, script)  # the dev set's: none of the distinct
        stop = threading.Event()
        writer = threading.Thread(target=write_loop, args=(run, target, articles, stop, fts5, args), daemon=True)
        if args.write_every > 0:
            writer.start()
        storms = [threading.Thread(target=storm_loop, args=(base, stop, run.storm), daemon=True)
                  for _ in range(args.storm)]
        for storm in storms:
            storm.start()
        cpu = session_cpu(process.pid)
        result = wrk(base, run.clients, args.duration, paths, script)
        run.cpu_seconds = session_cpu(process.pid) - cpu
        stop.set()
        for storm in storms:
            storm.join(timeout=60)
        if writer.is_alive():
            writer.join(timeout=120)
    finally:
        stop_server(process)
    run.requests, run.seconds = result["requests"], result["duration_us"] / 1e6
    run.p50_ms, run.p99_ms = result["p50_us"] / 1000, result["p99_us"] / 1000
    # by kind: wrk's socket errors and timeouts, and each non-200 status the server answered
    run.errors = {k: result[k] for k in ("connect", "read", "write", "timeout") if result[k]}
    run.errors.update({f"HTTP {code}": n for code, n in sorted(result["statuses"].items())})
    run.samples = result["samples"]
    run.server_errors = server_errors(log)
    run.cache = cache_use(log)
    run.check = check_additions(target, articles[:run.added], fts5)


#: The audit's query (issue 18): 31 prefixes, each of them common.
STORM_QUERY = "th* l* đ* T* m* h* c* n* v* b* k* g* s* d* p* t* q* x* r* tr* ch* ph* nh* ng* kh* gi* a* o* u* e* i*"


def storm_loop(base: str, stop: threading.Event, answers: dict) -> None:
    """Ask the storm query over and over until `stop`; count the answers by status."""
    import urllib.error

    url = f"{base}/api/search?limit=100&q={quote(STORM_QUERY, safe='')}"
    while not stop.is_set():
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = "error"
        answers[status] = answers.get(status, 0) + 1


def fresh_copy(workdir: Path, scratch: Path, fts5: bool) -> Path:
    """A writable copy of the bench index (the workdir's stays untouched)."""
    if fts5:
        target = scratch / "fts5.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        shutil.copyfile(workdir / "fts5.sqlite", target)
        with sqlite3.connect(target) as db:
            db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        return target
    target = scratch / "searchkit-index"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(workdir / "searchkit-index", target)
    return target


def code_environment(code: Path) -> dict[str, str]:
    """This process's environment (its bytecode cached: `main`), `code`'s searchkit first on
    the path. Compiling its modules again, each writer's `searchkit add` took 0.25 s more of
    the cores the servers answer on."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(code), *filter(None, [os.environ.get("PYTHONPATH")])])}


def label(run: Run, args) -> str:
    """The run's server, and its checkout's folder name when another is compared (--base)."""
    return f"{run.server} ({run.code.name})" if args.base else run.server


def start_server(server: str, target: Path, port: int, workers: int, log: Path, cache: bool = True,
                 code: Path = REPO_ROOT) -> subprocess.Popen:
    """The server (`code`'s) as a process of its own session, its output (tracebacks) in `log`."""
    environment = {**code_environment(code), "SEARCHKIT_INDEX": str(target), "FTS5_DB": str(target)}
    if not cache:
        environment["SEARCHKIT_ANSWER_CACHE_MB"] = "0"
    if server == "searchkit":
        command = [sys.executable, "-m", "searchkit", "serve", "--index", str(target), "--port", str(port),
                   "--workers", str(workers)]
    else:
        factory = "serve_apps:fts5_app" if server.startswith("SQLite") else "serve_apps:per_thread_app"
        command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--app-dir", str(BENCH_DIR),
                   "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                   "--no-access-log", "--log-level", "warning"]
    with open(log, "wb") as output:
        return subprocess.Popen(command, cwd=code, env=environment, start_new_session=True,
                                stdout=output, stderr=subprocess.STDOUT)


def session_cpu(session: int) -> float:
    """CPU seconds (user + system) used so far by the processes of a session (the server's
    workers included): Linux's /proc; 0 elsewhere."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[3]) == session:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.0


def cache_use(log: Path) -> tuple[int, int]:
    """Answers from searchkit's cache and searched, over its workers (their log at shutdown)."""
    import re

    found = re.findall(r"answer cache: (\d+) hits, (\d+) misses", log.read_text(encoding="utf-8", errors="replace"))
    return sum(int(h) for h, _ in found), sum(int(m) for _, m in found)


def cached_share(run: Run) -> str:
    hits, misses = run.cache
    return f"{hits / (hits + misses):.0%}" if hits + misses else "-"


def server_errors(log: Path) -> list[str]:
    """The server log's error lines (a traceback's last line among them)."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for n, line in enumerate(lines)
            if line.startswith("ERROR") or (n and lines[n - 1].startswith("  ") and "Error" in line.split(":")[0])]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(process: subprocess.Popen, base: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server did not answer on {base} within {timeout:.0f} s")


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM to the server by its pid; SIGKILL to the session it leads if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def wrk(base: str, clients: int, seconds: int, paths: Path, script: Path) -> dict:
    """wrk's figures; its 2 threads start half the list apart (a distinct list never repeats
    while each sends fewer requests than half of it: see `report`)."""
    stride = max(1, sum(1 for _ in paths.open(encoding="utf-8")) // 2)
    command = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--timeout", "5s", "-s", str(script), base]
    output = subprocess.run(command, capture_output=True, text=True, check=True,
                            env={**os.environ, "SERVE_BENCH_PATHS": str(paths), "SERVE_BENCH_STRIDE": str(stride)},
                            timeout=seconds + 60).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_RESULT "))
    result = json.loads(line.removeprefix("WRK_RESULT "))
    result["samples"] = [line.removeprefix("WRK_SAMPLE ") for line in output.splitlines()
                         if line.startswith("WRK_SAMPLE ")]
    return result


def write_loop(run: Run, target: Path, articles: list[dict], stop: threading.Event, fts5: bool, args) -> None:
    """Add `--write-batch` new articles every `--write-every` seconds until told to stop."""
    while not stop.wait(args.write_every) and run.added + args.write_batch <= len(articles):
        batch = articles[run.added:run.added + args.write_batch]
        try:
            if fts5:
                add_fts5(target, batch)
            else:
                run.writer_cpu += add_searchkit(target, batch, run.writes, run.code)
        except (subprocess.CalledProcessError, sqlite3.Error) as error:
            run.writer_errors.append(str(error))
            continue
        run.added += len(batch)
        run.writes += 1


def add_searchkit(index: Path, batch: list[dict], n: int, code: Path = REPO_ROOT) -> float:
    """`searchkit add` of the batch in a process of its own (`code`'s); the CPU seconds it took
    (its helpers' included): the writer shares the server's cores."""
    path = index.parent / f"serve-bench-add-{n}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in batch), encoding="utf-8")
    command = [sys.executable, "-m", "searchkit", "add", str(path), "--index", str(index), "--wait", "30", "--quiet"]
    with subprocess.Popen(command, cwd=code, env=code_environment(code), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as process:
        error = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)  # this child's own usage, whatever else runs
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, stderr=error)
    return usage.ru_utime + usage.ru_stime


def add_fts5(database: Path, batch: list[dict]) -> None:
    with sqlite3.connect(database, timeout=30) as db:
        db.executemany("INSERT INTO docs(title, body, id) VALUES (?, ?, ?)",
                       ((r.get("title") or "", r.get("body") or "", r["id"]) for r in batch))


def check_additions(target: Path, added: list[dict], fts5: bool) -> str:
    """'added N, each once' when every added article is in the index exactly once."""
    ids = [r["id"] for r in added]
    if fts5:
        with sqlite3.connect(target) as db:
            found = [row[0] for row in db.execute("SELECT id FROM docs WHERE id LIKE 'serve-bench-%'")]
    else:
        from searchkit.indexing.store import open_index

        with open_index(target).reader() as reader:
            column = reader.column_reader("id")
            found = [column[n] for n in reader.all_doc_ids() if column[n].startswith("serve-bench-")]
    ok = sorted(found) == sorted(ids)
    return f"added {len(ids)}, each once" if ok else f"ADDED {len(ids)} BUT FOUND {len(found)} ({len(set(found))} distinct)"


def distinct_count(args) -> int:
    return sum(1 for _ in (check_workdir(args.scratch) / "distinct-paths.txt").open(encoding="utf-8"))


def report(runs: list[Run], args) -> None:
    rows = [(label(r, args), r.mix, r.clients, r.requests, r.rps, r.p50_ms, r.p99_ms, r.cpu_ms, r.error_count,
             cached_share(r), r.writes, f"{r.writer_cpu:.1f}" if r.writes and r.server == "searchkit" else "-",
             r.check) for r in runs]
    print()
    print_table(["server", "queries", "clients", "requests", "req/s", "p50 ms", "p99 ms", "CPU ms/req", "errors",
                 "cached", "commits", "writer CPU s", "writer check"],
                rows, title=f"Loopback load, {args.workers} workers, {args.duration} s per run, wrk -t 2, "
                            f"while a writer adds {args.write_batch} articles every {args.write_every:g} s")
    print(f"Floors (searchkit): at 16 clients ≥ {FLOOR_RPS_16:.0f} req/s and p99 ≤ {FLOOR_P99_MS:.0f} ms (issue 18); "
          f"at 64 clients ≥ {FLOOR_RPS_64:.0f} req/s and p99 ≤ {FLOOR_P99_64_MS:.0f} ms (issue 21); 0 errors at every load.")
    print("Queries: 'dev set' repeats the dev set's 910 queries (searchkit keeps its answers until the next commit,")
    print(f"so many come from its cache); 'distinct' sends each of {distinct_count(args):,} queries made of the corpus'"
          " titles at most once a run: every answer searched, the figure for new queries; 'uncached': the dev set's")
    print("queries with searchkit's answer cache off ($SEARCHKIT_ANSWER_CACHE_MB=0), every answer searched; 'page':")
    print("what the search page asks, the dev set's queries with facets (a third sorted by date, a third since 2010),")
    print("each after /api/suggest of its first two to five letters (the completions, searchkit only).")
    print("'cached': the share of searchkit's answers that came from its cache, the warm-up's included (its log);")
    print("'CPU ms/req': the server processes' CPU time over the run per answer (less noisy than req/s when shared);")
    print("'writer CPU s': what searchkit's `searchkit add` processes took of the same cores meanwhile.")
    for r in runs:
        if r.mix == "distinct" and r.requests + 2 * r.clients > distinct_count(args):
            print(f"  WARNING: {r.server} at {r.clients} clients sent {r.requests} requests: some distinct queries repeated")
    for r in runs:
        if r.server == "searchkit":
            floor = {16: (FLOOR_RPS_16, FLOOR_P99_MS), 64: (FLOOR_RPS_64, FLOOR_P99_64_MS)}.get(r.clients)
            met = r.error_count == 0 and (floor is None or (r.rps >= floor[0] and r.p99_ms <= floor[1]))
            print(f"  {label(r, args) + ', ' if args.base else ''}{r.mix}, {r.clients} clients: {'met' if met else 'NOT MET'}"
                  + (f" (errors: {r.error_note()})" if r.error_count else ""))
    if args.base or args.rounds > 1:
        print_medians(runs, args)
    print(machine_note())


def print_medians(runs: list[Run], args) -> None:
    """Each checkout's medians over its rounds, by server, mix and clients (runs in turn)."""
    from statistics import median

    groups: dict[tuple, list[Run]] = {}
    for r in runs:
        groups.setdefault((label(r, args), r.mix, r.clients), []).append(r)
    rows = [(name, mix, clients, len(group), f"{median(r.rps for r in group):.1f}",
             f"{median(r.p99_ms for r in group):.1f}", f"{median(r.cpu_ms for r in group):.2f}",
             " ".join(f"{r.p99_ms:.0f}" for r in group))
            for (name, mix, clients), group in groups.items()]
    print()
    print_table(["server", "queries", "clients", "rounds", "req/s median", "p99 ms median", "CPU ms/req median",
                 "p99 ms each round"], rows, title="Medians over the rounds, each checkout's runs in turn")


if __name__ == "__main__":
    main()
