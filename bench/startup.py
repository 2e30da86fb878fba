"""Cold start: the wall time of a fresh `searchkit query` process on the 16k index, next to
the peers' cold query in the same run (issue 21, item 6: median ≤ 0.2 s).

    python bench/startup.py [--corpus PATH] [--workdir DIR] [--runs 20] [--query "trạm BTS"]
                            [--baseline CHECKOUT] [--no-bytecode-cache] [--breakdown]

Every row is a new process searching the same index as bench/query.py does (top 10, with
snippets), timed from its start to its exit. The rows run in rounds, one of each per round,
so that a change in the machine's load falls on every row alike; each prints the median, the
best and the p90 of `--runs` wall times, and the median CPU time (user + system) of the
process, which other jobs on a loaded machine move less.

- `python -c pass`: the interpreter alone, the floor under every Python row;
- `import searchkit`, `searchkit --help`: what the package costs before any search;
- `searchkit query`: `python -m searchkit query QUERY --index <workdir>/searchkit-index`;
- `sqlite3 CLI + FTS5`: the sqlite3 shell on bench/peers.py's FTS5 index, the query as
  peers.py writes it (every word quoted, AND), bm25 with the title ×2, snippets;
- `Python + FTS5`: `python -c "import sqlite3 …"`, the same SQL, then the OR fill peers.py
  does when AND finds fewer than 10;
- `Python + tantivy`: `python -c "import tantivy …"` on peers.py's tantivy index, its
  analyzer registered, the same query and snippets as peers.py (and_or).

`--baseline CHECKOUT` adds the searchkit rows for another checkout (a `git worktree` of an
older commit), run in the same rounds on the same index: before and after, side by side.

`--breakdown` then says where a cold query's CPU time goes, per checkout (median of `--runs`
processes): the interpreter's start, the modules imported by package (the CPU time spent
running each module's own code, its imports counted to their own package: an import hook
times each `exec_module`), and the rest of the command (opening the index, the search,
rendering), up to the command's end; the process's exit is what is left of its total.

Bytecode is cached (the workdir's `pycache/`, through PYTHONPYCACHEPREFIX), as after any
`pip install`; `--no-bytecode-cache` compiles every module at every start instead
(PYTHONDONTWRITEBYTECODE, what this project's sandbox sets). The indexes are the ones
indexing.py and query.py leave in the workdir, built when missing.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import common
from common import REPO_ROOT, base_parser, check_corpus, check_workdir, corpus_fingerprint, machine_note, print_table
from peers import Fts5Engine, TantivyEngine, ensure_index, parse_user_query

FLOOR_SECONDS = 0.2
WARMUP = 2
FTS5_SQL = (f"SELECT id, {Fts5Engine.SNIPPET_SQL} FROM docs WHERE docs MATCH ? "
            "ORDER BY bm25(docs, 2.0, 1.0) LIMIT ?")
# The peers' programs: what an integrator writes to answer one query from a fresh process.
FTS5_PROGRAM = f"""
import sqlite3, sys, unicodedata
path, match_and, match_or = sys.argv[1:4]
db = sqlite3.connect(path)
sql = {FTS5_SQL!r}
rows = db.execute(sql, (match_and, 10)).fetchall()
if len(rows) < 10 and match_or != match_and:
    seen = {{r[0] for r in rows}}
    rows += [r for r in db.execute(sql, (match_or, 10 + len(rows))).fetchall() if r[0] not in seen][:10 - len(rows)]
for row in rows:
    print(*row)
"""
TANTIVY_PROGRAM = f"""
import sys, tantivy
path, text_and, text_or, pieces = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
index = tantivy.Index.open(path)
index.register_tokenizer({TantivyEngine.ANALYZER!r}, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                         .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())
searcher = index.searcher()
query = index.parse_query(text_and, ["title", "body"], field_boosts={{"title": 2.0}}, conjunction_by_default=True)
hits = searcher.search(query, 10, count=False).hits
if len(hits) < 10 and pieces > 1:
    query = index.parse_query(text_or, ["title", "body"], field_boosts={{"title": 2.0}})
    seen = {{(a.segment_ord, a.doc) for _, a in hits}}
    hits += [h for h in searcher.search(query, 10 + len(hits), count=False).hits
             if (h[1].segment_ord, h[1].doc) not in seen][:10 - len(hits)]
