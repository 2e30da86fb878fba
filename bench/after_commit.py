"""What a commit costs the searches that follow it: what a server's worker pays after each
`searchkit add` (its kept answers go with the old commit, bench/serve.py).

    python bench/after_commit.py [--corpus PATH] [--workdir DIR] [--adds N] [--articles N] [--page]

On a copy of the 16k index (built into the workdir first if bench/indexing.py has not), one
engine runs the dev set's 910 queries (`known_items.jsonl` and `topical.jsonl`, as serve.py
sends them) cold, again under the same commit, then after each of `--adds` commits of
`--articles` new articles made by `searchkit add` in another process, again once each. It
prints the CPU time of each round and of its first search (the new commit's searcher and
statistics), beside the same for the code on PYTHONPATH only: run it from a worktree of the
code before to compare (DEVELOPERS.md). No timing is asserted.

`--page` asks what the search page asks (`web/app.py`): facets with every search, and of
every four searches one sorted by date, one since a year, one in a province (PAGE_OPTIONS):
the filters', facets' and dates' tables of each new commit are then part of the cost.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import base_parser, check_corpus, check_workdir, corpus_fingerprint, devset_queries, machine_note, \
    print_table, read_records
from peers import ensure_index

from searchkit import QueryError, SearchEngine


#: The options of `--page`'s searches in turn: as the search page sends them, facets always.
PAGE_OPTIONS = ({"facets": True}, {"facets": True, "sort": "date"}, {"facets": True, "since": "2010"},
                {"facets": True, "province": "Hà Nội"})


def timed_round(engine: SearchEngine, queries: list[str], page: bool = False) -> tuple[float, float]:
    """(CPU seconds of the whole round, of its first search); `page`: with PAGE_OPTIONS in turn."""
    started = time.process_time()
    first = 0.0
    for n, query in enumerate(queries):
        try:
            engine.search(query, limit=10, **(PAGE_OPTIONS[n % len(PAGE_OPTIONS)] if page else {}))
        except QueryError:
            pass
        if n == 0:
            first = time.process_time() - started
    return time.process_time() - started, first


def add_articles(index: Path, records: list[dict], round_: int, workdir: Path) -> float:
    """`searchkit add` of new articles in another process, as a newsroom's writer; its wall seconds."""
    path = workdir / f"after-commit-{round_}.jsonl"
    path.write_text("".join(json.dumps({**record, "id": f"after-commit-{round_}-{n}"}, ensure_ascii=False) + "\n"
                            for n, record in enumerate(records)), encoding="utf-8")
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "searchkit", "add", "--index", str(index), "--quiet", str(path)],
                   check=True, capture_output=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    return time.monotonic() - started


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--adds", type=int, default=2, help="commits to measure after")
    parser.add_argument("--articles", type=int, default=10, help="articles each commit adds")
    parser.add_argument("--page", action="store_true", help="searches as the search page sends them (PAGE_OPTIONS)")
    args = parser.parse_args()
    corpus, workdir = check_corpus(args.corpus), check_workdir(args.workdir)
    source = ensure_index("searchkit", corpus, workdir, corpus_fingerprint(corpus))
    index = workdir / "after-commit-index"
    shutil.rmtree(index, ignore_errors=True)
    shutil.copytree(source.path, index)
    queries = devset_queries()
    records = read_records(corpus)[-args.adds * args.articles:]
    print(f"{len(queries)} dev-set queries, top 10 with snippets{', as the search page asks' if args.page else ''}; "
          f"{args.adds} commits of {args.articles} articles")
    print(machine_note())
    engine = SearchEngine(index)
    rows = [["cold", *timed_round(engine, queries, args.page), ""],
            ["again, the same commit", *timed_round(engine, queries, args.page), ""]]
    for n in range(args.adds):
        added = add_articles(index, records[n * args.articles:(n + 1) * args.articles], n, workdir)
        rows.append([f"after commit {n + 1}", *timed_round(engine, queries, args.page), f"{added:.2f}"])
        rows.append([f"after commit {n + 1}, again", *timed_round(engine, queries, args.page), ""])
    print_table(["round", "CPU s", "first search CPU s", "searchkit add wall s"], rows,
                title=f"Searches after a commit ({searchkit_path()})")
    shutil.rmtree(index, ignore_errors=True)


def searchkit_path() -> str:
    import searchkit

    return str(Path(searchkit.__file__).parent.parent)


if __name__ == "__main__":
    main()
