"""Prove that a change keeps every answer: dump what searches return, then compare two dumps.

    python bench/rankings.py dump INDEX OUT.jsonl [--backend URL] [--limit N] [--corpus PATH]
    python bench/rankings.py compare BEFORE.jsonl AFTER.jsonl

`dump` runs every dev-set query (bench/devset/*.jsonl, each once) and 300 queries drawn as
bench/query.py draws them, and writes one JSON line per query with the whole top 10 as the
library returns it: ids, scores, snippets with their marks, did-you-mean, the plan's notes;
the same query with explanations; every tenth also sorted by date with facets, every tenth
(offset 5) filtered by date with facets; every 25th also an explanation of its first hit,
its highlighting terms and (local index) its accents restored. Timings are left out.

`compare` prints the first differences and how many entries differ; it exits 1 when any
does. Run `dump` on the same index before and after a change (or on two indexes built from
the same corpus by the old and the new code, when the change is in the indexer).

Example (a speed-up that must change nothing):

    git stash; python bench/rankings.py dump /tmp/idx /tmp/before.jsonl; git stash pop
    python bench/rankings.py dump /tmp/idx /tmp/after.jsonl
    python bench/rankings.py compare /tmp/before.jsonl /tmp/after.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from common import BENCH_DIR, DEFAULT_CORPUS, read_records

BENCH_QUERIES = 300
BENCH_SEED = 20240601
SEARCHES = ("plain", "explain", "date", "filtered")


def dev_queries() -> list[str]:
    """Every dev-set query once, in file order."""
    seen: dict[str, None] = {}
    for path in sorted((BENCH_DIR / "devset").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.setdefault(json.loads(line)["query"], None)
    return list(seen)


def all_queries(corpus: Path) -> list[str]:
    from query import make_queries

    bench = make_queries(read_records(corpus), BENCH_QUERIES, BENCH_SEED) if corpus.is_file() else []
    return dev_queries() + bench


def _searches(i: int) -> list[tuple[str, dict]]:
    searches = [("plain", {}), ("explain", {"explain": True})]
    if i % 10 == 0:
        searches.append(("date", {"sort": "date", "facets": True}))
    if i % 10 == 5:
        searches.append(("filtered", {"since": "2010", "facets": True, "limit": 5}))
    return searches


def dump_one(engine, query: str, i: int, local: bool) -> dict:
    from searchkit.errors import SearchkitError

    row: dict = {"q": query}
    for label, options in _searches(i):
        try:
            answer = engine.search(query, **{"limit": 10, **options}).to_dict()
            answer.pop("seconds", None)
            answer.pop("took", None)
            row[label] = answer
        except SearchkitError as error:
            row[label] = {"error": type(error).__name__, "message": str(error)}
    if i % 25 == 0:
        try:
            hits = row["plain"].get("hits") or []
            if hits:
                row["explain1"] = repr(engine.explain(query, hits[0]["id"]))
            row["hl"] = repr(engine.highlighting(query))
            if local:
                row["restore"] = engine.restore_accents(query)
        except SearchkitError as error:
            row["explain1"] = repr(error)
    return row


def dump(index: Path, out: Path, backend: str | None, limit: int | None, corpus: Path) -> None:
    from searchkit.engine import SearchEngine

    engine = SearchEngine(index, backend=backend) if backend else SearchEngine(index)
    queries = all_queries(corpus)[:limit]
    with open(out, "w", encoding="utf-8") as stream:
        for i, query in enumerate(queries):
            row = dump_one(engine, query, i, local=backend is None)
            stream.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(queries)} queries dumped to {out}")


def _sets_sorted(text: str) -> str:
    """repr() of a frozenset lists its items in hash order, which differs between runs."""
    return re.sub(r"frozenset\(\{([^}]*)\}\)",
                  lambda m: "frozenset({" + ", ".join(sorted(m.group(1).split(", "))) + "})", text)


def compare(before: Path, after: Path, shown: int = 5) -> int:
    """How many entries differ between two dumps (printing the first `shown`)."""
    old = before.read_text(encoding="utf-8").splitlines()
    new = after.read_text(encoding="utf-8").splitlines()
    if len(old) != len(new):
        print(f"{before} has {len(old)} queries, {after} {len(new)}: dump the same queries")
        return max(len(old), len(new))
    differing = searches = 0
    for line_old, line_new in zip(old, new):
        a, b = json.loads(line_old), json.loads(line_new)
        searches += sum(1 for key in a if key in SEARCHES)
        for key in sorted(set(a) | set(b)):
            x, y = a.get(key), b.get(key)
            if key in ("hl", "explain1"):
                x, y = _sets_sorted(str(x)), _sets_sorted(str(y))
            if x != y:
                differing += 1
                if differing <= shown:
                    print("DIFF", repr(a["q"])[:60], key, json.dumps(x, ensure_ascii=False)[:300], "|||",
                          json.dumps(y, ensure_ascii=False)[:300])
    print(f"{len(old)} queries, {searches} searches compared; differing entries: {differing}")
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump", help="dump the answers of the fixed query list")
    dumping.add_argument("index", type=Path)
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--backend", help="a store URL (typesense://…); default: the local index")
    dumping.add_argument("--limit", type=int, default=None, help="only the first N queries")
    dumping.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                         help="where the 300 bench queries are drawn from (left out when missing)")
    comparing = commands.add_parser("compare", help="count the entries two dumps differ in (exit 1 if any)")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.index, args.out, args.backend, args.limit, args.corpus)
    else:
        sys.exit(1 if compare(args.before, args.after) else 0)


if __name__ == "__main__":
    main()