docs = [searcher.doc(address) for _score, address in hits]
snippets = tantivy.SnippetGenerator.create(searcher, query, index.schema, "body")
snippets.set_max_num_chars(150)
for doc in docs:
    print(doc["id"][0], snippets.snippet_from_doc(doc).fragment())
"""


#: A cold query with its CPU time taken apart (`--breakdown`): an import hook on sys.meta_path
#: times each module's execution less the imports it makes; written out at exit.
BREAKDOWN_PROGRAM = r"""
import atexit, json, sys, time
clock = time.process_time
started = clock()
own = {}  # top-level package -> CPU seconds running its modules' own code
stack = []  # per import being executed: CPU seconds its nested imports took


class Timed:
    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, name):
        return getattr(self.loader, name)

    def exec_module(self, module):
        stack.append(0.0)
        begun = clock()
        try:
            self.loader.exec_module(module)
        finally:
            spent = clock() - begun
            nested = stack.pop()
            if stack:
                stack[-1] += spent
            group = module.__name__.partition(".")[0]
            own[group] = own.get(group, 0.0) + spent - nested


class Hook:
    def find_spec(self, name, path=None, target=None):
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = Timed(spec.loader)
                return spec
        return None


sys.meta_path.insert(0, Hook())
out = sys.argv.pop()  # the last argument: where to write; the others are the command's
atexit.register(lambda: open(out, "w").write(json.dumps({"start": started, "own": own, "end": clock()})))
from searchkit.cli import main
sys.argv[0] = "searchkit"  # run as the console script runs it: the program itself, which ends as it does
main()
"""
#: The packages `--breakdown` names; other modules are "other imports" (the standard library).
BREAKDOWN_GROUPS = ("numpy", "whoosh", "click", "searchkit")


def searchkit_rows(label: str, checkout: Path, index: Path, query: str) -> list[tuple[str, list[str], Path]]:
    """The searchkit commands of one checkout (found first on the path: PYTHONPATH)."""
    python = sys.executable
    return [
        (f"import searchkit{label}", [python, "-c", "import searchkit"], checkout),
        (f"searchkit --help{label}", [python, "-m", "searchkit", "--help"], checkout),
        (f"searchkit query{label}", [python, "-m", "searchkit", "query", query, "--index", str(index)], checkout),
    ]


def peer_rows(workdir: Path, query: str) -> list[tuple[str, list[str], Path | None]]:
    pieces = parse_user_query(query)
    match_and, match_or = (Fts5Engine.match_expression(pieces, op) for op in ("AND", "OR"))
    fts5, rows = workdir / "fts5.sqlite", []
    sqlite_cli = shutil.which("sqlite3")
    if sqlite_cli:
        literal = match_and.replace("'", "''")
        sql = FTS5_SQL.replace("MATCH ?", f"MATCH '{literal}'").replace("LIMIT ?", "LIMIT 10")
        rows.append(("sqlite3 CLI + FTS5 (AND only)", [sqlite_cli, "-readonly", str(fts5), sql], None))
    rows.append(("Python + FTS5", [sys.executable, "-c", FTS5_PROGRAM, str(fts5), match_and, match_or], None))
    quoted = " ".join('"' + " ".join(piece) + '"' for piece in pieces)
    rows.append(("Python + tantivy", [sys.executable, "-c", TANTIVY_PROGRAM, str(workdir / "tantivy-index"),
                                      quoted, quoted, str(len(pieces))], None))
    return rows


def environment(checkout: Path | None, workdir: Path, bytecode: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)  # ahead of an editable install's finder
    if bytecode:
        common.cache_bytecode(env, workdir)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    return env


def run_once(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system, the process's own: less moved by other jobs
    on a loaded machine than its wall time), exit code, standard error."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done.returncode, done.stderr.decode("utf-8", "replace")


def breakdown(checkouts: list[tuple[str, Path]], index: Path, query: str, runs: int, bytecode: bool,
              workdir: Path) -> None:
    """Where a cold query's CPU time goes, per checkout (see `--breakdown`)."""
    out = workdir / "startup-breakdown.json"
    parts: dict[str, dict[str, list[float]]] = {label: {} for label, _ in checkouts}
    for _ in range(runs):
        for label, checkout in checkouts:
            command = [sys.executable, "-c", BREAKDOWN_PROGRAM, "query", query, "--index", str(index), str(out)]
            _wall, cpu, code, err = run_once(command, environment(checkout, workdir, bytecode), workdir)
            if code not in (0, 1):
                sys.exit(f"breakdown{label} failed (exit {code}):\n{err[-2000:]}")
            data = json.loads(out.read_text(encoding="utf-8"))
            own = data["own"]
            imports = {f"import {group}": own.get(group, 0.0) for group in BREAKDOWN_GROUPS}
            imports["import (other)"] = sum(v for k, v in own.items() if k not in BREAKDOWN_GROUPS)
            row = {"interpreter start": data["start"], **imports,
                   "the command (index, search, output)": data["end"] - data["start"] - sum(imports.values()),
                   "exit": cpu - data["end"], "total": cpu}
            for name, seconds in row.items():
                parts[label].setdefault(name, []).append(seconds)
    names = list(next(iter(parts.values())))
    print_table(["CPU median (s)", *(f"searchkit query{label}" for label, _ in checkouts)],
                [(name, *(f"{statistics.median(parts[label][name]):.3f}" for label, _ in checkouts)) for name in names],
                title=f"where a cold query's CPU time goes ({runs} runs each, query {query!r})")


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="processes per row (default 20)")
    parser.add_argument("--query", default="trạm BTS")
    parser.add_argument("--baseline", type=Path, help="another searchkit checkout, e.g. a git worktree of an older commit")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="compile every module at every start")
    parser.add_argument("--breakdown", action="store_true",
                        help="also say where a cold query's CPU time goes: start, imports by package, search, exit")
    args = parser.parse_args()
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
    fingerprint = corpus_fingerprint(corpus)
    for key in ("searchkit", "fts5", "tantivy"):
        ensure_index(key, corpus, workdir, fingerprint)
    index = workdir / "searchkit-index"
    checkouts = [("", REPO_ROOT)]
    if args.baseline:
        baseline = args.baseline.resolve()
        if not (baseline / "searchkit" / "__init__.py").is_file():
            sys.exit(f"--baseline {baseline}: no searchkit/ package there")
        checkouts.append((" (baseline)", baseline))
    rows = [("python -c pass", [sys.executable, "-c", "pass"], None)]
    for label, checkout in checkouts:
        rows += searchkit_rows(label, checkout, index, args.query)
    rows += peer_rows(workdir, args.query)
    bytecode = not args.no_bytecode_cache
    envs = [environment(checkout, workdir, bytecode) for _label, _command, checkout in rows]

    print(machine_note())
    for (label, command, _checkout), env in zip(rows, envs):  # bytecode written, pages cached
        for _ in range(WARMUP):
            _wall, _cpu, code, err = run_once(command, env, workdir)
            if code not in (0, 1):  # 1: a query that matched nothing
                sys.exit(f"{label} failed (exit {code}):\n{err[-2000:]}")
    walls: list[list[float]] = [[] for _ in rows]
    cpus: list[list[float]] = [[] for _ in rows]
    for _ in range(args.runs):
        for i, ((_label, command, _checkout), env) in enumerate(zip(rows, envs)):
            wall, cpu, _code, _err = run_once(command, env, workdir)
            walls[i].append(wall)
            cpus[i].append(cpu)
    table = [(label, statistics.median(w), min(w), sorted(w)[int(0.9 * (len(w) - 1))], statistics.median(c))
             for (label, _command, _checkout), w, c in zip(rows, walls, cpus)]
    print_table(["cold process (s)", "median", "best", "p90", "CPU median"],
                [(label, *(f"{seconds:.3f}" for seconds in figures)) for label, *figures in table],
                title=f"{args.runs} rounds, query {args.query!r}, index {index} "
                      f"({'bytecode cached' if bytecode else 'no bytecode cache'})")
    if args.breakdown:
        breakdown(checkouts, index, args.query, args.runs, bytecode, workdir)
    print(machine_note())
    query_median, query_cpu = next((median, cpu) for label, median, _best, _p90, cpu in table
                                   if label == "searchkit query")
    for kind, seconds in (("wall", query_median), ("CPU", query_cpu)):
        print(f"floor: searchkit query {kind} median <= {FLOOR_SECONDS:.3f} s "
              f"({'met' if seconds <= FLOOR_SECONDS else 'not met'}: {seconds:.3f} s)")


if __name__ == "__main__":
    main()
