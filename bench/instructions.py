"""Instructions, not seconds: what a build's batch or a search costs, counted by valgrind, the
same from one run to the next on a machine whose timings move by a quarter (bench/README.md).

    python bench/instructions.py [--workload build query warm commit add scaled] [--articles 1000] [--queries 300]
                                 [--base CHECKOUT] [--workdir DIR] [--corpus PATH]

Each workload runs in a fresh process under `valgrind --tool=cachegrind` twice: once with its
set-up only (imports, the tagger's model, the index opened, a warm-up), once with the measured
part after it; the difference of the two counts of instructions (cachegrind's `I refs`) is the
measured part's. The hash seed is fixed, so two runs of the same code differ by about 0.1 %.

- `build`: `--articles` articles of the corpus, from its 1,001st, decoded from their JSONL
  lines (`corpus.resolve`, as a build's workers do) and written as one segment
  (`segments.write_batch`), after a warm-up batch of 100 others;
- `query`: every k-th of the dev set's queries (`--queries` of them, as bench/serve.py sends
  them: `known_items.jsonl` and `topical.jsonl`), top 10 with snippets, on the workdir's 16k
  index (bench/query.py builds it), after 20 others;
- `warm`: the same queries searched a second time, in one engine that has searched them once
  (a server's worker between commits: what it keeps for the index generation serves again);
- `commit`: what a commit costs a server's worker: those queries searched twice on a copy of the
  index (a worker that has answered them), then, after a 10-article `searchkit add` (run
  natively, not counted) or none, searched again; the difference is the searches' extra work
  after the commit (its searcher, statistics and the words read again in the new segment):
  bench/after_commit.py's rounds, counted instead of timed;
- `scaled`: query.py's 200 mixed queries (its seed) with snippets, top 10, on the corpus
  repeated 16 times (the index `query.py --scale 16` builds and keeps in the workdir), after
  its 10 warm-up queries: issue 21's ×16 latency, counted instead of timed (a run of the 200
  is 3 s of CPU natively, and its timings move by 5 % from one run to the next);
- `add`: a whole `searchkit add` of 10 new articles to a copy of the index, imports and
  statistics included, in one process (`--queries` and `--articles` aside): what a newsroom's
  writer costs the server's cores each time.

`--base CHECKOUT` counts another checkout's code (a `git worktree` of the commit before) in
the same way, beside this one's. Counts leave out what the processor waits for (cache misses,
the other process on the core): a change that moves memory rather than instructions must
still be timed. Needs valgrind (`apt-get install valgrind`); takes about a minute a workload
(valgrind runs code some 50 times slower).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import REPO_ROOT, base_parser, check_corpus, check_workdir, corpus_fingerprint, devset_queries, \
    machine_note, print_table

#: What each workload's process runs: the set-up, then the measured part when argv[1] is "1".
_BUILD = """
import itertools, sys, tempfile, shutil
from searchkit.indexing import corpus, segments
measured, count, path = sys.argv[1] == "1", int(sys.argv[2]), sys.argv[3]
pending = [e for e in itertools.islice(corpus.iter_articles([path], defer=True), 1000 + count) if hasattr(e, "title")]
folder = tempfile.mkdtemp()
segments.write_batch(folder, [corpus.resolve(a) for a in pending[:100]], lambda n: None)
if measured:
    segments.write_batch(folder, [corpus.resolve(a) for a in pending[1000:1000 + count]], lambda n: None)
shutil.rmtree(folder)
"""
_QUERY = """
import json, sys
from searchkit import QueryError, SearchEngine
measured, count, index, chosen = sys.argv[1] == "1", int(sys.argv[2]), sys.argv[3], sys.argv[4]
chosen = json.loads(open(chosen, encoding="utf-8").read())  # 20 to warm up, then `count`
engine = SearchEngine(index)
for query in chosen[:20] + (chosen[20:20 + count] if measured else []):
    try:
        engine.search(query, limit=10)
    except QueryError:
        pass
"""
_WARM = """
import json, sys
from searchkit import QueryError, SearchEngine
measured, count, index, chosen = sys.argv[1] == "1", int(sys.argv[2]), sys.argv[3], sys.argv[4]
chosen = json.loads(open(chosen, encoding="utf-8").read())[:20 + count]
engine = SearchEngine(index)
for query in chosen + (chosen[20:] if measured else []):  # every one once, then `count` again
    try:
        engine.search(query, limit=10)
    except QueryError:
        pass
"""
_SCALED = """
import json, sys
from searchkit import QueryError, SearchEngine
measured, count, index, chosen, warm = sys.argv[1] == "1", int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
chosen = json.loads(open(chosen, encoding="utf-8").read())  # the warm-up's first, then `count`
engine = SearchEngine(index)
for query in chosen[:warm] + (chosen[:count] if measured else []):
    try:
        engine.search(query, limit=10)
    except QueryError:
        pass
"""
_COMMIT = """
import json, shutil, subprocess, sys, tempfile, time
from searchkit import QueryError, SearchEngine
measured, count, index, chosen, batch = sys.argv[1] == "1", int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
queries = json.loads(open(chosen, encoding="utf-8").read())[:count]
folder = tempfile.mkdtemp()
copy = folder + "/index"
shutil.copytree(index, copy)
engine = SearchEngine(copy)
def search_all():
    for query in queries:
        try:
            engine.search(query, limit=10)
        except QueryError:
            pass
search_all()  # every query's postings, the statistics, the searcher: what a busy worker holds
search_all()
# the commit runs natively (valgrind does not follow an exec); without one, a process as short
add = ["-m", "searchkit", "add", batch, "--index", copy, "--quiet"] if measured else ["-c", "pass"]
subprocess.run([sys.executable, *add], check=True, stdout=subprocess.DEVNULL)
time.sleep(2.5)  # the folder settled (`local.SETTLED_SECONDS`): the same count each run
search_all()
shutil.rmtree(folder)
"""
_ADD = """
import sys
import searchkit.backends.local as local
# the did-you-mean statistics in this process, not a forked helper: valgrind's count in a fork
# starts from its parent's, so a helper's would count the parent's work before it again
local._spellings_beside = lambda path, generation: None
from searchkit.cli import main
sys.argv = ["searchkit", "add", sys.argv[1], "--index", sys.argv[2], "--quiet"]
main()
"""
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(code: str, script: str, arguments: list[str]) -> int:
    """Instructions a Python process running `script` executes, `code`'s searchkit first on its path."""
    environment = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": code, "SEARCHKIT_ANSWER_CACHE_MB": "0"}
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           sys.executable, "-c", script, *arguments],
                          capture_output=True, text=True, env=environment, cwd=code)
    found = _REFS.search(done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"valgrind run failed ({code}): {done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def measured(code: str, script: str, count: int, rest: list[str]) -> int:
    """The measured part's instructions: the run with it less the run without, side by side."""
    with ThreadPoolExecutor(2) as pool:
        with_part, without = pool.map(lambda flag: instructions(code, script, [flag, str(count), *rest]), ["1", "0"])
    return with_part - without


def whole_add(code: str, index: Path, batch: Path) -> int:
    """A `searchkit add` process's instructions, its imports and both statistics included (the
    did-you-mean built in the process itself, see `_ADD`): what a newsroom's writer costs the
    server's cores each time (on a copy of the index)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "index"
        shutil.copytree(index, copy)
        return instructions(code, _ADD, [str(batch), str(copy)])


def scaled_queries(corpus: Path, workdir: Path, times: int = 16) -> tuple[int, str, list[str]]:
    """(queries, unit, the script's arguments) of the `scaled` workload: query.py's queries,
    written to the workdir, on the ×`times` index query.py keeps there."""
    from common import read_records
    from peers import engine_at
    from query import SCALED_DIR, WARMUP, make_queries

    engine = engine_at(workdir / SCALED_DIR.format(times=times), "searchkit")
    if not engine.exists():
        sys.exit(f"no x{times} index in {workdir}: run `python bench/query.py --scale {times} --workdir {workdir}` first")
    queries = make_queries(read_records(corpus))
    chosen = workdir / "instructions-scaled-queries.json"
    chosen.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    return len(queries), "query", [str(engine.path), str(chosen), str(WARMUP)]


def new_batch(corpus: Path, workdir: Path, size: int = 10) -> Path:
    """The corpus's last `size` articles under new ids (every one an addition), as serve.py's writer adds them."""
    from common import read_records

    path = workdir / "instructions-batch.jsonl"
    records = read_records(corpus)[-size:]
    path.write_text("".join(json.dumps({**r, "id": f"instructions-{n}"}, ensure_ascii=False) + "\n"
                            for n, r in enumerate(records)), encoding="utf-8")
    return path


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--workload", nargs="+", choices=("build", "query", "warm", "commit", "add", "scaled"),
                        default=["build", "query"])
    parser.add_argument("--articles", type=int, default=1000, help="articles in the measured batch")
    parser.add_argument("--queries", type=int, default=300, help="dev-set queries measured")
    parser.add_argument("--base", help="another checkout whose code is counted beside this one's")
    parser.add_argument("--json", type=Path, help="write the counts here too")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed: apt-get install valgrind")
    codes = [str(REPO_ROOT)] + ([str(Path(args.base).resolve())] if args.base else [])
    rows, result = [], {}
    for workload in args.workload:
        if workload == "build":
            script, count, unit, rest = _BUILD, args.articles, "article", [str(check_corpus(args.corpus))]
            counts = {code: measured(code, script, count, rest) for code in codes}
        elif workload == "scaled":
            count, unit, rest = scaled_queries(check_corpus(args.corpus), check_workdir(args.workdir))
            counts = {code: measured(code, _SCALED, count, rest) for code in codes}
        else:
            from peers import ensure_index

            corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
            index = ensure_index("searchkit", corpus, workdir, corpus_fingerprint(corpus)).path
            queries = devset_queries()
            chosen = workdir / "instructions-queries.json"  # every k-th, spread over the dev set
            chosen.write_text(json.dumps(queries[::max(1, len(queries) // (args.queries + 20))], ensure_ascii=False),
                              encoding="utf-8")
            if workload == "add":
                batch, count, unit = new_batch(corpus, workdir), 1, "addition"
                counts = {code: whole_add(code, index, batch) for code in codes}
            else:
                script, count, unit, rest = _QUERY, args.queries, "query", [str(index), str(chosen)]
                if workload == "warm":
                    script = _WARM
                elif workload == "commit":
                    script, rest = _COMMIT, rest + [str(new_batch(corpus, workdir))]
                counts = {code: measured(code, script, count, rest) for code in codes}
        result[workload] = {code: value for code, value in counts.items()}
        base = counts.get(codes[-1]) if args.base else None
        for code, value in counts.items():
            change = f"{100 * (value / base - 1):+.1f} %" if base and code != codes[-1] else ""
            rows.append((workload, code, f"{value / count / 1e6:.2f} M a {unit}", f"{value / 1e9:.3f} G", change))
    print_table(("workload", "code", "instructions", "in all", "against --base"), rows)
    print(machine_note())
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
